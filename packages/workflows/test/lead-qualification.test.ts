import { type AssignmentStrategy, builtinEffects, businessCalendar, type LeadQualificationEvent, type LeadQualificationInput, leadQualification, type ScoringRule, scoreLead } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { hour, minute, testEngine } from './helpers.js';
import { pendingTimers, salesTeam } from './sales-fixtures.js';

const rules: ScoringRule[] = [
  { field: 'title', contains: 'head', points: 20 },
  { field: 'employees', gte: 200, points: 40 },
  { field: 'source', equals: 'referral', points: 30 },
];
const thresholds = { mql: 40, sql: 70 };

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

async function setUp() {
  const base = await testEngine({ workflows: [leadQualification], calendar: businessCalendar({ timeZone: 'Europe/Berlin' }) });
  return { ...base, ...(await salesTeam(base.crm)) };
}

/** Sends a typed event to an instance. */
const send = (instanceId: string, event: LeadQualificationEvent) => env!.engine.send('acme', instanceId, event);

/** Creates a lead contact and starts its qualification. */
async function newLead(fields: Record<string, unknown>, strategy: AssignmentStrategy = 'round-robin', escalateAfterHours = 4) {
  const { t, engine, team } = env!;
  const contact = await t.contacts.create({ firstName: 'Lea', lastName: 'Lead' });
  const input: LeadQualificationInput = { contactId: contact.id, lead: fields, rules, thresholds, assignment: { teamId: team.id, strategy }, escalateAfterHours };
  const run = await engine.start('acme', 'lead-qualification', { subject: { type: 'contact', id: contact.id }, input });
  return { contact, run };
}

describe('scoring', () => {
  it('adds the points of the rules a lead matches', () => {
    expect(scoreLead({ title: 'Head of IT', employees: 250, source: 'web' }, rules)).toBe(60);
    expect(scoreLead({ tags: ['VIP'] }, [{ field: 'tags', contains: 'vip', points: 5 }])).toBe(5);
    expect(scoreLead({ custom: { budget: 10_000 } }, [{ field: 'custom.budget', gte: 5000, points: 15 }])).toBe(15);
  });

  it('promotes a high-scoring lead straight to SQL and assigns it', async () => {
    env = await setUp();
    const { contact, run } = await newLead({ employees: 500, source: 'referral' });
    expect(run).toMatchObject({ state: 'qualified.awaitingContact', context: expect.objectContaining({ score: 70, stage: 'sql' }) });
    await env.engine.runDue();
    expect(await env.t.contacts.get(contact.id)).toMatchObject({ lifecycleStage: 'sql', ownerId: env.ada.id });
    const tasks = (await env.t.tasks.list({ where: { linkedId: contact.id } })).items;
    // The stage update is effect 0 of the first transition, the assignment effect 1: its key is on the task.
    expect(tasks).toEqual([expect.objectContaining({ title: 'Contact the new lead (SQL, score 70)', assigneeId: env.ada.id, custom: {}, idempotencyKey: `${run.id}:1:1` })]);
  });

  it('keeps a low-scoring lead in nurturing until an update makes it an MQL', async () => {
    env = await setUp();
    const { contact, run } = await newLead({ title: 'Head of IT' });
    expect(run.state).toBe('nurturing');
    expect(await pendingTimers(env.crm, run.id)).toEqual([]);
    const updated = await send(run.id, { type: 'leadUpdated', fields: { employees: 250 } });
    expect(updated).toMatchObject({ state: 'qualified.awaitingContact', context: expect.objectContaining({ score: 60, stage: 'mql' }) });
    await env.engine.runDue();
    expect(await env.t.contacts.get(contact.id)).toMatchObject({ lifecycleStage: 'mql', ownerId: env.ada.id });
  });

  it('promotes an assigned MQL to SQL without assigning it again', async () => {
    env = await setUp();
    const { contact, run } = await newLead({ employees: 250 });
    await env.engine.runDue();
    const updated = await send(run.id, { type: 'leadUpdated', fields: { source: 'referral' } });
    expect(updated).toMatchObject({ state: 'qualified.awaitingContact', context: expect.objectContaining({ score: 70, stage: 'sql' }) });
    await env.engine.runDue();
    expect(await env.t.contacts.get(contact.id)).toMatchObject({ lifecycleStage: 'sql', ownerId: env.ada.id });
    expect((await env.t.tasks.list({ where: { linkedId: contact.id } })).items).toHaveLength(1);
  });
});

