import type { CrmEvent } from '@crmkit/core';
import {
  type CaseSlaContext, type CaseSlaEvent, type CaseSlaTimes, caseSla, caseSlaTriggers, createTriggers, type RecordSlaEventParams, type WorkflowInstance,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hour, minute, testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

const start = new Date('2026-03-02T09:00:00.000Z').getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const at = (offsetMs: number) => iso(start + offsetMs);

/** Due times computed "now" by the core: first response in 1 h, resolution in 8 h, warnings 15 minutes before. */
function times(overrides: Partial<CaseSlaTimes> = {}, now = env?.clock.now().toISOString() ?? at(0)): CaseSlaTimes {
  return { at: now, firstResponseDueAt: at(hour), nextResponseDueAt: null, resolutionDueAt: at(8 * hour), warnBeforeMinutes: 15, ...overrides };
}

/**
 * A support team led by Lena inside a regional office managed by Otto, and a
 * case of that team under the case-sla workflow. `recordSlaEvent` is a spy
 * (the core's `cases.recordSlaEvent` in production); escalation tasks are real.
 */
async function setUp(input: { times?: Partial<CaseSlaTimes>; escalateAfterMinutes?: number | null } = {}) {
  const recorded = vi.fn((_: RecordSlaEventParams) => undefined);
  const base = await testEngine({ workflows: [caseSla], actions: { recordSlaEvent: (ctx) => recorded(ctx.params as RecordSlaEventParams) } });
  const t = base.crm.tenant('acme');
  const otto = await t.members.create({ name: 'Otto', role: 'manager' });
  const lena = await t.members.create({ name: 'Lena', role: 'manager' });
  const office = await t.teams.create({ name: 'EMEA support', managerId: otto.id });
  const team = await t.teams.create({ name: 'Tier 1', managerId: lena.id, parentTeamId: office.id });
  const run = await base.engine.start('acme', 'case-sla', {
    input: { caseId: 'case-1', number: 42, teamId: team.id, times: times(input.times, at(0)), ...('escalateAfterMinutes' in input ? { escalateAfterMinutes: input.escalateAfterMinutes } : {}) },
  });
  return { ...base, t, otto, lena, team, run, recorded };
}

const send = (event: CaseSlaEvent) => env!.engine.send('acme', env!.run.id, event);
const current = () => env!.engine.get('acme', env!.run.id);
/** The state of each region: `{ firstResponse: { running: 'waiting' }, ..., escalation: 'none' }`. */
const regions = (instance: WorkflowInstance) => JSON.parse(instance.state.replace(/^open\./, '')) as Record<string, unknown>;
const context = async () => (await current()).context as CaseSlaContext;
/** Pending timers as `<delay name> at <due>`, soonest first (warning before breach at the same time). */
const timers = async () => (await pendingTimers(env!.crm, env!.run.id))
  .map((t) => ({ name: /^xstate\.after\.([^.]+)\./.exec(t.event)?.[1] ?? t.event, dueAt: t.dueAt }))
  .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || Number(a.name.endsWith('Breach')) - Number(b.name.endsWith('Breach')))
  .map((t) => `${t.name} at ${t.dueAt}`);
/** Moves the clock and delivers everything due (timers, then the effects they produced). */
async function advance(ms: number) {
  env!.clock.advance(ms);
  await env!.engine.runDue();
  await env!.engine.runDue();
}
const tasks = async () => (await env!.t.tasks.list({ orderBy: { createdAt: 'asc' } })).items;

