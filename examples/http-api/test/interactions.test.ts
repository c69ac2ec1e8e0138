import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const subjects = (items: { subject: string }[]) => items.map((i) => i.subject);

describe('interactions over HTTP', () => {
  it('logs a call with its participants, reads it with its ETag and shows it on the contact timeline', async () => {
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    const logged = await h.call('POST', '/interactions', {
      as: 'rep', body: { type: 'call', subject: 'Intro call', durationSeconds: 600, contactIds: [ada.id], memberIds: [h.members.rep.id] },
    });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ type: 'call', direction: 'outbound', occurredAt: '2026-03-02T09:00:00.000Z', contactIds: [ada.id], ownerId: h.members.rep.id });
    expect(logged.headers.get('etag')).toBe('"1"');
    expect((await h.call('GET', `/interactions/${logged.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    const timeline = await h.call('GET', `/contacts/${ada.id}/timeline`);
    expect(timeline.body.items.map((i: { kind: string; id: string }) => [i.kind, i.id])).toEqual([['interaction', logged.body.id]]);
  });

  it('takes the company of the deal it is about, and defaults a note to internal', async () => {
    const { body: acme } = await h.call('POST', '/companies', { body: { name: 'Acme' } });
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: [{ name: 'Open' }] } });
    const { body: deal } = await h.call('POST', '/deals', { body: { title: 'Acme deal', pipelineId: sales.id, companyId: acme.id } });
    const note = await h.call('POST', '/interactions', { body: { type: 'note', body: 'Budget approved', dealId: deal.id } });
    expect(note.body).toMatchObject({ direction: 'internal', dealId: deal.id, companyId: acme.id });
  });

  it('corrects what was said with If-Match, answers a stale version with 409 and refuses to change participants (422)', async () => {
    const { body: call } = await h.call('POST', '/interactions', { body: { type: 'call', subject: 'Intro' } });
    const corrected = await h.call('PATCH', `/interactions/${call.id}`, { body: { outcome: 'Interested', occurredAt: '2026-03-01T15:00:00Z' }, headers: { 'if-match': '"1"' } });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ outcome: 'Interested', occurredAt: '2026-03-01T15:00:00.000Z', version: 2 });
    const stale = await h.call('PATCH', `/interactions/${call.id}`, { body: { outcome: 'Cold' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const participants = await h.call('PATCH', `/interactions/${call.id}`, { body: { contactIds: [] } });
    expect(participants.status).toBe(422);
  });

  it('answers invalid input with 422, a missing interaction or contact with 404 and a rep changing another\'s with 403', async () => {
    const bad = await h.call('POST', '/interactions', { body: { type: 'fax', durationSeconds: -5 } });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['type', 'durationSeconds']));
    expect((await h.call('GET', '/interactions/01NOPE')).status).toBe(404);
    expect((await h.call('POST', '/interactions', { body: { type: 'call', contactIds: ['01NOPE'] } })).status).toBe(404);
    const { body: own } = await h.call('POST', '/interactions', { as: 'rep', body: { type: 'email', subject: 'Hello' } });
    expect((await h.call('PATCH', `/interactions/${own.id}`, { as: 'rep2', body: { subject: 'Hijacked' } })).status).toBe(403);
    expect((await h.call('DELETE', `/interactions/${own.id}`, { as: 'rep2' })).status).toBe(403);
    expect((await h.call('DELETE', `/interactions/${own.id}`, { as: 'rep', headers: { 'if-match': '"1"' } })).status).toBe(204);
    expect((await h.call('GET', `/interactions/${own.id}`)).status).toBe(404);
  });

  it('returns the interaction an earlier log with the same Idempotency-Key made', async () => {
    const headers = { 'idempotency-key': 'zoom-meeting-77' };
    const first = await h.call('POST', '/interactions', { body: { type: 'meeting', subject: 'Demo' }, headers });
    const again = await h.call('POST', '/interactions', { body: { type: 'meeting', subject: 'Demo' }, headers });
    expect(again.body.id).toBe(first.body.id);
    expect((await h.call('GET', '/interactions')).body.items).toHaveLength(1);
  });

  it('pages interactions by keyset and filters them with a where-tree', async () => {
    for (const [subject, type] of [['A', 'call'], ['B', 'email'], ['C', 'call'], ['D', 'call']]) await h.call('POST', '/interactions', { body: { type, subject } });
    const first = await h.call('GET', '/interactions?limit=2&orderBy=subject:asc');
    expect(subjects(first.body.items)).toEqual(['A', 'B']);
    const rest = await h.call('GET', `/interactions?limit=2&orderBy=subject:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(subjects(rest.body.items)).toEqual(['C', 'D']);
    const calls = await h.call('GET', `/interactions?where=${encodeURIComponent('{"type":"call"}')}&orderBy=subject:desc`);
    expect(subjects(calls.body.items)).toEqual(['D', 'C', 'A']);
  });
});
