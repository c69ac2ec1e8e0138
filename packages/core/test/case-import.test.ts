import { type CasePriority, type TicketImport, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const minute = 60_000;
const holidays = ['2026-03-27', '2026-04-03'];
// Business hours in Berlin; the tickets span the change to summer time on 29 March 2026.
const calendar = { timeZone: 'Europe/Berlin', hours: { start: '09:00', end: '17:00' }, holidays };
const policyTargets = {
  low: { firstResponseMinutes: 480, nextResponseMinutes: 240, resolutionMinutes: 2400 },
  normal: { firstResponseMinutes: 120, nextResponseMinutes: 60, resolutionMinutes: 960 },
  high: { firstResponseMinutes: 30, nextResponseMinutes: 30, resolutionMinutes: 480 },
  urgent: { firstResponseMinutes: 15, nextResponseMinutes: 15, resolutionMinutes: 240 },
};

let open: CrmOnTarget | undefined;
afterEach(async () => {
  await open?.crm.close();
  open = undefined;
});

// ---------------------------------------------------------------------------------------------
// The independent computation: nothing below uses crmkit. Working time is found minute by minute
// with Intl, paused time by subtracting the raw spans, waits by walking the raw messages.
// ---------------------------------------------------------------------------------------------
const berlinParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const workingHour = new Map<number, boolean>();
/** Whether the minute starting at `at` is inside Berlin working hours (whole hours, so one answer per UTC hour). */
function isWorkingMinute(at: number): boolean {
  const key = Math.floor(at / 3_600_000);
  let working = workingHour.get(key);
  if (working === undefined) {
    const p = Object.fromEntries(berlinParts.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
    const hour = Number(p.hour);
    working = !['Sat', 'Sun'].includes(p.weekday!) && !holidays.includes(`${p.year}-${p.month}-${p.day}`) && hour >= 9 && hour < 17;
    workingHour.set(key, working);
  }
  return working;
}

interface Span { from: number; to: number; status: 'pending' | 'on_hold' }
interface RawTicket {
  priority: CasePriority;
  pauseOnHold: boolean;
  openedAt: number;
  messages: { from: 'agent' | 'customer'; at: number }[];
  spans: Span[];
  resolvedAt: number | null;
}

/** Calendar and working minutes in [from, to) outside the paused spans. */
function activeMinutes(ticket: RawTicket, from: number, to: number): { calendar: number; business: number } {
  let calendar = 0;
  let business = 0;
  for (let at = from; at < to; at += minute) {
    if (ticket.spans.some((s) => (s.status === 'pending' || ticket.pauseOnHold) && at >= s.from && at < s.to)) continue;
    calendar++;
    if (isWorkingMinute(at)) business++;
  }
  return { calendar, business };
}

function expectedFigures(ticket: RawTicket) {
  const target = policyTargets[ticket.priority];
  const firstResponse = ticket.messages.find((m) => m.from === 'agent');
  const fr = firstResponse ? activeMinutes(ticket, ticket.openedAt, firstResponse.at) : null;
  const resolution = ticket.resolvedAt === null ? null : activeMinutes(ticket, ticket.openedAt, ticket.resolvedAt);
  let firstResponseBreached: boolean | null = fr ? fr.business > target.firstResponseMinutes : null;
  if (!fr && resolution && resolution.business > target.firstResponseMinutes) firstResponseBreached = true;
  const waits: { calendar: number; business: number; breached: boolean }[] = [];
  let awaiting: number | null = null;
  for (const m of ticket.messages) {
    if (!firstResponse || m.at <= firstResponse.at) continue;
    if (m.from === 'customer' && awaiting === null) awaiting = m.at;
    if (m.from === 'agent' && awaiting !== null) {
      const wait = activeMinutes(ticket, awaiting, m.at);
      waits.push({ ...wait, breached: wait.business > target.nextResponseMinutes });
      awaiting = null;
    }
  }
  const paused = ticket.spans.filter((s) => s.status === 'pending' || ticket.pauseOnHold).reduce((sum, s) => sum + (s.to - s.from) / minute, 0);
  return {
    firstResponseMinutes: fr?.calendar ?? null,
    firstResponseBusinessMinutes: fr?.business ?? null,
    firstResponseBreached,
    resolutionMinutes: resolution?.calendar ?? null,
    resolutionBusinessMinutes: resolution?.business ?? null,
    resolutionBreached: resolution ? resolution.business > target.resolutionMinutes : null,
    nextResponseBreaches: waits.filter((w) => w.breached).length,
    pausedMinutes: paused,
    waits,
  };
}

// A ticket is a chronological walk: messages and waits (each an atomic span) with gaps of minutes, hours or days.
const gap = fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 2 * 24 * 60 }));
const step = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('agent' as const, 'customer' as const), gap }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('pending' as const, 'on_hold' as const), gap, length: fc.integer({ min: 1, max: 3 * 24 * 60 }) }) },
);
const rawTicket: fc.Arbitrary<RawTicket> = fc
  .record({
    priority: fc.constantFrom<CasePriority>('low', 'normal', 'high', 'urgent'),
    pauseOnHold: fc.boolean(),
    // Minutes from Monday 2026-03-16 00:00 UTC over two weeks.
    openMinute: fc.integer({ min: 0, max: 14 * 24 * 60 }),
    steps: fc.array(step, { maxLength: 10 }),
    resolution: fc.option(gap, { nil: null }),
  })
  .map(({ priority, pauseOnHold, openMinute, steps, resolution }) => {
    const openedAt = Date.UTC(2026, 2, 16) + openMinute * minute;
    let at = openedAt;
    const messages: RawTicket['messages'] = [];
    const spans: Span[] = [];
    for (const s of steps) {
      at += s.gap * minute;
      if (!('length' in s)) messages.push({ from: s.kind, at });
      else {
        spans.push({ from: at, to: at + s.length * minute, status: s.kind });
        at += s.length * minute;
      }
    }
    return { priority, pauseOnHold, openedAt, messages, spans, resolvedAt: resolution === null ? null : at + resolution * minute };
  });

