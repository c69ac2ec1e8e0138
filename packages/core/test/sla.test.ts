import { type BusinessCalendarOptions, type CrmEvent, type SlaPolicyInput, type SlaPolicyPatch, type TenantScope, ValidationError } from '@crmkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const minute = 60_000;
const berlin = { timeZone: 'Europe/Berlin', hours: { start: '09:00', end: '17:00' }, holidays: ['2026-03-13'] };
const iso = (at: string, plusMinutes = 0) => new Date(Date.parse(at) + plusMinutes * minute).toISOString();

let open: CrmOnTarget | undefined;
let runs = 0;
afterEach(async () => {
  await open?.crm.close();
  open = undefined;
});

async function setUp(target: (typeof targets)[number]): Promise<CrmOnTarget & { t: TenantScope }> {
  open = await target.open();
  return { ...open, t: open.crm.tenant(`sla-${process.pid}-${++runs}`) };
}

/** The default business-hours policy most tests use: 2 h first response, 1 h next response, 8 h resolution for normal cases. */
const businessPolicy = {
  name: 'Standard', businessHours: true, calendar: berlin,
  targets: { normal: { firstResponseMinutes: 120, nextResponseMinutes: 60, resolutionMinutes: 480 }, high: { firstResponseMinutes: 30, resolutionMinutes: 240 } },
};