describe('case-sla timers', () => {
  it('arms a warning before each due time and nothing for a target without one', async () => {
    env = await setUp();
    expect(regions(env.run)).toEqual({ firstResponse: { running: 'waiting' }, nextResponse: 'off', resolution: { running: 'waiting' }, escalation: 'none' });
    expect(await timers()).toEqual([
      `firstResponseWarning at ${at(45 * minute)}`, `firstResponseBreach at ${at(hour)}`,
      `resolutionWarning at ${at(8 * hour - 15 * minute)}`, `resolutionBreach at ${at(8 * hour)}`,
    ]);
  });

  it('records the warning, then the breach at the due time, each with the due time it was armed for', async () => {
    env = await setUp();
    await advance(45 * minute - 1);
    expect(env.recorded).not.toHaveBeenCalled();
    await advance(1);
    expect(env.recorded).toHaveBeenCalledExactlyOnceWith({ caseId: 'case-1', target: 'firstResponse', kind: 'warning', dueAt: at(hour) });
    expect(await timers()).toEqual([`firstResponseBreach at ${at(hour)}`, `resolutionWarning at ${at(8 * hour - 15 * minute)}`, `resolutionBreach at ${at(8 * hour)}`]);
    await advance(15 * minute);
    expect(env.recorded).toHaveBeenLastCalledWith({ caseId: 'case-1', target: 'firstResponse', kind: 'breach', dueAt: at(hour) });
    expect(await context()).toMatchObject({ warnings: 1, breaches: 1, escalationLevel: 1, escalatedFor: 'firstResponse' });
  });

  it('goes straight to the breach without a warning window, or when armed already past due', async () => {
    env = await setUp({ times: { warnBeforeMinutes: null } });
    await advance(hour);
    expect(env.recorded.mock.calls.map(([p]) => `${p.target} ${p.kind}`)).toEqual(['firstResponse breach']);
    await send({ type: 'sla.updated', ...times({ nextResponseDueAt: at(30 * minute), warnBeforeMinutes: 15 }) });
    await advance(0);
    expect(env.recorded.mock.calls.map(([p]) => `${p.target} ${p.kind}`)).toEqual(['firstResponse breach', 'nextResponse breach']);
  });
});

describe('case-sla pause and resume', () => {
  it('cancels the timers of a paused target and re-arms them for the due time it resumes with', async () => {
    env = await setUp();
    env.clock.advance(20 * minute);
    await send({ type: 'statusChanged', status: 'pending', ...times({ firstResponseDueAt: null, resolutionDueAt: null }) });
    expect(regions(await current())).toMatchObject({ firstResponse: 'off', resolution: 'off' });
    expect(await timers()).toEqual([]);
    env.clock.advance(2 * hour);
    // Resumed: the core moved the due times by the paused two hours.
    await send({ type: 'statusChanged', status: 'open', ...times({ firstResponseDueAt: at(3 * hour), resolutionDueAt: at(10 * hour) }) });
    expect(await timers()).toEqual([
      `firstResponseWarning at ${at(3 * hour - 15 * minute)}`, `firstResponseBreach at ${at(3 * hour)}`,
      `resolutionWarning at ${at(10 * hour - 15 * minute)}`, `resolutionBreach at ${at(10 * hour)}`,
    ]);
    await advance(30 * minute);
    expect(env.recorded).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ target: 'firstResponse', kind: 'warning', dueAt: at(3 * hour) }));
  });

  it('leaves the timers of a target whose due time did not move, so nothing is recorded twice', async () => {
    env = await setUp();
    await advance(50 * minute);
    expect(env.recorded).toHaveBeenCalledTimes(1);
    await send({ type: 'sla.updated', ...times({ resolutionDueAt: at(4 * hour) }) });
    expect(regions(await current())).toMatchObject({ firstResponse: { running: 'warned' }, resolution: { running: 'waiting' } });
    expect(await timers()).toEqual([`firstResponseBreach at ${at(hour)}`, `resolutionWarning at ${at(4 * hour - 15 * minute)}`, `resolutionBreach at ${at(4 * hour)}`]);
    await advance(0);
    expect(env.recorded).toHaveBeenCalledTimes(1);
  });

  it('stops a target once it is reached, and arms the next response on each customer message', async () => {
    env = await setUp();
    env.clock.advance(30 * minute);
    await send({ type: 'sla.updated', ...times({ firstResponseDueAt: null }) });
    env.clock.advance(hour);
    await send({ type: 'sla.updated', ...times({ firstResponseDueAt: null, nextResponseDueAt: at(3 * hour + 30 * minute) }) });
    expect(await timers()).toEqual([
      `nextResponseWarning at ${at(3 * hour + 15 * minute)}`, `nextResponseBreach at ${at(3 * hour + 30 * minute)}`,
      `resolutionWarning at ${at(8 * hour - 15 * minute)}`, `resolutionBreach at ${at(8 * hour)}`,
    ]);
    expect(regions(await current())).toMatchObject({ firstResponse: 'off', nextResponse: { running: 'waiting' } });
  });
});

