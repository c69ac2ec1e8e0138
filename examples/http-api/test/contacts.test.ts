import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

describe('contacts over HTTP', () => {
  it('creates a contact, reads it with its ETag and answers 304 to a current If-None-Match', async () => {
    const created = await h.call('POST', '/contacts', { body: { firstName: 'Ada', email: 'Ada@Globex.com', tags: ['vip'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ firstName: 'Ada', email: 'ada@globex.com', version: 1, tenantId: 'acme' });
    expect(created.headers.get('etag')).toBe('"1"');
    const read = await h.call('GET', `/contacts/${created.body.id}`);
    expect(read.body.id).toBe(created.body.id);
    const cached = await h.call('GET', `/contacts/${created.body.id}`, { headers: { 'if-none-match': '"1"' } });
    expect(cached.status).toBe(304);
  });

  it('updates with If-Match and answers a stale version with 409 and the current version', async () => {
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    const updated = await h.call('PATCH', `/contacts/${ada.id}`, { body: { title: 'CTO' }, headers: { 'if-match': '"1"' } });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    const stale = await h.call('PATCH', `/contacts/${ada.id}`, { body: { title: 'CEO' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await h.call('GET', `/contacts/${ada.id}`)).body.title).toBe('CTO');
  });

  it('answers invalid input with 422 and the zod issues, writing nothing', async () => {
    const bad = await h.call('POST', '/contacts', { body: { firstName: 'Ada', email: 'not-an-email', bogus: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['email']));
    expect((await h.call('GET', '/contacts')).body.items).toEqual([]);
    const badWhere = await h.call('GET', `/contacts?where=${encodeURIComponent('{"nope":1}')}`);
    expect(badWhere.status).toBe(422);
  });

  it('pages by keyset with a Link header, filters with a where-tree and orders', async () => {
    for (const name of ['A', 'B', 'C', 'D', 'E']) await h.call('POST', '/contacts', { body: { firstName: name, lifecycleStage: name < 'D' ? 'lead' : 'customer' } });
    const first = await h.call('GET', '/contacts?limit=2&orderBy=firstName:asc');
    expect(first.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['A', 'B']);
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await h.call('GET', `/contacts?limit=2&orderBy=firstName:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['C', 'D']);
    const leads = await h.call('GET', `/contacts?where=${encodeURIComponent('{"lifecycleStage":"customer"}')}`);
    expect(leads.body.items.map((c: { firstName: string }) => c.firstName).sort()).toEqual(['D', 'E']);
    expect(leads.body.nextCursor).toBeNull();
  });

  it('runs every request as the signed-in member: 401 without a key, 403 for what their role refuses, 404 for a missing record', async () => {
    expect((await h.call('GET', '/contacts', { as: null })).status).toBe(401);
    expect((await h.call('GET', '/contacts', { headers: { authorization: 'Bearer acme/not-a-real-key-at-all' }, as: null })).status).toBe(401);
    const { body: own } = await h.call('POST', '/contacts', { as: 'rep', body: { firstName: 'Own' } });
    expect(own.ownerId).toBe(h.members.rep.id);
    const refused = await h.call('PATCH', `/contacts/${own.id}`, { as: 'rep2', body: { title: 'x' } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await h.call('GET', '/contacts/01NOPE', { as: 'rep' })).status).toBe(404);
    const deleted = await h.call('DELETE', `/contacts/${own.id}`, { as: 'rep' });
    expect(deleted.status).toBe(204);
  });

  it('returns the record an earlier create with the same Idempotency-Key made', async () => {
    const headers = { 'idempotency-key': 'form-42' };
    const first = await h.call('POST', '/contacts', { body: { firstName: 'Ada' }, headers });
    const again = await h.call('POST', '/contacts', { body: { firstName: 'Ada' }, headers });
    expect(again.body.id).toBe(first.body.id);
    expect((await h.call('GET', '/contacts')).body.items).toHaveLength(1);
  });

  it("serves a contact's timeline", async () => {
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.crm.system('acme').tasks.create({ title: 'Call Ada', link: { type: 'contact', id: ada.id } });
    const timeline = await h.call('GET', `/contacts/${ada.id}/timeline`);
    expect(timeline.body.items.map((i: { kind: string }) => i.kind)).toEqual(['task']);
  });
});
