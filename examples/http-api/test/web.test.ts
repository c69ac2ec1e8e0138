import type { Pipeline } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost, type TestMember } from './harness.js';

let h: TestHost;
let sales: Pipeline;
beforeEach(async () => {
  h = await openTestHost();
  sales = await h.host.crm.system(h.tenantId).pipelines.create({
    name: 'Sales',
    stages: [{ name: 'Prospecting' }, { name: 'Engaging' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
});
afterEach(() => h.close());

const system = () => h.host.crm.system(h.tenantId);

/** Signs in through the form as a member and returns the session cookie (`name=value`). */
async function signIn(as: TestMember): Promise<string> {
  const res = await h.raw('/app/sign-in', { method: 'POST', body: new URLSearchParams({ key: h.keys[as] }) });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/app/board');
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function page(path: string, cookie: string) {
  const res = await h.raw(path, { headers: { cookie } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Posts a form as htmx / app.js do (`HX-Request: true`), which answer with a fragment. */
async function post(path: string, cookie: string, form: Record<string, string>) {
  const res = await h.raw(path, { method: 'POST', headers: { cookie, 'hx-request': 'true' }, body: new URLSearchParams(form) });
  return { status: res.status, text: await res.text() };
}

const deal = (title: string, extra: Record<string, unknown> = {}) =>
  system().deals.create({ title, pipelineId: sales.id, ownerId: h.members.rep.id, amount: { minor: 120_000, currency: 'USD' }, ...extra });

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page, which the ?key= link pre-fills', async () => {
    const board = await h.raw('/app/board');
    expect(board.status).toBe(302);
    expect(board.headers.get('location')).toBe('/app/sign-in');
    expect((await h.raw('/app')).headers.get('location')).toBe('/app/sign-in');
    const form = await (await h.raw('/app/sign-in?key=acme%2Fabc"<x>')).text();
    expect(form).toContain('data-testid="sign-in-key"');
    expect(form).toContain('value="acme/abc&quot;&lt;x&gt;"');
    expect(form).toContain('data-testid="sign-in-submit"');
  });

  it('refuses an unknown key and sets no cookie', async () => {
    const res = await h.raw('/app/sign-in', { method: 'POST', body: new URLSearchParams({ key: 'acme/not-a-real-key-at-all' }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('role="alert"');
  });

  it('trades the API key for an HttpOnly SameSite=Lax session cookie that signs-out revokes', async () => {
    const res = await h.raw('/app/sign-in', { method: 'POST', body: new URLSearchParams({ key: h.keys.rep }) });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toContain(encodeURIComponent(h.keys.rep.split('/')[1]!));
    const cookie = setCookie.split(';')[0]!;
    expect((await page('/app', cookie)).headers.get('location')).toBe('/app/board');
    const board = await page('/app/board', cookie);
    expect(board.status).toBe(200);
    expect(board.text).toMatch(/data-testid="signed-in-as">Rita Rep</);
    const out = await h.raw('/app/sign-out', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(303);
    expect((await page('/app/board', cookie)).status).toBe(302);
    // The API key itself still works: signing out ended the session only.
    expect((await h.call('GET', '/contacts', { as: 'rep' })).status).toBe(200);
  });

  it('ends a session after 12 hours', async () => {
    const cookie = await signIn('rep');
    h.clock.advance(12 * 60 * 60 * 1000 - 1000);
    expect((await page('/app/board', cookie)).status).toBe(200);
    h.clock.advance(2000);
    expect((await page('/app/board', cookie)).status).toBe(302);
  });
});

describe('pages and assets', () => {
  it('serves htmx, app.js and app.css without a session', async () => {
    const htmx = await h.raw('/assets/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toContain('javascript');
    expect(await htmx.text()).toContain('htmx');
    expect(await (await h.raw('/assets/app.js')).text()).toContain('data-due');
    expect((await h.raw('/assets/app.css')).headers.get('content-type')).toContain('text/css');
    expect((await h.raw('/assets/nope.js')).status).toBe(404);
  });

  it('mounts the reports page at /app/reports behind the session', async () => {
    expect((await h.raw('/app/reports')).headers.get('location')).toBe('/app/sign-in');
    const reports = await page('/app/reports', await signIn('manager'));
    expect(reports.status).toBe(200);
    expect(reports.text).toContain('data-testid="nav-reports"');
  });

  it('answers a missing record with a page, and an htmx request without a session with HX-Redirect', async () => {
    const cookie = await signIn('rep');
    const missing = await page('/app/contacts/01NOPE', cookie);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Not found');
    const fragment = await h.raw('/app/inbox', { headers: { 'hx-request': 'true' } });
    expect(fragment.status).toBe(401);
    expect(fragment.headers.get('hx-redirect')).toBe('/app/sign-in');
    expect((await page('/app/sign-in', cookie)).headers.get('location')).toBe('/app/board');
  });
});

describe('the pipeline board', () => {
  it('renders a column per stage with its count and amount, and draggable cards with their version', async () => {
    const company = await system().companies.create({ name: 'Globex' });
    const renewal = await deal('Renewal', { companyId: company.id });
    await deal('Upsell');
    const cookie = await signIn('rep');
    const { text } = await page(`/app/board?pipeline=${sales.id}`, cookie);
    for (const key of ['prospecting', 'engaging', 'won', 'lost']) expect(text).toContain(`data-testid="stage-${key}"`);
    const prospecting = text.slice(text.indexOf('data-testid="stage-prospecting"'), text.indexOf('data-testid="stage-engaging"'));
    expect(prospecting).toMatch(/class="count" title="deals">2</);
    expect(prospecting).toContain('$2,400.00');
    expect(prospecting).toContain(`data-testid="deal-${renewal.id}" draggable="true" data-deal="${renewal.id}" data-version="1"`);
    expect(prospecting).toContain('Globex');
    expect(prospecting).toContain('Rita Rep');
  });

  it('shows the first cards of a column and pages the rest by a "more" link', async () => {
    for (let i = 0; i < 27; i++) await deal(`Deal ${i}`);
    const cookie = await signIn('rep');
    const { text } = await page('/app/board', cookie);
    expect(text.match(/data-testid="deal-/g)).toHaveLength(25);
    const more = text.match(/hx-get="([^"]+)"[^>]*data-testid="more-prospecting"/)![1]!.replaceAll('&amp;', '&');
    const res = await h.raw(more, { headers: { cookie, 'hx-request': 'true' } });
    const rest = await res.text();
    expect(rest.match(/data-testid="deal-/g)).toHaveLength(2);
    expect(rest).not.toContain('data-testid="more-');
  });

  it('moves a dropped card as the signed-in member, and refuses a move made on a stale card', async () => {
    const ada = await system().contacts.create({ firstName: 'Ada' });
    const renewal = await deal('Renewal', { contactIds: [ada.id] });
    const cookie = await signIn('rep');
    const moved = await post(`/app/deals/${renewal.id}/move`, cookie, { stage: 'engaging', version: '1' });
    expect(moved.status).toBe(200);
    expect(moved.text).toContain(`data-testid="deal-${renewal.id}"`);
    expect(moved.text).toContain('data-version="2"');
    expect(moved.text).toContain(`id="head-${sales.stages[1]!.id}"`);
    const stored = await system().deals.get(renewal.id);
    expect(stored.stageId).toBe(sales.stages[1]!.id);
    expect((await system().deals.stageHistory(renewal.id)).at(-1)!.actorId).toBe(h.members.rep.id);

    const stale = await post(`/app/deals/${renewal.id}/move`, cookie, { stage: 'prospecting', version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('changed by someone else');
    expect((await system().deals.get(renewal.id)).stageId).toBe(sales.stages[1]!.id);
  });

  it("refuses a move through a stage gate and names the fields it needs", async () => {
    const renewal = await deal('Renewal');
    const cookie = await signIn('rep');
    const refused = await post(`/app/deals/${renewal.id}/move`, cookie, { stage: 'won', version: '1' });
    expect(refused.status).toBe(422);
    expect(refused.text).toBe('“Renewal” cannot enter Won yet: fill in company first.');
    expect((await system().deals.get(renewal.id)).status).toBe('open');
    // Without script the form post gets the board back with the message in #toast.
    const res = await h.raw(`/app/deals/${renewal.id}/move`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ stage: 'won', version: '1' }) });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/<div id="toast"[^>]*class="show">“Renewal” cannot enter Won yet/);
  });

  it("refuses to move someone else's deal", async () => {
    const renewal = await deal('Renewal');
    const refused = await post(`/app/deals/${renewal.id}/move`, await signIn('rep2'), { stage: 'lost', version: '1' });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('You may not move “Renewal”.');
    expect((await system().deals.get(renewal.id)).status).toBe('open');
  });
});

describe('the inbox', () => {
  it("lists the member's open tasks and completes one in place", async () => {
    const call = await system().tasks.create({ title: 'Call Ada', assigneeId: h.members.rep.id, priority: 'high' });
    const other = await system().tasks.create({ title: 'Not mine', assigneeId: h.members.rep2.id });
    const cookie = await signIn('rep');
    const inbox = await page('/app/inbox', cookie);
    expect(inbox.text).toContain(`data-testid="task-${call.id}"`);
    expect(inbox.text).toContain(`data-testid="complete-${call.id}"`);
    expect(inbox.text).not.toContain(`task-${other.id}`);
    const done = await post(`/app/tasks/${call.id}/complete`, cookie, {});
    expect(done.status).toBe(200);
    expect(done.text).toContain('data-status="done"');
    expect(done.text).not.toContain('data-testid="complete-');
    expect((await system().tasks.get(call.id)).status).toBe('done');
    expect((await page('/app/inbox', cookie)).text).not.toContain(`task-${call.id}`);
  });
});

describe('the case queue', () => {
  it('shows each open case with a countdown to its next SLA due time, and paused clocks as paused', async () => {
    await system().slaPolicies.create({ name: 'Standard', targets: { normal: { firstResponseMinutes: 134, resolutionMinutes: 480 } } });
    const ada = await system().contacts.create({ firstName: 'Ada' });
    const late = await system().cases.create({ subject: 'Printer on fire', contactId: ada.id, ownerId: h.members.agent.id });
    const waiting = await system().cases.create({ subject: 'Waiting on customer', contactId: ada.id, ownerId: h.members.agent.id });
    await system().cases.setStatus(waiting.id, 'pending');
    const cookie = await signIn('agent');
    const { text } = await page('/app/cases', cookie);
    expect(text).toContain(`data-testid="case-${late.id}"`);
    expect(late.firstResponseDueAt).toBe('2026-03-02T11:14:00.000Z');
    expect(text).toContain(`data-testid="sla-${late.id}" data-due="2026-03-02T11:14:00.000Z"`);
    expect(text).toMatch(new RegExp(`data-testid="sla-${late.id}"[^>]*>2h 14m left<`));
    expect(text).toMatch(new RegExp(`data-testid="sla-${waiting.id}"[^>]*>paused<`));
    expect(text).toContain(`href="/app/contacts/${ada.id}">Ada</a>`);
    h.clock.advance(139 * 60_000);
    expect((await page('/app/cases', cookie)).text).toMatch(new RegExp(`data-testid="sla-${late.id}"[^>]*>overdue 5m<`));
  });
});

describe('the contact page', () => {
  it('shows the timeline, pages it, and prepends a logged note', async () => {
    const ada = await system().contacts.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@globex.test' });
    for (let i = 0; i < 22; i++) {
      await system().interactions.log({ type: 'call', contactIds: [ada.id], subject: `Call ${i}` });
      h.clock.advance(60_000);
    }
    await system().tasks.create({ title: 'Send the contract', link: { type: 'contact', id: ada.id } });
    const cookie = await signIn('rep');
    const { text } = await page(`/app/contacts/${ada.id}`, cookie);
    expect(text).toContain('<h1>Ada Lovelace</h1>');
    expect(text).toContain('data-testid="timeline"');
    expect(text.match(/data-testid="timeline-item"/g)).toHaveLength(20);
    expect(text).toContain('Send the contract');
    const more = text.match(/hx-get="([^"]+)"[^>]*data-testid="timeline-more"/)![1]!;
    const older = await (await h.raw(more, { headers: { cookie, 'hx-request': 'true' } })).text();
    expect(older.match(/data-testid="timeline-item"/g)).toHaveLength(3);
    expect(older).toContain('Call 0');

    const logged = await post(`/app/contacts/${ada.id}/interactions`, cookie, { type: 'note', subject: 'Met at the fair', body: 'Wants <b>a demo</b>', minutes: '' });
    expect(logged.status).toBe(201);
    expect(logged.text).toContain('data-testid="timeline-item"');
    expect(logged.text).toContain('Wants &lt;b&gt;a demo&lt;/b&gt;');
    const [latest] = (await system().timeline.forContact(ada.id, { limit: 1 })).items;
    expect(latest?.kind === 'interaction' && latest.interaction).toMatchObject({ type: 'note', subject: 'Met at the fair', memberIds: [h.members.rep.id] });
    const again = (await page(`/app/contacts/${ada.id}`, cookie)).text;
    expect(again.indexOf('Met at the fair')).toBeGreaterThan(-1);
    expect(again.indexOf('Met at the fair')).toBeLessThan(again.indexOf('Call 21'));
  });
});