describe('case-sla escalation', () => {
  it('escalates a breach to the team lead, then to the manager above after the further delay', async () => {
    env = await setUp({ escalateAfterMinutes: 60 });
    await advance(hour);
    expect(await tasks()).toEqual([expect.objectContaining({
      title: 'Escalation level 1: Case #42 breached its first response SLA', assigneeId: env.lena.id, priority: 'high', tags: ['workflow:case-sla'],
    })]);
    expect(await timers()).toContain(`escalation at ${at(2 * hour)}`);
    await advance(hour);
    expect((await tasks()).map((task) => [task.title, task.assigneeId, task.priority])).toEqual([
      ['Escalation level 1: Case #42 breached its first response SLA', env.lena.id, 'high'],
      ['Escalation level 2: Case #42 breached its first response SLA, still unresolved after 60 minutes', env.otto.id, 'urgent'],
    ]);
    expect(await context()).toMatchObject({ escalationLevel: 2 });
  });

  it('escalates once per episode: a further breach while escalated adds no task', async () => {
    env = await setUp({ escalateAfterMinutes: null });
    await advance(hour);
    await send({ type: 'sla.updated', ...times({ firstResponseDueAt: null, nextResponseDueAt: at(hour + 10 * minute) }) });
    await advance(10 * minute);
    expect(env.recorded.mock.calls.filter(([p]) => p.kind === 'breach')).toHaveLength(2);
    expect(await tasks()).toHaveLength(1);
    expect((await timers()).filter((timer) => timer.startsWith('escalation'))).toEqual([]);
  });

  it('stops escalating when the case is resolved, and escalates anew after a reopen', async () => {
    env = await setUp();
    await advance(hour);
    await send({ type: 'statusChanged', status: 'resolved', ...times({ firstResponseDueAt: null, resolutionDueAt: null }) });
    expect(regions(await current())).toMatchObject({ escalation: 'none', resolution: 'off' });
    expect(await timers()).toEqual([]);
    env.clock.advance(24 * hour);
    // Reopened: the resolution clock runs again, with the due time the core gives it.
    await send({ type: 'reopened', ...times({ firstResponseDueAt: null, resolutionDueAt: at(30 * hour), warnBeforeMinutes: 0 }) });
    expect(await context()).toMatchObject({ reopens: 1, escalationLevel: 0 });
    expect(await timers()).toEqual([`resolutionWarning at ${at(30 * hour)}`, `resolutionBreach at ${at(30 * hour)}`]);
    await advance(6 * hour);
    expect(env.recorded).toHaveBeenLastCalledWith({ caseId: 'case-1', target: 'resolution', kind: 'breach', dueAt: at(30 * hour) });
    expect((await tasks()).map((task) => task.title)).toEqual([
      'Escalation level 1: Case #42 breached its first response SLA',
      'Escalation level 1: Case #42 breached its resolution SLA',
    ]);
  });

  it('escalates by hand on request', async () => {
    env = await setUp();
    await send({ type: 'escalate' });
    await env.engine.runDue();
    expect((await tasks()).map((task) => [task.title, task.assigneeId])).toEqual([['Escalation level 1: Case #42 was escalated', env.lena.id]]);
  });
});

describe('case-sla end', () => {
  it('ends when the case is closed, dropping every timer', async () => {
    env = await setUp();
    expect(await send({ type: 'closed' })).toMatchObject({ state: 'closed', status: 'done' });
    expect(await timers()).toEqual([]);
  });

  it('ends on a status change to closed too', async () => {
    env = await setUp();
    expect(await send({ type: 'statusChanged', status: 'closed', ...times({ firstResponseDueAt: null, resolutionDueAt: null }) })).toMatchObject({ status: 'done' });
  });
});

