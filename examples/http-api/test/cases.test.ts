import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const MINUTE = 60_000;
/** The default policy of these tests: every case, wall-clock minutes. */
const standard = { name: 'Standard', targets: { normal: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480 }, urgent: { firstResponseMinutes: 15 } } };

async function openCase(body: Record<string, unknown> = {}, as: 'admin' | 'agent' | 'rep' = 'admin') {
  const res = await h.call('POST', '/cases', { as, body: { subject: 'Printer jams', ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('cases over HTTP', () => {
  it('opens a case with the due times of its SLA policy, reads it with its ETag and lists cases with a where-tree', async () => {
    await h.call('POST', '/sla-policies', { body: standard });
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada', email: 'ada@example.com' } });
    const created = await h.call('POST', '/cases', { body: { subject: 'Printer jams', contactId: ada.id, channel: 'email' }, headers: { 'idempotency-key': 'form-1' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number: 1, status: 'new', priority: 'normal', channel: 'email', contactId: ada.id,
      firstResponseDueAt: '2026-03-02T10:00:00.000Z', resolutionDueAt: '2026-03-02T17:00:00.000Z',
    });
    expect(created.headers.get('etag')).toBe('"1"');
    const again = await h.call('POST', '/cases', { body: { subject: 'Printer jams' }, headers: { 'idempotency-key': 'form-1' } });
    expect(again.body.id).toBe(created.body.id);
    await openCase({ subject: 'Down', priority: 'urgent' });
    expect((await h.call('GET', `/cases/${created.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    const urgent = await h.call('GET', `/cases?where=${encodeURIComponent('{"priority":"urgent"}')}`);
    expect(urgent.body.items.map((c: { subject: string }) => c.subject)).toEqual(['Down']);
    expect(urgent.body.items[0].firstResponseDueAt).toBe('2026-03-02T09:15:00.000Z');
  });

  it('changes a case with If-Match, answers a stale version with 409 and retargets its clocks on a new priority', async () => {
    await h.call('POST', '/sla-policies', { body: standard });
    const ticket = await openCase();
    h.clock.advance(5 * MINUTE);
    const changed = await h.call('PATCH', `/cases/${ticket.id}`, { body: { priority: 'urgent' }, headers: { 'if-match': '"1"' } });
    expect(changed.status).toBe(200);
    expect(changed.body.firstResponseDueAt).toBe('2026-03-02T09:15:00.000Z');
    const stale = await h.call('PATCH', `/cases/${ticket.id}`, { body: { subject: 'Other' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: changed.body.version });
  });

  it('answers invalid input with 422 and unknown records with 404', async () => {
    const bad = await h.call('POST', '/cases', { body: { subject: '', priority: 'whenever' } });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['subject', 'priority']));
    const ticket = await openCase();
    expect((await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'waiting' } })).status).toBe(422);
    expect((await h.call('PATCH', `/cases/${ticket.id}`, { body: { status: 'open' } })).status).toBe(422);
    expect((await h.call('GET', '/cases/01NOPE')).status).toBe(404);
    expect((await h.call('GET', '/cases/01NOPE/sla')).status).toBe(404);
    const noContact = await h.call('POST', '/cases', { body: { subject: 'x', contactId: '01NOPE' } });
    expect(noContact.status).toBe(404);
    expect((await h.call('GET', '/cases')).body.items).toHaveLength(1);
  });

  it('moves a case through its statuses, refuses a move the status machine does not allow with 409, and reopens it', async () => {
    const ticket = await openCase();
    expect((await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'open' } })).body.status).toBe('open');
    expect((await h.call('POST', `/cases/${ticket.id}/reopen`)).body.code).toBe('INVALID_STATE');
    const resolved = await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'resolved' } });
    expect(resolved.body.resolvedAt).toBe('2026-03-02T09:00:00.000Z');
    const refused = await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'pending' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INVALID_STATE');
    const reopened = await h.call('POST', `/cases/${ticket.id}/reopen`);
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1 });
  });

  it('assigns a case, records responses and customer messages, and keeps them in its history', async () => {
    const ticket = await openCase();
    const assigned = await h.call('POST', `/cases/${ticket.id}/assign`, { body: { ownerId: h.members.agent.id }, headers: { 'if-match': '"1"' } });
    expect(assigned.body.ownerId).toBe(h.members.agent.id);
    h.clock.advance(10 * MINUTE);
    const response = await h.call('POST', `/cases/${ticket.id}/responses`, { body: { body: 'Try a new cartridge' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ first: true, record: { status: 'open', firstResponseAt: '2026-03-02T09:10:00.000Z', firstResponseMinutes: 10 } });
    expect(response.body.interaction).toMatchObject({ direction: 'outbound', caseId: ticket.id, body: 'Try a new cartridge' });
    h.clock.advance(5 * MINUTE);
    const message = await h.call('POST', `/cases/${ticket.id}/customer-messages`, { body: { body: 'Still jams' } });
    expect(message.body.record.awaitingSince).toBe('2026-03-02T09:15:00.000Z');
    expect(message.body.interaction.direction).toBe('inbound');
    await h.call('POST', `/cases/${ticket.id}/responses`, { body: { body: 'Internal: order a part', public: false } });
    const history = await h.call('GET', `/cases/${ticket.id}/history`);
    expect(history.body.items.map((a: { kind: string }) => a.kind)).toEqual(['opened', 'assigned', 'status', 'response', 'customer_message']);
    expect(history.body.items[1].actorId).toBe(h.members.admin.id);
    await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'resolved' } });
    await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'closed' } });
    const late = await h.call('POST', `/cases/${ticket.id}/responses`, { body: { body: 'One more thing' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('INVALID_STATE');
  });

  it("refuses with 403 what the member's role does not allow, and hides with 404 what they may not read", async () => {
    const ritas = await openCase({}, 'rep');
    const byOtherRep = await h.call('PATCH', `/cases/${ritas.id}`, { as: 'rep2', body: { subject: 'Mine' } });
    expect(byOtherRep.status).toBe(403);
    expect(byOtherRep.body.code).toBe('FORBIDDEN');
    expect((await h.call('POST', `/cases/${ritas.id}/status`, { as: 'rep2', body: { status: 'open' } })).status).toBe(403);
    // An agent works the cases of their teams (their own here, being in none) and reads no others.
    const agents = await openCase({}, 'agent');
    expect((await h.call('POST', `/cases/${agents.id}/responses`, { as: 'agent', body: { body: 'On it' } })).status).toBe(201);
    expect((await h.call('GET', `/cases/${ritas.id}`, { as: 'agent' })).status).toBe(404);
    expect((await h.call('GET', '/cases', { as: 'agent' })).body.items.map((c: { id: string }) => c.id)).toEqual([agents.id]);
  });
});

describe("a case's SLA view", () => {
  it('shows the clocks running, pausing while the case is pending, and resuming with what was left', async () => {
    await h.call('POST', '/sla-policies', { body: standard });
    const ticket = await openCase();
    h.clock.advance(20 * MINUTE);
    const running = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(running.body).toMatchObject({ status: 'new', paused: false, policy: { name: 'Standard' }, breached: false });
    expect(running.body.targets.firstResponse).toMatchObject({ measured: true, state: 'running', running: true, targetMinutes: 60, dueAt: '2026-03-02T10:00:00.000Z', elapsedMinutes: 20 });
    expect(running.body.targets.nextResponse).toMatchObject({ measured: false, running: false });

    await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'pending' } });
    h.clock.advance(120 * MINUTE);
    const paused = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(paused.body).toMatchObject({ status: 'pending', paused: true, pausedSince: '2026-03-02T09:20:00.000Z', breached: false });
    expect(paused.body.targets.firstResponse).toMatchObject({ state: 'paused', running: false, dueAt: null, elapsedMinutes: 20 });
    expect(paused.body.targets.resolution).toMatchObject({ state: 'paused', dueAt: null });

    await h.call('POST', `/cases/${ticket.id}/status`, { body: { status: 'open' } });
    const resumed = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(resumed.body).toMatchObject({ paused: false, pausedSince: null, pausedMinutes: 120 });
    // 40 of the 60 minutes were left when it paused at 09:20; it resumed at 11:20.
    expect(resumed.body.targets.firstResponse).toMatchObject({ state: 'running', dueAt: '2026-03-02T12:00:00.000Z', elapsedMinutes: 20 });
  });

  it('shows a breach as soon as a clock runs past its due time, and the breach the SLA workflow records', async () => {
    // The triggers follow the event log from where it stood on their first pass: make that pass before the case opens.
    await h.host.settle();
    await h.call('POST', '/sla-policies', { body: standard });
    const ticket = await openCase();
    await h.host.settle();
    h.clock.advance(61 * MINUTE);
    const overdue = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(overdue.body.targets.firstResponse).toMatchObject({ state: 'running', breached: true });
    expect(overdue.body.breached).toBe(true);
    await h.host.settle();
    const recorded = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(recorded.body.breaches.firstResponse).toBe(true);
    expect((await h.call('GET', `/cases/${ticket.id}/history`)).body.items.map((a: { kind: string }) => a.kind)).toContain('sla_breached');
    h.clock.advance(MINUTE);
    await h.call('POST', `/cases/${ticket.id}/responses`, { body: { body: 'Sorry for the wait' } });
    const answered = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(answered.body.targets.firstResponse).toMatchObject({ state: 'breached', running: false, reachedAt: '2026-03-02T10:02:00.000Z', elapsedMinutes: 62 });
  });

  it('measures a case without a matching policy without targets', async () => {
    const ticket = await openCase();
    h.clock.advance(30 * MINUTE);
    const view = await h.call('GET', `/cases/${ticket.id}/sla`);
    expect(view.body.policy).toBeNull();
    expect(view.body.targets.firstResponse).toMatchObject({ targetMinutes: null, dueAt: null, elapsedMinutes: 30, breached: false });
  });
});

describe('SLA policies over HTTP', () => {
  it('adds policies in matching order, reads one with its ETag and changes it with If-Match', async () => {
    const gold = await h.call('POST', '/sla-policies', { as: 'manager', body: { name: 'Gold', conditions: { priority: ['urgent'] }, targets: { urgent: { firstResponseMinutes: 15 } } } });
    expect(gold.status).toBe(201);
    expect(gold.body).toMatchObject({ name: 'Gold', position: 0, active: true, businessHours: false, pauseOnHold: false, warnBeforeMinutes: null });
    await h.call('POST', '/sla-policies', { as: 'manager', body: standard });
    const listed = await h.call('GET', '/sla-policies?orderBy=position:asc', { as: 'agent' });
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Gold', 'Standard']);
    expect((await h.call('GET', `/sla-policies/${gold.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    const changed = await h.call('PATCH', `/sla-policies/${gold.body.id}`, { as: 'manager', body: { pauseOnHold: true }, headers: { 'if-match': '"1"' } });
    expect(changed.body).toMatchObject({ pauseOnHold: true, version: 2 });
    const stale = await h.call('PATCH', `/sla-policies/${gold.body.id}`, { as: 'manager', body: { active: false }, headers: { 'if-match': '"1"' } });
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
  });

  it('refuses a business-hours policy without a calendar with 422, and 403 to roles that only read policies', async () => {
    const noCalendar = await h.call('POST', '/sla-policies', { body: { name: 'Office', businessHours: true, targets: {} } });
    expect(noCalendar.status).toBe(422);
    expect(noCalendar.body.issues[0].path).toEqual(['calendar']);
    expect((await h.call('POST', '/sla-policies', { as: 'agent', body: standard })).status).toBe(403);
    const { body: policy } = await h.call('POST', '/sla-policies', { body: standard });
    const byRep = await h.call('PATCH', `/sla-policies/${policy.id}`, { as: 'rep', body: { name: 'Mine' } });
    expect(byRep.status).toBe(403);
    expect((await h.call('GET', '/sla-policies/01NOPE')).status).toBe(404);
  });
});