describe.each(targets)('SLA policies ($name)', (target) => {
  it.skipIf(target.skip)('apply the first active policy whose conditions match, in the order set', async () => {
    const { t } = await setUp(target);
    const inactive = await t.slaPolicies.create({ name: 'Old', active: false, targets: { normal: { firstResponseMinutes: 5 } } });
    const vip = await t.slaPolicies.create({ name: 'VIP', conditions: { tags: ['vip'], channel: ['email', 'phone'] }, targets: { normal: { firstResponseMinutes: 30 } } });
    const standard = await t.slaPolicies.create(businessPolicy);
    expect([inactive.position, vip.position, standard.position]).toEqual([0, 1, 2]);
    expect((await t.slaPolicies.match({ priority: 'normal', tags: ['vip'], channel: 'email' }))?.id).toBe(vip.id);
    expect((await t.slaPolicies.match({ priority: 'normal', tags: ['vip'], channel: 'chat' }))?.id).toBe(standard.id);
    expect((await t.slaPolicies.match({ priority: 'normal' }))?.id).toBe(standard.id);
    const c = await t.cases.create({ subject: 'Flicker', tags: ['vip'], channel: 'phone' });
    expect(c).toMatchObject({ slaPolicyId: vip.id, firstResponseDueAt: iso('2026-03-02T09:00:00.000Z', 30), resolutionDueAt: null });
    await t.slaPolicies.reorder([standard.id, vip.id, inactive.id]);
    expect((await t.slaPolicies.match({ priority: 'normal', tags: ['vip'], channel: 'email' }))?.id).toBe(standard.id);
    await expect(t.slaPolicies.reorder([standard.id, vip.id])).rejects.toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('compute due times in business hours, across the weekend', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create(businessPolicy);
    clock.set('2026-03-06T15:00:00.000Z'); // Friday 16:00 in Berlin
    const c = await t.cases.create({ subject: 'Late on Friday' });
    // 1 h on Friday, the rest on Monday from 09:00 (08:00 UTC).
    expect(c.firstResponseDueAt).toBe('2026-03-09T09:00:00.000Z');
    expect(c.resolutionDueAt).toBe('2026-03-09T15:00:00.000Z');
    expect(c.sla).toMatchObject({ businessHours: true, calendar: berlin, policyName: 'Standard' });
  });

  it.skipIf(target.skip)('refuse business hours without a calendar and calendars that cannot work', async () => {
    const { t } = await setUp(target);
    await expect(t.slaPolicies.create({ name: 'x', businessHours: true, targets: {} })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.slaPolicies.create({ name: 'x', businessHours: true, calendar: { timeZone: 'Mars/Olympus' }, targets: {} })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.slaPolicies.create({ name: 'x', targets: { normal: { firstResponseMinutes: 0 } } })).rejects.toBeInstanceOf(ValidationError);
    const p = await t.slaPolicies.create({ name: 'x', targets: {} });
    await expect(t.slaPolicies.update(p.id, { businessHours: true })).rejects.toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('take the calendar a business calendar is built from, readonly arrays and all', async () => {
    const { t } = await setUp(target);
    const hours: BusinessCalendarOptions = { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5] as const, holidays: ['2026-03-13'] as const };
    // Checked by tsc: the calendar type every other API uses is a policy calendar as it is.
    hours satisfies NonNullable<SlaPolicyInput['calendar']>;
    hours satisfies NonNullable<SlaPolicyPatch['calendar']>;
    const policy = await t.slaPolicies.create({ name: 'Readonly', businessHours: true, calendar: hours, targets: { normal: { firstResponseMinutes: 60 } } });
    expect(policy.calendar).toEqual(hours);
    expect((await t.slaPolicies.update(policy.id, { calendar: { ...hours, holidays: [] } })).calendar?.holidays).toEqual([]);
  });

  it.skipIf(target.skip)('change only cases opened afterwards: running cases keep the copy they took', async () => {
    const { t } = await setUp(target);
    const policy = await t.slaPolicies.create(businessPolicy);
    const before = await t.cases.create({ subject: 'Before' });
    await t.slaPolicies.update(policy.id, { targets: { normal: { firstResponseMinutes: 60 } } });
    const after = await t.cases.create({ subject: 'After' });
    expect((await t.cases.get(before.id)).firstResponseDueAt).toBe(before.firstResponseDueAt);
    expect((await t.cases.get(before.id)).sla.targets.normal).toEqual(businessPolicy.targets.normal);
    expect(before.firstResponseDueAt).toBe('2026-03-02T11:00:00.000Z');
    expect(after.firstResponseDueAt).toBe('2026-03-02T10:00:00.000Z');
    await t.cases.setStatus(before.id, 'pending');
    await t.cases.setStatus(before.id, 'open');
    expect((await t.cases.get(before.id)).firstResponseDueAt).toBe('2026-03-02T11:00:00.000Z');
  });
});

describe.each(targets)('SLA clocks ($name)', (target) => {
  it.skipIf(target.skip)('pause while pending and resume with the due time recomputed from what is left', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create(businessPolicy);
    const c = await t.cases.create({ subject: 'Pause me' }); // Monday 10:00 Berlin
    expect(c.firstResponseDueAt).toBe('2026-03-02T11:00:00.000Z');
    clock.set('2026-03-02T09:30:00.000Z');
    const paused = await t.cases.setStatus(c.id, 'pending');
    expect(paused).toMatchObject({ firstResponseDueAt: null, resolutionDueAt: null, status: 'pending' });
    clock.set('2026-03-03T09:00:00.000Z'); // Tuesday 10:00 Berlin: 90 of 120 minutes left
    const resumed = await t.cases.setStatus(c.id, 'open');
    expect(resumed.firstResponseDueAt).toBe('2026-03-03T10:30:00.000Z');
    expect(resumed.resolutionDueAt).toBe('2026-03-04T08:30:00.000Z'); // 450 minutes left: Tuesday 10:00 -> 17:00, then 30 on Wednesday
    expect(resumed.pausedMinutes).toBe(23.5 * 60);
    clock.set('2026-03-03T10:00:00.000Z');
    const { record } = await t.cases.respond(c.id, { body: 'Here we go' });
    expect(record).toMatchObject({ firstResponseMinutes: 90, firstResponseBusinessMinutes: 90, firstResponseBreached: false, firstResponseDueAt: null });
  });

  it.skipIf(target.skip)('pause on hold only when the policy says so, and count calendar hours as wall-clock time', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create({ name: 'Hold pauses', conditions: { priority: ['high'] }, pauseOnHold: true, targets: { high: { resolutionMinutes: 60 } } });
    await t.slaPolicies.create({ name: 'Hold runs', targets: { normal: { resolutionMinutes: 60 } } });
    const pausing = await t.cases.create({ subject: 'a', priority: 'high' });
    const running = await t.cases.create({ subject: 'b' });
    clock.advance(10 * minute);
    await t.cases.setStatus(pausing.id, 'on_hold');
    await t.cases.setStatus(running.id, 'on_hold');
    clock.advance(100 * minute);
    const resumed = await t.cases.setStatus(pausing.id, 'open');
    expect(resumed.resolutionDueAt).toBe(iso(clock.now().toISOString(), 50));
    expect((await t.cases.get(running.id)).resolutionDueAt).toBe(running.resolutionDueAt);
    const resolved = await t.cases.setStatus(running.id, 'resolved');
    expect(resolved).toMatchObject({ resolutionMinutes: 110, resolutionBreached: true, pausedMinutes: 0 });
  });

  it.skipIf(target.skip)('measure the next response from the oldest unanswered customer message', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create({ name: 'Chat', targets: { normal: { firstResponseMinutes: 10, nextResponseMinutes: 30 } } });
    const c = await t.cases.create({ subject: 'Chat' });
    clock.advance(5 * minute);
    await t.cases.respond(c.id, { body: 'Hi' });
    clock.advance(5 * minute);
    const waiting = await t.cases.addCustomerMessage(c.id, { body: 'Still broken' });
    expect(waiting.record).toMatchObject({ awaitingSince: clock.now().toISOString(), nextResponseDueAt: iso(clock.now().toISOString(), 30) });
    clock.advance(20 * minute);
    const again = await t.cases.addCustomerMessage(c.id, { body: 'Hello?' });
    expect(again.record.awaitingSince).toBe(waiting.record.awaitingSince);
    clock.advance(25 * minute);
    const late = await t.cases.respond(c.id, { body: 'Sorry' });
    expect(late).toMatchObject({ first: false, record: { awaitingSince: null, nextResponseDueAt: null, nextResponseBreaches: 1 } });
    clock.advance(1 * minute);
    await t.cases.addCustomerMessage(c.id, { body: 'Thanks' });
    clock.advance(10 * minute);
    expect((await t.cases.respond(c.id, { body: 'Welcome' })).record.nextResponseBreaches).toBe(1);
    const responses = (await t.cases.history(c.id)).filter((a) => a.kind === 'response');
    expect(responses.map((r) => [r.target, r.waitMinutes, r.breached])).toEqual([['firstResponse', 5, false], ['nextResponse', 45, true], ['nextResponse', 10, false]]);
  });

  it.skipIf(target.skip)('measure running clocks against the new priority when it changes', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create(businessPolicy);
    const c = await t.cases.create({ subject: 'Escalate me' });
    const changed: CrmEvent[] = [];
    t.events.on('case.slaChanged', (e) => void changed.push(e));
    clock.advance(20 * minute);
    const high = await t.cases.update(c.id, { priority: 'high' });
    // 20 of the high priority's 30 minutes are gone.
    expect(high.firstResponseDueAt).toBe(iso(clock.now().toISOString(), 10));
    expect(high.resolutionDueAt).toBe(iso(clock.now().toISOString(), 220));
    expect(changed).toHaveLength(1);
    expect((await t.cases.history(c.id)).map((a) => a.kind)).toEqual(['opened', 'priority']);
  });

  it.skipIf(target.skip)('record a timer only for the due time the case still has, once', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create({ ...businessPolicy, warnBeforeMinutes: 15 });
    const c = await t.cases.create({ subject: 'Timers' });
    const heard: CrmEvent[] = [];
    t.events.on('case.slaBreached', (e) => void heard.push(e));
    t.events.on('case.slaWarning', (e) => void heard.push(e));
    const firstDue = c.firstResponseDueAt!;
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: iso(firstDue, 1) })).toBe(false);
    await t.cases.setStatus(c.id, 'pending');
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: firstDue })).toBe(false);
    clock.advance(60 * minute);
    const resumed = await t.cases.setStatus(c.id, 'open');
    expect(resumed.firstResponseDueAt).not.toBe(firstDue);
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: firstDue })).toBe(false);
    const due = resumed.firstResponseDueAt!;
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'warning', dueAt: due })).toBe(true);
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'warning', dueAt: due })).toBe(false);
    clock.set(due);
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: due })).toBe(true);
    expect(await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: due })).toBe(false);
    expect((await t.cases.get(c.id)).firstResponseBreached).toBe(true);
    expect(heard.map((e) => [e.type, (e.data as { dueAt: string }).dueAt])).toEqual([['case.slaWarning', due], ['case.slaBreached', due]]);
    await t.cases.respond(c.id, { body: 'Late' });
    const resolutionDue = (await t.cases.get(c.id)).resolutionDueAt!;
    await t.cases.setStatus(c.id, 'resolved');
    expect(await t.cases.recordSlaEvent(c.id, { target: 'resolution', kind: 'breach', dueAt: resolutionDue })).toBe(false);
    expect((await t.cases.history(c.id)).filter((a) => a.kind.startsWith('sla_')).map((a) => [a.kind, a.target])).toEqual([
      ['sla_warning', 'firstResponse'], ['sla_breached', 'firstResponse'],
    ]);
  });
});