/** A help desk on the CRM's services: a policy (normal priority: first response 1 h, resolution 8 h, warnings 15 minutes before), the case-sla triggers, a team led by Lena under Otto. */
async function desk() {
  const base = await testEngine({ workflows: [caseSla] });
  const triggers = createTriggers(base.engine, caseSlaTriggers({ escalateAfterMinutes: 60 }), { onError: (error) => { throw error; } });
  await triggers.runDue();
  const t = base.crm.tenant('acme');
  await t.slaPolicies.create({ name: 'Standard', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } }, warnBeforeMinutes: 15 });
  const otto = await t.members.create({ name: 'Otto', role: 'manager' });
  const lena = await t.members.create({ name: 'Lena', role: 'manager' });
  const office = await t.teams.create({ name: 'EMEA support', managerId: otto.id });
  const team = await t.teams.create({ name: 'Tier 1', managerId: lena.id, parentTeamId: office.id });
  const grace = await t.contacts.create({ firstName: 'Grace', email: 'grace@example.com' });
  const events: CrmEvent[] = [];
  base.crm.onAnyEvent((event) => {
    if (event.type === 'case.slaWarning' || event.type === 'case.slaBreached') events.push(event);
  });
  const ticket = await t.cases.create({ subject: 'Printer on fire', contactId: grace.id, teamId: team.id });
  await triggers.runDue();
  const [run] = await base.engine.instancesOf('acme', { type: 'case', id: ticket.id }, 'case-sla');
  const sla = { ...base, triggers, t, otto, lena, team, ticket, run: run!, events };
  /** Moves the clock, then runs what is due and the triggers that follow, until nothing is left. */
  const step = async (ms: number) => {
    sla.clock.advance(ms);
    for (let i = 0; i < 3; i++) {
      await sla.engine.runDue();
      await sla.triggers.runDue();
    }
  };
  return { ...sla, step };
}

const slaEvents = (events: CrmEvent[]) => events.map((e) => `${e.type} ${(e.data as { target: string }).target}`);

describe('case-sla through the CRM services', () => {
  it('starts with the case, warns and breaches through cases.recordSlaEvent, and escalates up the team hierarchy', async () => {
    const d = await desk();
    expect(await pendingTimers(d.crm, d.run.id)).toHaveLength(4);
    await d.step(45 * minute);
    expect(slaEvents(d.events)).toEqual(['case.slaWarning firstResponse']);
    await d.step(15 * minute);
    expect(slaEvents(d.events)).toEqual(['case.slaWarning firstResponse', 'case.slaBreached firstResponse']);
    expect(await d.t.cases.get(d.ticket.id)).toMatchObject({ firstResponseBreached: true });
    await d.step(hour);
    const tasks = (await d.t.tasks.list({ where: { linkedId: d.ticket.id }, orderBy: { createdAt: 'asc' } })).items;
    expect(tasks.map((task) => [task.assigneeId, task.priority])).toEqual([[d.lena.id, 'high'], [d.otto.id, 'urgent']]);
    expect(await d.engine.deadJobs('acme')).toEqual([]);
  });

  it('stops the first-response timers on the first response, and pauses and resumes the resolution clock', async () => {
    const d = await desk();
    await d.step(10 * minute);
    await d.t.cases.respond(d.ticket.id, { body: 'Unplug it, please.' });
    await d.step(0);
    expect((await pendingTimers(d.crm, d.run.id)).map((timer) => timer.dueAt)).toEqual([at(8 * hour - 15 * minute), at(8 * hour)]);
    await d.t.cases.setStatus(d.ticket.id, 'pending');
    await d.step(0);
    expect(await pendingTimers(d.crm, d.run.id)).toEqual([]);
    await d.step(2 * hour);
    await d.t.cases.setStatus(d.ticket.id, 'open');
    await d.step(0);
    const resumed = await d.t.cases.get(d.ticket.id);
    // Due at 17:00, paused two hours: 19:00.
    expect(resumed.resolutionDueAt).toBe(at(10 * hour));
    expect((await pendingTimers(d.crm, d.run.id)).map((timer) => timer.dueAt)).toEqual([at(10 * hour - 15 * minute), at(10 * hour)]);
    await d.step(8 * hour);
    expect(slaEvents(d.events)).toEqual(['case.slaWarning resolution', 'case.slaBreached resolution']);
  });

  it('ends with the closed case', async () => {
    const d = await desk();
    await d.t.cases.setStatus(d.ticket.id, 'resolved');
    await d.t.cases.setStatus(d.ticket.id, 'closed');
    await d.step(0);
    expect(await d.engine.get('acme', d.run.id)).toMatchObject({ state: 'closed', status: 'done' });
  });
});
