import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const names = (items: { name: string }[]) => items.map((c) => c.name);

describe('companies over HTTP', () => {
  it('creates a company with its domain normalised, reads it with its ETag and answers 304 to a current If-None-Match', async () => {
    const created = await h.call('POST', '/companies', { body: { name: 'Globex', domain: 'https://www.Globex.com/about', annualRevenue: { minor: 12_000_000, currency: 'eur' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Globex', domain: 'globex.com', annualRevenue: { minor: 12_000_000, currency: 'EUR' }, version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    expect((await h.call('GET', `/companies/${created.body.id}`)).body.name).toBe('Globex');
    expect((await h.call('GET', `/companies/${created.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
  });

  it('answers a domain another company has with 409 DUPLICATE, and repeats a create with the same Idempotency-Key', async () => {
    await h.call('POST', '/companies', { body: { name: 'Globex', domain: 'globex.com' } });
    const taken = await h.call('POST', '/companies', { body: { name: 'Globex 2', domain: 'www.globex.com' } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'DUPLICATE', fields: ['domain'] });
    const headers = { 'idempotency-key': 'crm-sync-9' };
    const first = await h.call('POST', '/companies', { body: { name: 'Initech' }, headers });
    const again = await h.call('POST', '/companies', { body: { name: 'Initech' }, headers });
    expect(again.body.id).toBe(first.body.id);
  });

  it('updates with If-Match, answers a stale version with 409 and the current version, and refuses a parent cycle with 422', async () => {
    const { body: parent } = await h.call('POST', '/companies', { body: { name: 'Parent' } });
    const { body: child } = await h.call('POST', '/companies', { body: { name: 'Child', parentCompanyId: parent.id } });
    const updated = await h.call('PATCH', `/companies/${parent.id}`, { body: { city: 'Berlin' }, headers: { 'if-match': '"1"' } });
    expect(updated.body).toMatchObject({ city: 'Berlin', version: 2 });
    const stale = await h.call('PATCH', `/companies/${parent.id}`, { body: { city: 'Paris' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const cycle = await h.call('PATCH', `/companies/${parent.id}`, { body: { parentCompanyId: child.id } });
    expect(cycle.status).toBe(422);
    expect(names((await h.call('GET', `/companies/${parent.id}/subsidiaries`)).body.items)).toEqual(['Child']);
  });

  it('answers invalid input with 422, a missing company with 404 and a rep changing another rep\'s company with 403', async () => {
    const bad = await h.call('POST', '/companies', { body: { name: 'x', domain: 'not a domain', employees: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['domain', 'employees']));
    expect((await h.call('GET', '/companies/01NOPE')).status).toBe(404);
    expect((await h.call('GET', '/companies/01NOPE/subsidiaries')).status).toBe(404);
    const { body: own } = await h.call('POST', '/companies', { as: 'rep', body: { name: 'Rita Co' } });
    expect((await h.call('PATCH', `/companies/${own.id}`, { as: 'rep2', body: { city: 'x' } })).status).toBe(403);
    expect((await h.call('DELETE', `/companies/${own.id}`, { as: 'rep2' })).status).toBe(403);
    expect((await h.call('DELETE', `/companies/${own.id}`, { as: 'rep' })).status).toBe(204);
  });

  it('deletes a company and unlinks its deals in the same write', async () => {
    const { body: acme } = await h.call('POST', '/companies', { body: { name: 'Acme' } });
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: [{ name: 'Open' }] } });
    const { body: deal } = await h.call('POST', '/deals', { body: { title: 'Acme deal', pipelineId: sales.id, companyId: acme.id } });
    expect((await h.call('DELETE', `/companies/${acme.id}`, { headers: { 'if-match': '"1"' } })).status).toBe(204);
    expect((await h.call('GET', `/deals/${deal.id}`)).body.companyId).toBeNull();
  });

  it('pages companies by keyset and filters them with a where-tree', async () => {
    for (const [name, country] of [['A', 'DE'], ['B', 'FR'], ['C', 'DE'], ['D', 'DE']]) await h.call('POST', '/companies', { body: { name, country } });
    const first = await h.call('GET', '/companies?limit=3&orderBy=name:asc');
    expect(names(first.body.items)).toEqual(['A', 'B', 'C']);
    const rest = await h.call('GET', `/companies?limit=3&orderBy=name:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(names(rest.body.items)).toEqual(['D']);
    expect(rest.body.nextCursor).toBeNull();
    const german = await h.call('GET', `/companies?where=${encodeURIComponent('{"country":"DE"}')}&orderBy=name:desc`);
    expect(names(german.body.items)).toEqual(['D', 'C', 'A']);
  });
});