const isoOf = (ms: number) => new Date(ms).toISOString();
function toImport(ticket: RawTicket, index: number, contactId: string): TicketImport {
  return {
    externalId: `legacy-${index}`, subject: `Ticket ${index}`, contactId, priority: ticket.priority, tags: [ticket.pauseOnHold ? 'hold-pauses' : 'hold-runs'],
    openedAt: isoOf(ticket.openedAt),
    messages: ticket.messages.map((m) => ({ from: m.from, at: isoOf(m.at), body: `${m.from} at ${isoOf(m.at)}` })),
    pendingSpans: ticket.spans.map((s) => ({ from: isoOf(s.from), to: isoOf(s.to), status: s.status })),
    resolvedAt: ticket.resolvedAt === null ? null : isoOf(ticket.resolvedAt),
  };
}

describe.each(targets)('importing ticket history ($name)', (target) => {
  it.skipIf(target.skip)('stores the SLA figures an independent computation from the raw timestamps gives', async () => {
    open = await target.open();
    const t = open.crm.tenant('importer');
    for (const pauseOnHold of [true, false]) {
      await t.slaPolicies.create({ name: `hold ${pauseOnHold}`, conditions: { tags: [pauseOnHold ? 'hold-pauses' : 'hold-runs'] }, businessHours: true, calendar, pauseOnHold, targets: policyTargets });
    }
    const contact = await t.contacts.create({ firstName: 'Legacy', email: 'legacy@example.com' });
    const tickets = fc.sample(rawTicket, { seed: 9, numRuns: 50 });
    // The sample is worth checking: it holds met and breached targets, next responses and paused time.
    const all = tickets.map(expectedFigures);
    expect(new Set(all.map((f) => f.firstResponseBreached))).toEqual(new Set([true, false, null]));
    expect(new Set(all.map((f) => f.resolutionBreached))).toEqual(new Set([true, false, null]));
    expect(new Set(all.flatMap((f) => f.waits.map((w) => w.breached)))).toEqual(new Set([true, false]));
    expect(all.some((f) => f.pausedMinutes > 0)).toBe(true);
    for (const [index, ticket] of tickets.entries()) {
      const c = await t.cases.import(toImport(ticket, index, contact.id));
      const { waits, ...figures } = expectedFigures(ticket);
      expect({ index, ...pickFigures(c) }).toEqual({ index, ...figures });
      const nextResponses = (await t.cases.history(c.id)).filter((a) => a.kind === 'response' && a.target === 'nextResponse');
      expect(nextResponses.map((a) => ({ calendar: a.waitMinutes, business: a.businessWaitMinutes, breached: a.breached }))).toEqual(waits);
      // A response or a wait opens a new case; every wait has ended.
      const worked = ticket.messages.some((m) => m.from === 'agent') || ticket.spans.length > 0;
      expect(c.status).toBe(ticket.resolvedAt !== null ? 'resolved' : worked ? 'open' : 'new');
    }
  }, 120_000);

  it.skipIf(target.skip)('gives the same figures as the same history happening live', async () => {
    open = await target.open();
    const { clock } = open;
    const t = open.crm.tenant('twins');
    await t.slaPolicies.create({ name: 'Standard', businessHours: true, calendar, pauseOnHold: true, targets: policyTargets });
    const ticket = fc.sample(rawTicket.filter((r) => r.resolvedAt !== null && r.messages.length >= 3 && r.spans.length >= 1), { seed: 3, numRuns: 1 })[0]!;
    const imported = await t.cases.import({ ...toImport(ticket, 0, (await t.contacts.create({ firstName: 'A' })).id), tags: [] });
    clock.set(isoOf(ticket.openedAt));
    const live = await t.cases.create({ subject: 'Live', priority: ticket.priority });
    const steps = [
      ...ticket.messages.map((m) => ({ at: m.at, run: () => (m.from === 'agent' ? t.cases.respond(live.id, { body: 'a' }) : t.cases.addCustomerMessage(live.id, { body: 'c' })) })),
      ...ticket.spans.flatMap((s) => [{ at: s.from, run: () => t.cases.setStatus(live.id, s.status) }, { at: s.to, run: () => t.cases.setStatus(live.id, 'open') }]),
      { at: ticket.resolvedAt!, run: () => t.cases.setStatus(live.id, 'resolved') },
    ].sort((a, b) => a.at - b.at);
    for (const s of steps) {
      clock.set(isoOf(s.at));
      await s.run();
    }
    expect(pickFigures(await t.cases.get(live.id))).toEqual(pickFigures(imported));
  });

  it.skipIf(target.skip)('imports a ticket once per external id, with its messages on the contact timeline', async () => {
    open = await target.open();
    const t = open.crm.tenant('again');
    const contact = await t.contacts.create({ firstName: 'Ada' });
    const ticket: TicketImport = {
      externalId: 'zd-1', subject: 'Hinge', contactId: contact.id, openedAt: '2026-02-02T09:00:00Z',
      messages: [{ from: 'customer', at: '2026-02-02T09:00:00Z', body: 'Broken' }, { from: 'agent', at: '2026-02-02T09:30:00Z', body: 'On it' }],
      resolvedAt: '2026-02-03T10:00:00Z',
    };
    const first = await t.cases.import(ticket);
    const second = await t.cases.import(ticket);
    expect(second).toEqual(first);
    expect((await t.cases.list()).items).toHaveLength(1);
    expect(first).toMatchObject({ number: 1, firstResponseAt: '2026-02-02T09:30:00.000Z', resolvedAt: '2026-02-03T10:00:00.000Z', status: 'resolved', firstResponseMinutes: 30 });
    const timeline = await t.timeline.forContact(contact.id);
    expect(timeline.items.map((i) => (i.kind === 'interaction' ? [i.interaction.direction, i.interaction.caseId] : null))).toEqual([
      ['outbound', first.id], ['inbound', first.id],
    ]);
    const history = await t.cases.history(first.id);
    expect(history.map((a) => a.kind)).toEqual(['opened', 'customer_message', 'status', 'response', 'status']);
    expect(history.every((a) => a.data.imported === true)).toBe(true);
    await expect(t.cases.import({ ...ticket, externalId: 'zd-2', messages: [{ from: 'agent', at: '2026-02-01T09:00:00Z' }] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.cases.import({ ...ticket, externalId: 'zd-3', messages: [{ from: 'agent', at: '2026-02-04T09:00:00Z' }] })).rejects.toBeInstanceOf(ValidationError);
  });
});

function pickFigures(c: { firstResponseMinutes: number | null; firstResponseBusinessMinutes: number | null; firstResponseBreached: boolean | null; resolutionMinutes: number | null; resolutionBusinessMinutes: number | null; resolutionBreached: boolean | null; nextResponseBreaches: number; pausedMinutes: number }) {
  const { firstResponseMinutes, firstResponseBusinessMinutes, firstResponseBreached, resolutionMinutes, resolutionBusinessMinutes, resolutionBreached, nextResponseBreaches, pausedMinutes } = c;
  return { firstResponseMinutes, firstResponseBusinessMinutes, firstResponseBreached, resolutionMinutes, resolutionBusinessMinutes, resolutionBreached, nextResponseBreaches, pausedMinutes };
}