describe('assignment', () => {
  it('hands leads round-robin to the active members of the team', async () => {
    env = await setUp();
    const owners: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const { contact } = await newLead({ employees: 300 });
      await env.engine.runDue();
      owners.push((await env.t.contacts.get(contact.id)).ownerId);
    }
    // Cleo is inactive and is skipped.
    expect(owners).toEqual([env.ada.id, env.bob.id, env.ada.id]);
  });

  it('hands a lead to the member with the fewest open tasks', async () => {
    env = await setUp();
    await env.t.tasks.create({ title: 'Call back', assigneeId: env.ada.id });
    await env.t.tasks.create({ title: 'Send quote', assigneeId: env.ada.id });
    const done = await env.t.tasks.create({ title: 'Old', assigneeId: env.bob.id });
    await env.t.tasks.complete(done.id);
    const { contact } = await newLead({ employees: 300 }, 'least-busy');
    await env.engine.runDue();
    expect((await env.t.contacts.get(contact.id)).ownerId).toBe(env.bob.id);
  });

  it('keeps the member of an earlier attempt when an assignment job is retried', async () => {
    env = await setUp();
    const { t, team, clock } = env;
    const contact = await t.contacts.create({ firstName: 'Rita', lastName: 'Retry' });
    const job = {
      tenant: t, tenantId: 'acme', instanceId: 'i1', workflowId: 'lead-qualification', subject: { type: 'contact', id: contact.id },
      params: { teamId: team.id, strategy: 'round-robin' }, idempotencyKey: 'i1:1:1', attempt: 1, now: clock.now(),
    };
    await builtinEffects.assignLead!(job);
    // Round-robin alone would now pick Bob; the retry finds its own task and keeps Ada.
    await builtinEffects.assignLead!({ ...job, attempt: 2 });
    expect((await t.contacts.get(contact.id)).ownerId).toBe(env.ada.id);
    expect((await t.tasks.list({ where: { linkedId: contact.id } })).items).toHaveLength(1);
  });
});

describe('escalation', () => {
  it('gives the team manager a task when nobody touches the lead within the business hours', async () => {
    env = await setUp();
    // Friday 15:00 in Berlin: 2 working hours on Friday, 2 on Monday morning.
    env.clock.set('2026-03-06T14:00:00.000Z');
    const { contact, run } = await newLead({ employees: 300 });
    expect(await pendingTimers(env.crm, run.id)).toEqual([{ event: 'xstate.after.escalation.lead-qualification.qualified.awaitingContact', dueAt: '2026-03-09T10:00:00.000Z' }]);
    await env.engine.runDue();
    env.clock.set('2026-03-09T09:59:00.000Z');
    expect(await env.engine.runDue()).toMatchObject({ timersFired: 0 });
    env.clock.advance(minute);
    expect(await env.engine.runDue()).toMatchObject({ timersFired: 1 });
    expect((await env.engine.get('acme', run.id)).state).toBe('qualified.escalated');
    await env.engine.runDue();
    const escalations = (await env.t.tasks.inbox(env.max.id)).items;
    expect(escalations).toEqual([expect.objectContaining({
      title: 'Lead not contacted within 4 business hours', priority: 'high', linkedType: 'contact', linkedId: contact.id,
      custom: {}, idempotencyKey: `${run.id}:2:0`,
    })]);
    expect((await send(run.id, { type: 'touched' })).status).toBe('done');
  });

  it('stops the escalation clock when the lead is touched', async () => {
    env = await setUp();
    const { run } = await newLead({ employees: 300 });
    await env.engine.runDue();
    env.clock.advance(1 * hour);
    expect(await send(run.id, { type: 'touched', by: env.ada.id })).toMatchObject({ state: 'worked', status: 'done' });
    expect(await pendingTimers(env.crm, run.id)).toEqual([]);
    env.clock.advance(3 * 24 * hour);
    await env.engine.runDue();
    expect((await env.t.tasks.inbox(env.max.id)).items).toEqual([]);
  });

  it('ends without assignment when the lead is disqualified', async () => {
    env = await setUp();
    const { run } = await newLead({ title: 'Student' });
    expect(await send(run.id, { type: 'disqualified', reason: 'not a buyer' })).toMatchObject({ state: 'disqualified', status: 'done' });
  });
});
