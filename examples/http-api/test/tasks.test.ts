import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const titles = (items: { title: string }[]) => items.map((t) => t.title);

describe('tasks over HTTP', () => {
  it('creates a task about a contact, reads it with its ETag and answers 304 to a current If-None-Match', async () => {
    const { body: contact } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    const created = await h.call('POST', '/tasks', {
      as: 'rep',
      body: { title: 'Call Ada', assigneeId: h.members.rep.id, dueAt: '2026-03-03T10:00:00Z', priority: 'high', link: { type: 'contact', id: contact.id } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Call Ada', status: 'open', priority: 'high', linkedType: 'contact', linkedId: contact.id, ownerId: h.members.rep.id });
    expect(created.headers.get('etag')).toBe('"1"');
    const read = await h.call('GET', `/tasks/${created.body.id}`);
    expect(read.body.dueAt).toBe('2026-03-03T10:00:00.000Z');
    expect((await h.call('GET', `/tasks/${created.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
  });

  it('returns the task an earlier create with the same Idempotency-Key made', async () => {
    const headers = { 'idempotency-key': 'follow-up-7' };
    const first = await h.call('POST', '/tasks', { body: { title: 'Follow up' }, headers });
    const again = await h.call('POST', '/tasks', { body: { title: 'Follow up' }, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await h.call('GET', '/tasks')).body.items).toHaveLength(1);
  });

  it('lists tasks with a where-tree', async () => {
    await h.call('POST', '/tasks', { body: { title: 'Low one', priority: 'low' } });
    await h.call('POST', '/tasks', { body: { title: 'Urgent one', priority: 'urgent' } });
    const urgent = await h.call('GET', `/tasks?where=${encodeURIComponent('{"priority":"urgent"}')}`);
    expect(titles(urgent.body.items)).toEqual(['Urgent one']);
    expect(urgent.body.nextCursor).toBeNull();
  });

  it('answers invalid input with 422: a bad field, a reminder after the due time, a link type tasks cannot link to', async () => {
    const noTitle = await h.call('POST', '/tasks', { body: { title: '', bogus: true } });
    expect(noTitle.status).toBe(422);
    expect(noTitle.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['title']));
    const lateReminder = await h.call('POST', '/tasks', { body: { title: 'x', dueAt: '2026-03-03T10:00:00Z', remindAt: '2026-03-04T10:00:00Z' } });
    expect(lateReminder.status).toBe(422);
    expect(lateReminder.body.issues[0].path).toEqual(['remindAt']);
    const badLink = await h.call('POST', '/tasks', { body: { title: 'x', link: { type: 'pipeline', id: '01ABC' } } });
    expect(badLink.status).toBe(422);
    expect((await h.call('GET', '/tasks')).body.items).toEqual([]);
  });

  it('answers 404 for a missing task and for a link to a missing record', async () => {
    expect((await h.call('GET', '/tasks/01NOPE')).status).toBe(404);
    const missing = await h.call('POST', '/tasks', { body: { title: 'x', link: { type: 'deal', id: '01NOPE' } } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });
});

describe('changing and completing tasks', () => {
  it('changes a task with If-Match and answers a stale version with 409 and the current version', async () => {
    const { body: task } = await h.call('POST', '/tasks', { body: { title: 'Draft' } });
    const changed = await h.call('PATCH', `/tasks/${task.id}`, { body: { title: 'Send proposal', status: 'in_progress' }, headers: { 'if-match': '"1"' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    const stale = await h.call('PATCH', `/tasks/${task.id}`, { body: { title: 'Other' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const staleComplete = await h.call('POST', `/tasks/${task.id}/complete`, { headers: { 'if-match': '"1"' } });
    expect(staleComplete.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await h.call('GET', `/tasks/${task.id}`)).body.title).toBe('Send proposal');
  });

  it('completes a task, refuses to complete or change it again with 409 INVALID_STATE, and reopens it', async () => {
    const { body: task } = await h.call('POST', '/tasks', { body: { title: 'Ship it' } });
    h.clock.advance(60_000);
    const done = await h.call('POST', `/tasks/${task.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', completedAt: '2026-03-02T09:01:00.000Z' });
    const again = await h.call('POST', `/tasks/${task.id}/complete`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_STATE');
    expect((await h.call('PATCH', `/tasks/${task.id}`, { body: { title: 'x' } })).body.code).toBe('INVALID_STATE');
    const reopened = await h.call('POST', `/tasks/${task.id}/reopen`, { headers: { 'if-match': done.headers.get('etag')! } });
    expect(reopened.body).toMatchObject({ status: 'open', completedAt: null });
  });

  it("refuses with 403 what the member's role does not allow", async () => {
    const { body: ritas } = await h.call('POST', '/tasks', { as: 'rep', body: { title: "Rita's call", assigneeId: h.members.rep.id } });
    const byOtherRep = await h.call('PATCH', `/tasks/${ritas.id}`, { as: 'rep2', body: { title: 'Mine now' } });
    expect(byOtherRep.status).toBe(403);
    expect(byOtherRep.body.code).toBe('FORBIDDEN');
    expect((await h.call('POST', `/tasks/${ritas.id}/complete`, { as: 'rep2' })).status).toBe(403);
    expect((await h.call('POST', `/tasks/${ritas.id}/complete`, { as: 'agent' })).status).toBe(403);
    // A manager changes the records of their team: Rita is in Sales.
    expect((await h.call('POST', `/tasks/${ritas.id}/complete`, { as: 'manager' })).status).toBe(200);

    const s = h.host.crm.system(h.tenantId);
    const viewer = await s.members.create({ name: 'Vic Viewer', email: 'viewer@acme.test', role: 'read-only' });
    const { token } = await h.host.credentials.issue(h.tenantId, viewer.id, { kind: 'api-key', label: 'viewer' });
    const asViewer = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
    expect((await h.call('GET', `/tasks/${ritas.id}`, asViewer)).status).toBe(200);
    const refused = await h.call('POST', '/tasks', { ...asViewer, body: { title: 'Nope' } });
    expect(refused.status).toBe(403);
  });
});

describe('the inbox', () => {
  it("lists the signed-in member's open tasks, most urgent first, then earliest due with undated last, then oldest", async () => {
    const rep = h.members.rep.id;
    const make = async (title: string, extra: Record<string, unknown> = {}) => {
      const { body } = await h.call('POST', '/tasks', { as: 'rep', body: { title, assigneeId: rep, ...extra } });
      h.clock.advance(1000);
      return body;
    };
    await make('normal, undated');
    await make('normal, due later', { dueAt: '2026-03-05T09:00:00Z' });
    await make('normal, due soon', { dueAt: '2026-03-03T09:00:00Z' });
    await make('urgent, undated', { priority: 'urgent' });
    await make('normal, undated, newer');
    const done = await make('high, done', { priority: 'high' });
    await h.call('POST', `/tasks/${done.id}/complete`, { as: 'rep' });
    await h.call('POST', '/tasks', { as: 'rep2', body: { title: "Ravi's", assigneeId: h.members.rep2.id, priority: 'urgent' } });

    const inbox = await h.call('GET', '/me/inbox', { as: 'rep' });
    expect(inbox.status).toBe(200);
    expect(titles(inbox.body.items)).toEqual(['urgent, undated', 'normal, due soon', 'normal, due later', 'normal, undated', 'normal, undated, newer']);
    const firstPage = await h.call('GET', '/me/inbox?limit=2', { as: 'rep' });
    const rest = await h.call('GET', `/me/inbox?limit=10&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`, { as: 'rep' });
    expect([...titles(firstPage.body.items), ...titles(rest.body.items)]).toEqual(titles(inbox.body.items));
    expect(titles((await h.call('GET', '/me/inbox', { as: 'rep2' })).body.items)).toEqual(["Ravi's"]);
  });

  it("serves another member's inbox, and 404 for an unknown member", async () => {
    await h.call('POST', '/tasks', { body: { title: 'For Rita', assigneeId: h.members.rep.id } });
    const ritas = await h.call('GET', `/members/${h.members.rep.id}/inbox`, { as: 'manager' });
    expect(titles(ritas.body.items)).toEqual(['For Rita']);
    const unknown = await h.call('GET', '/members/01NOBODY/inbox', { as: 'manager' });
    expect(unknown.status).toBe(404);
  });
});
