import {
  createTriggers, type DeliverSurveyParams, type SatisfactionSurveyContext, type SatisfactionSurveyInput, satisfactionSurvey, satisfactionSurveyTriggers,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { day, hour, testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

/**
 * A support team led by Lena; Ada resolves Grace's case. Surveys go out 2
 * hours after resolution, are reminded after 3 days and expire after 7. The
 * host's delivery (`deliverSurvey`) is a spy; the rest are the built-in
 * effects on the CRM's survey service.
 */
async function setUp(input: Partial<SatisfactionSurveyInput> = {}) {
  const delivered = vi.fn((_: { params: DeliverSurveyParams; idempotencyKey: string }) => undefined);
  const base = await testEngine({
    workflows: [satisfactionSurvey],
    actions: { deliverSurvey: (ctx) => delivered({ params: ctx.params as DeliverSurveyParams, idempotencyKey: ctx.idempotencyKey }) },
  });
  const triggers = createTriggers(base.engine, satisfactionSurveyTriggers({ input: { sendAfterHours: 2, remindAfterDays: 3, expireAfterDays: 7, ...input } }), {
    onError: (error) => { throw error; },
  });
  await triggers.runDue();
  const t = base.crm.tenant('acme');
  const lena = await t.members.create({ name: 'Lena', role: 'manager' });
  const team = await t.teams.create({ name: 'Support', managerId: lena.id });
  const ada = await t.members.create({ name: 'Ada', teamIds: [team.id] });
  const grace = await t.contacts.create({ firstName: 'Grace', email: 'grace@example.com' });
  const ticket = await t.cases.create({ subject: 'Cannot log in', contactId: grace.id, ownerId: ada.id, teamId: team.id });
  await t.cases.respond(ticket.id, { body: 'Reset your password here.' });
  await t.cases.setStatus(ticket.id, 'resolved');
  expect(await triggers.runDue()).toMatchObject({ started: 1, failed: 0 });
  const [run] = await base.engine.instancesOf('acme', { type: 'case', id: ticket.id }, 'satisfaction-survey');
  return { ...base, triggers, t, lena, ada, grace, ticket, run: run!, delivered };
}

/** Moves the clock and delivers what is due, then the replies and triggers that follow. */
async function advance(ms: number) {
  env!.clock.advance(ms);
  for (let i = 0; i < 3; i++) await env!.engine.runDue();
  await env!.triggers.runDue();
}
const instance = () => env!.engine.get('acme', env!.run.id);
const surveyId = async () => ((await instance()).context as SatisfactionSurveyContext).surveyId!;

describe('satisfaction-survey sending', () => {
  it('waits after the resolution, then records the survey and has the host deliver it', async () => {
    env = await setUp();
    expect(env.run.state).toBe('scheduled');
    await advance(2 * hour - 1);
    expect(await env.t.surveys.ofCase(env.ticket.id)).toEqual([]);
    await advance(1);
    const [survey] = await env.t.surveys.ofCase(env.ticket.id);
    expect(survey).toMatchObject({ kind: 'csat', status: 'sent', contactId: env.grace.id, agentId: env.ada.id });
    expect(await instance()).toMatchObject({ state: 'awaiting', context: expect.objectContaining({ surveyId: survey!.id }) });
    expect(env.delivered).toHaveBeenCalledExactlyOnceWith({
      params: { surveyId: survey!.id, kind: 'csat', caseId: env.ticket.id, contactId: env.grace.id, reminder: false },
      idempotencyKey: expect.stringContaining(env.run.id),
    });
  });

  it('sends nothing when the case is reopened before the survey goes out', async () => {
    env = await setUp();
    await env.t.cases.reopen(env.ticket.id);
    await advance(hour);
    expect(await instance()).toMatchObject({ state: 'cancelled', status: 'done' });
    await advance(2 * hour);
    expect(await env.t.surveys.ofCase(env.ticket.id)).toEqual([]);
  });
});

describe('satisfaction-survey waiting', () => {
  it('reminds once, then expires an unanswered survey', async () => {
    env = await setUp();
    await advance(2 * hour);
    await advance(3 * day);
    expect(await env.t.surveys.get(await surveyId())).toMatchObject({ status: 'sent', reminderCount: 1 });
    expect(env.delivered.mock.calls.map(([c]) => c.params.reminder)).toEqual([false, true]);
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([expect.objectContaining({ dueAt: new Date(env.clock.now().getTime() + 4 * day).toISOString() })]);
    await advance(4 * day);
    expect(await instance()).toMatchObject({ state: 'expired', status: 'done' });
    expect(await env.t.surveys.get(await surveyId())).toMatchObject({ status: 'expired' });
  });

  it('ends on the answer, with no reminder after it', async () => {
    env = await setUp();
    await advance(2 * hour);
    await env.t.surveys.respond(await surveyId(), { score: 5, comment: 'Quick and kind' });
    await env.triggers.runDue();
    expect(await instance()).toMatchObject({ state: 'answered', status: 'done', context: expect.objectContaining({ score: 5 }) });
    await advance(8 * day);
    expect(env.delivered).toHaveBeenCalledOnce();
  });

  it('does not expire a survey answered while the timer was on its way', async () => {
    env = await setUp({ remindAfterDays: 7 });
    await advance(2 * hour);
    const id = await surveyId();
    await env.t.surveys.respond(id, { score: 4 });
    // The expiry fires before the answer's trigger is read.
    env.clock.advance(7 * day);
    for (let i = 0; i < 3; i++) await env.engine.runDue();
    expect(await env.t.surveys.get(id)).toMatchObject({ status: 'answered', score: 4 });
    expect(await env.engine.deadJobs('acme')).toEqual([]);
  });
});

describe('satisfaction-survey detractors', () => {
  it('ends in detractor on a low score, which the core escalated to the team manager', async () => {
    env = await setUp();
    await advance(2 * hour);
    await env.t.surveys.respond(await surveyId(), { score: 1, comment: 'Still cannot log in' });
    await env.triggers.runDue();
    expect(await instance()).toMatchObject({ state: 'detractor', status: 'done', context: expect.objectContaining({ score: 1 }) });
    expect((await env.t.tasks.inbox(env.lena.id)).items).toHaveLength(1);
  });

  it('reopens the case on a detractor when asked to', async () => {
    env = await setUp({ onDetractor: 'reopen' });
    await advance(2 * hour);
    await env.t.surveys.respond(await surveyId(), { score: 2 });
    await env.triggers.runDue();
    expect((await instance()).state).toBe('detractor');
    expect((await env.t.cases.get(env.ticket.id)).status).toBe('open');
  });
});
