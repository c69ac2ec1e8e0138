import { type CrmEvent, NotFoundError, StateError, surveyScales, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const day = 86_400_000;

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`surveys (${target.name})`, () => {
    let env: CrmOnTarget;
    let tenants = 0;

    beforeAll(async () => {
      env = await target.open();
    });
    afterAll(() => env.crm.close());

    /** A fresh tenant with an agent and a contact: no test sees another's rows. */
    async function setup() {
      env.clock.set('2026-03-02T09:00:00.000Z');
      const t = env.crm.tenant(`surveys-${++tenants}`);
      const agent = await t.members.create({ name: 'Agent' });
      const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@example.com' });
      const events: CrmEvent[] = [];
      t.events.on('*', (e) => void events.push(e));
      return { t, agent, ada, events, types: () => events.map((e) => e.type).filter((type) => type.startsWith('survey.')) };
    }

    describe('sending, reminding and expiring', () => {
      it('records a sent survey with its references and emits survey.sent', async () => {
        const { t, agent, ada, types } = await setup();
        const product = await t.products.create({ name: 'GTX Pro' });
        const survey = await t.surveys.send({ kind: 'csat', contactId: ada.id, agentId: agent.id, productId: product.id, channel: 'email' });
        expect(survey).toMatchObject({
          kind: 'csat', status: 'sent', contactId: ada.id, agentId: agent.id, productId: product.id, channel: 'email',
          onDetractor: 'none', sentAt: '2026-03-02T09:00:00.000Z', reminderCount: 0, score: null, detractor: null,
        });
        expect(await t.surveys.get(survey.id)).toEqual(survey);
        expect(types()).toEqual(['survey.sent']);
      });

      it('refuses references that do not exist in the tenant', async () => {
        const { t, ada } = await setup();
        const other = await env.crm.tenant('elsewhere').contacts.create({ firstName: 'Them' });
        await expect(t.surveys.send({ kind: 'nps', contactId: other.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contact' });
        await expect(t.surveys.send({ kind: 'nps', contactId: ada.id, agentId: 'nobody' })).rejects.toMatchObject({ entity: 'member' });
        await expect(t.surveys.send({ kind: 'nps', contactId: ada.id, productId: 'nothing' })).rejects.toMatchObject({ entity: 'product' });
        await expect(t.surveys.send({ kind: 'nps' })).rejects.toBeInstanceOf(ValidationError);
        await expect(t.surveys.send({ kind: 'stars' as never, contactId: ada.id })).rejects.toBeInstanceOf(ValidationError);
        expect((await t.surveys.list()).items).toEqual([]);
      });

      it('sends once per idempotency key: a repeated send returns the first survey and emits nothing', async () => {
        const { t, ada, types } = await setup();
        const first = await t.surveys.send({ kind: 'nps', contactId: ada.id }, { idempotencyKey: 'nps:ada:2026-q1' });
        env.clock.advance(day);
        const again = await t.surveys.send({ kind: 'nps', contactId: ada.id, channel: 'sms' }, { idempotencyKey: 'nps:ada:2026-q1' });
        expect(again).toEqual(first);
        expect((await t.surveys.ofContact(ada.id)).items).toHaveLength(1);
        expect(types()).toEqual(['survey.sent']);
      });

      it('counts reminders and refuses to remind of an answered survey', async () => {
        const { t, ada, types } = await setup();
        const survey = await t.surveys.send({ kind: 'nps', contactId: ada.id });
        env.clock.advance(day);
        await t.surveys.remind(survey.id);
        env.clock.advance(day);
        const reminded = await t.surveys.remind(survey.id);
        expect(reminded).toMatchObject({ reminderCount: 2, remindedAt: '2026-03-04T09:00:00.000Z', status: 'sent' });
        await t.surveys.respond(survey.id, { score: 9 });
        await expect(t.surveys.remind(survey.id)).rejects.toBeInstanceOf(StateError);
        expect(types()).toEqual(['survey.sent', 'survey.reminded', 'survey.reminded', 'survey.answered']);
      });

      it('expires an unanswered survey once, after which it takes no answer', async () => {
        const { t, ada, types } = await setup();
        const survey = await t.surveys.send({ kind: 'csat', contactId: ada.id });
        const expired = await t.surveys.expire(survey.id, { at: '2026-03-09T09:00:00.000Z' });
        expect(expired).toMatchObject({ status: 'expired', expiredAt: '2026-03-09T09:00:00.000Z' });
        expect(await t.surveys.expire(survey.id)).toEqual(expired);
        await expect(t.surveys.respond(survey.id, { score: 5 })).rejects.toBeInstanceOf(StateError);
        await expect(t.surveys.remind(survey.id)).rejects.toBeInstanceOf(StateError);
        expect(types()).toEqual(['survey.sent', 'survey.expired']);
        const answered = await t.surveys.send({ kind: 'csat', contactId: ada.id });
        await t.surveys.respond(answered.id, { score: 4 });
        await expect(t.surveys.expire(answered.id)).rejects.toBeInstanceOf(StateError);
      });

      it('lists a contact’s surveys newest first and an agent’s answers', async () => {
        const { t, ada, agent } = await setup();
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          env.clock.advance(day);
          ids.push((await t.surveys.send({ kind: 'csat', contactId: ada.id, agentId: agent.id })).id);
        }
        const first = await t.surveys.ofContact(ada.id, { limit: 2 });
        expect(first.items.map((s) => s.id)).toEqual([ids[2], ids[1]]);
        expect((await t.surveys.ofContact(ada.id, { limit: 2, cursor: first.nextCursor! })).items.map((s) => s.id)).toEqual([ids[0]]);
        await t.surveys.respond(ids[0]!, { score: 5 });
        expect((await t.surveys.ofAgent(agent.id)).items.map((s) => s.id)).toEqual([ids[0]]);
      });
    });

    describe('answering', () => {
      it('takes one answer: a second one is a StateError and changes nothing', async () => {
        const { t, ada, types } = await setup();
        const survey = await t.surveys.send({ kind: 'csat', contactId: ada.id });
        env.clock.advance(3_600_000);
        const answered = await t.surveys.respond(survey.id, { score: 4, comment: '  Quick and kind  ' });
        expect(answered).toMatchObject({ status: 'answered', score: 4, comment: 'Quick and kind', detractor: false, answeredAt: '2026-03-02T10:00:00.000Z' });
        await expect(t.surveys.respond(survey.id, { score: 1 })).rejects.toBeInstanceOf(StateError);
        expect(await t.surveys.get(survey.id)).toEqual(answered);
        expect(types()).toEqual(['survey.sent', 'survey.answered']);
        await expect(t.surveys.respond('missing', { score: 3 })).rejects.toBeInstanceOf(NotFoundError);
      });

      it('refuses an answer dated before the survey was sent', async () => {
        const { t, ada } = await setup();
        const survey = await t.surveys.send({ kind: 'nps', contactId: ada.id });
        await expect(t.surveys.respond(survey.id, { score: 8, at: '2026-03-01T09:00:00.000Z' })).rejects.toBeInstanceOf(ValidationError);
        expect((await t.surveys.get(survey.id)).status).toBe('sent');
      });

      it('accepts every score of the kind’s scale and rejects every other number with a ValidationError', async () => {
        const { t, ada } = await setup();
        const kind = fc.constantFrom('csat' as const, 'nps' as const);
        const score = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: false }), fc.constantFrom(-1, 0, 1, 5, 6, 10, 11));
        await fc.assert(
          fc.asyncProperty(kind, score, async (k, s) => {
            const survey = await t.surveys.send({ kind: k, contactId: ada.id });
            const { min, max } = surveyScales[k];
            const valid = Number.isInteger(s) && s >= min && s <= max;
            const outcome = await t.surveys.respond(survey.id, { score: s }).then((r) => r, (e: unknown) => e);
            if (valid) {
              expect(outcome).toMatchObject({ status: 'answered', score: s + 0, detractor: k === 'csat' ? s <= 2 : s <= 6 });
            } else {
              expect(outcome).toBeInstanceOf(ValidationError);
              expect((await t.surveys.get(survey.id)).status).toBe('sent');
            }
          }),
          { numRuns: target.name === 'sqlite' ? 120 : 40 },
        );
      }, 60_000);
    });

    describe('the contact’s latest satisfaction', () => {
      it('keeps the latest NPS in satisfaction and the latest CSAT in csat, each with its time', async () => {
        const { t, ada } = await setup();
        const nps = await t.surveys.send({ kind: 'nps', contactId: ada.id });
        const csat = await t.surveys.send({ kind: 'csat', contactId: ada.id });
        await t.surveys.respond(nps.id, { score: 9, at: '2026-03-03T10:00:00.000Z' });
        await t.surveys.respond(csat.id, { score: 2, at: '2026-03-03T11:00:00.000Z' });
        expect(await t.contacts.get(ada.id)).toMatchObject({
          satisfaction: 9, satisfactionAt: '2026-03-03T10:00:00.000Z', csat: 2, csatAt: '2026-03-03T11:00:00.000Z',
        });
      });

      it('lets the latest answer win by answeredAt, not by the order the answers arrive in', async () => {
        const { t, ada } = await setup();
        const answers = fc.array(fc.record({ score: fc.integer({ min: 1, max: 5 }), minutes: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 6 });
        await fc.assert(
          fc.asyncProperty(answers, async (list) => {
            const contact = await t.contacts.create({ firstName: 'Grace' });
            for (const answer of list) {
              const survey = await t.surveys.send({ kind: 'csat', contactId: contact.id });
              await t.surveys.respond(survey.id, { score: answer.score, at: new Date(Date.parse('2026-03-02T09:00:00.000Z') + answer.minutes * 60_000) });
            }
            const latest = Math.max(...list.map((a) => a.minutes));
            const after = await t.contacts.get(contact.id);
            expect(after.csatAt).toBe(new Date(Date.parse('2026-03-02T09:00:00.000Z') + latest * 60_000).toISOString());
            // Answers at the same instant: the one recorded last among them wins.
            expect(after.csat).toBe(list.filter((a) => a.minutes === latest).at(-1)!.score);
          }),
          { numRuns: target.name === 'sqlite' ? 40 : 12 },
        );
        expect((await t.contacts.get(ada.id)).csat).toBeNull();
      }, 60_000);
    });

    describe('detractors', () => {
      it('emits survey.detractor for CSAT 2 and NPS 6 but not for CSAT 3 or NPS 7', async () => {
        const { t, ada, events } = await setup();
        for (const [kind, score] of [['csat', 2], ['csat', 3], ['nps', 6], ['nps', 7]] as const) {
          const survey = await t.surveys.send({ kind, contactId: ada.id });
          await t.surveys.respond(survey.id, { score });
        }
        const detractors = events.filter((e) => e.type === 'survey.detractor').map((e) => (e as CrmEvent<'survey.detractor'>).data.record);
        expect(detractors.map((s) => [s.kind, s.score])).toEqual([['csat', 2], ['nps', 6]]);
      });
    });

    /** A resolved case of Ada's, handled by the agent in a support team that a manager leads. */
    async function resolvedCase() {
      const base = await setup();
      const { t, agent, ada } = base;
      const manager = await t.members.create({ name: 'Manager' });
      const team = await t.teams.create({ name: 'Support', managerId: manager.id });
      await t.members.update(agent.id, { teamIds: [team.id] });
      const ticket = await t.cases.create({ subject: 'Screen flickers', contactId: ada.id, type: 'incident' });
      await t.cases.assign(ticket.id, { ownerId: agent.id, teamId: team.id });
      await t.cases.setStatus(ticket.id, 'resolved');
      return { ...base, manager, team, ticket };
    }

    describe('surveys about a case', () => {
      it('asks the case’s contact about its agent unless told otherwise, and refuses an unknown case', async () => {
        const { t, ada, agent, ticket } = await resolvedCase();
        const survey = await t.surveys.send({ kind: 'csat', caseId: ticket.id }, { idempotencyKey: `csat:${ticket.id}` });
        expect(survey).toMatchObject({ caseId: ticket.id, contactId: ada.id, agentId: agent.id });
        expect((await t.surveys.ofCase(ticket.id)).map((s) => s.id)).toEqual([survey.id]);
        await expect(t.surveys.send({ kind: 'csat', caseId: 'no-such-case' })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'case' });
        const noContact = await t.cases.create({ subject: 'Walk-in' });
        await expect(t.surveys.send({ kind: 'csat', caseId: noContact.id })).rejects.toBeInstanceOf(ValidationError);
      });

      it('keeps the case’s satisfaction at its latest CSAT by answeredAt, whatever order the answers come in', async () => {
        const { t, ticket } = await resolvedCase();
        const first = await t.surveys.send({ kind: 'csat', caseId: ticket.id });
        const second = await t.surveys.send({ kind: 'csat', caseId: ticket.id });
        const nps = await t.surveys.send({ kind: 'nps', caseId: ticket.id });
        await t.surveys.respond(second.id, { score: 5, at: '2026-03-05T09:00:00.000Z' });
        expect((await t.cases.get(ticket.id)).satisfaction).toBe(5);
        await t.surveys.respond(first.id, { score: 3, at: '2026-03-04T09:00:00.000Z' });
        expect((await t.cases.get(ticket.id)).satisfaction).toBe(5);
        await t.surveys.respond(nps.id, { score: 9, at: '2026-03-06T09:00:00.000Z' });
        expect((await t.cases.get(ticket.id)).satisfaction).toBe(5);
        const history = await t.cases.history(ticket.id);
        expect(history.filter((a) => a.kind === 'satisfaction')).toHaveLength(1);
      });

      it('reopens the resolved case of a detractor when the survey says reopen, in the same transaction as the answer', async () => {
        const { t, ticket, events } = await resolvedCase();
        const survey = await t.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'reopen' });
        const answered = await t.surveys.respond(survey.id, { score: 1, comment: 'Still flickers' });
        expect(answered.detractor).toBe(true);
        expect(await t.cases.get(ticket.id)).toMatchObject({ status: 'open', reopenCount: 1, satisfaction: 1 });
        const unit = events.filter((e) => ['survey.answered', 'survey.detractor', 'case.reopened'].includes(e.type));
        expect(unit.map((e) => e.type)).toEqual(['survey.answered', 'survey.detractor', 'case.reopened']);
        expect(new Set(unit.map((e) => e.occurredAt)).size).toBe(1);
      });

      it('leaves the case alone for a promoter, for onDetractor none, and for a case still open', async () => {
        const { t, ticket } = await resolvedCase();
        const promoter = await t.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'reopen' });
        await t.surveys.respond(promoter.id, { score: 5 });
        const quiet = await t.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'none' });
        await t.surveys.respond(quiet.id, { score: 1 });
        expect((await t.cases.get(ticket.id)).status).toBe('resolved');
        await t.cases.reopen(ticket.id);
        const meanwhile = await t.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'reopen' });
        await t.surveys.respond(meanwhile.id, { score: 2 });
        expect(await t.cases.get(ticket.id)).toMatchObject({ status: 'open', reopenCount: 1 });
      });

      it('escalates a detractor to a task for the manager of the case’s team, linked to the case', async () => {
        const { t, ticket, manager } = await resolvedCase();
        const survey = await t.surveys.send({ kind: 'nps', caseId: ticket.id, onDetractor: 'escalate' });
        await t.surveys.respond(survey.id, { score: 3, comment: 'Took a week' });
        const inbox = await t.tasks.inbox(manager.id);
        expect(inbox.items).toEqual([
          expect.objectContaining({ assigneeId: manager.id, priority: 'high', linkedType: 'case', linkedId: ticket.id, description: 'Took a week' }),
        ]);
        expect(inbox.items[0]!.title).toContain(`#${ticket.number}`);
        expect((await t.cases.get(ticket.id)).status).toBe('resolved');
      });

      it('escalates a detractor without a case to the agent’s team manager, about the contact', async () => {
        const { t, ada, agent, manager } = await resolvedCase();
        const survey = await t.surveys.send({ kind: 'csat', contactId: ada.id, agentId: agent.id, onDetractor: 'escalate' });
        await t.surveys.respond(survey.id, { score: 2 });
        expect((await t.tasks.inbox(manager.id)).items).toEqual([expect.objectContaining({ linkedType: 'contact', linkedId: ada.id })]);
      });

      it('still takes the answer of a contact erased since the survey was sent', async () => {
        const { t, ada, ticket } = await resolvedCase();
        const survey = await t.surveys.send({ kind: 'csat', caseId: ticket.id });
        await t.contacts.delete(ada.id);
        await expect(t.surveys.respond(survey.id, { score: 4 })).resolves.toMatchObject({ status: 'answered', score: 4 });
        expect((await t.cases.get(ticket.id)).satisfaction).toBe(4);
      });

      it('joins the caller’s transaction: when it rolls back, no answer, reopen, satisfaction or task stays', async () => {
        const { t, ada, ticket, manager } = await resolvedCase();
        const reopen = await t.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'reopen' });
        const escalate = await t.surveys.send({ kind: 'nps', caseId: ticket.id, onDetractor: 'escalate' });
        const failure = new Error('the host’s own write failed');
        await expect(t.transaction(async (tt) => {
          await tt.surveys.respond(reopen.id, { score: 1 });
          await tt.surveys.respond(escalate.id, { score: 0 });
          expect((await tt.cases.get(ticket.id)).status).toBe('open');
          throw failure;
        })).rejects.toBe(failure);
        expect((await t.surveys.get(reopen.id)).status).toBe('sent');
        expect((await t.surveys.get(escalate.id)).status).toBe('sent');
        expect(await t.cases.get(ticket.id)).toMatchObject({ status: 'resolved', satisfaction: null, reopenCount: 0 });
        expect(await t.contacts.get(ada.id)).toMatchObject({ csat: null, satisfaction: null });
        expect((await t.tasks.inbox(manager.id)).items).toEqual([]);
      });
    });

    describe('tenant isolation', () => {
      it('never lets a tenant read, remind, expire or answer another tenant’s survey', async () => {
        const { t, ada } = await setup();
        const { t: other } = await setup();
        const survey = await t.surveys.send({ kind: 'nps', contactId: ada.id });
        await fc.assert(
          fc.asyncProperty(fc.constantFrom('get', 'remind', 'expire', 'respond', 'ofContact'), async (op) => {
            const attempt =
              op === 'get' ? other.surveys.get(survey.id)
              : op === 'remind' ? other.surveys.remind(survey.id)
              : op === 'expire' ? other.surveys.expire(survey.id)
              : op === 'respond' ? other.surveys.respond(survey.id, { score: 0 })
              : other.surveys.ofContact(ada.id).then((page) => (page.items.length === 0 ? Promise.reject(new NotFoundError('survey', survey.id)) : page));
            await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
          }),
          { numRuns: 10 },
        );
        expect(await t.surveys.get(survey.id)).toEqual(survey);
        expect((await other.surveys.list()).items).toEqual([]);
      });
    });
  });
}
