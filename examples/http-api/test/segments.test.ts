import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const names = (page: { items: { firstName: string }[] }) => page.items.map((c) => c.firstName).sort();

async function seedContacts() {
  const s = h.host.crm.system('acme');
  const made: Record<string, string> = {};
  for (const [firstName, lifecycleStage] of [['Ada', 'customer'], ['Bo', 'customer'], ['Cy', 'customer'], ['Di', 'lead'], ['Ed', 'lead']] as const) {
    made[firstName] = (await s.contacts.create({ firstName, lifecycleStage })).id;
  }
  return made;
}

describe('dynamic segments over HTTP', () => {
  it('creates a segment from a rule, refreshes it and pages its stored members', async () => {
    await seedContacts();
    const created = await h.call('POST', '/segments', { body: { name: 'Customers', rule: { lifecycleStage: 'customer' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Customers', kind: 'dynamic', refreshedAt: null });
    const id = created.body.id;
    expect((await h.call('GET', `/segments/${id}/count`)).body.count).toBe(0);

    const refreshed = await h.call('POST', `/segments/${id}/refresh`);
    expect([refreshed.body.entered, refreshed.body.left]).toEqual([3, 0]);
    const first = await h.call('GET', `/segments/${id}/members?limit=2&orderBy=firstName:asc`);
    expect(names(first.body)).toEqual(['Ada', 'Bo']);
    const second = await h.call('GET', `/segments/${id}/members?limit=2&orderBy=firstName:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([names(second.body), second.body.nextCursor]).toEqual([['Cy'], null]);

    // A new customer is counted live at once, and stored by the next refresh.
    await h.host.crm.system('acme').contacts.create({ firstName: 'Flo', lifecycleStage: 'customer' });
    expect((await h.call('GET', `/segments/${id}/count?live=true`)).body.count).toBe(4);
    expect((await h.call('GET', `/segments/${id}/count`)).body.count).toBe(3);
    expect((await h.call('POST', `/segments/${id}/refresh`)).body.entered).toBe(1);
  });

  it('lists, reads with an ETag, changes and deletes segments', async () => {
    const { body: made } = await h.call('POST', '/segments', { body: { name: 'Leads', rule: { lifecycleStage: 'lead' }, refreshEveryMinutes: 60 } });
    const read = await h.call('GET', `/segments/${made.id}`);
    expect(read.headers.get('etag')).toBe(`"${made.version}"`);
    expect((await h.call('GET', `/segments/${made.id}`, { headers: { 'if-none-match': `"${made.version}"` } })).status).toBe(304);
    const changed = await h.call('PATCH', `/segments/${made.id}`, { body: { name: 'Warm leads', rule: { lifecycleStage: { in: ['lead', 'mql'] } } } });
    expect(changed.body).toMatchObject({ name: 'Warm leads', version: made.version + 1 });
    expect((await h.call('GET', '/segments')).body.items.map((s: { name: string }) => s.name)).toEqual(['Warm leads']);
    expect((await h.call('DELETE', `/segments/${made.id}`)).status).toBe(204);
    expect((await h.call('GET', `/segments/${made.id}`)).status).toBe(404);
  });

  it('filters on the stored RFM scores', async () => {
    h.clock.set('2026-04-01T09:00:00.000Z');
    const s = h.host.crm.system('acme');
    const buy = async (firstName: string, days: string[], minor: number) => {
      const { id } = await s.contacts.create({ firstName });
      for (const d of days) await s.orders.create({ contactId: id, placedAt: `2026-${d}T00:00:00Z`, currency: 'EUR', lines: [{ name: 'Box', unitPriceMinor: minor }] });
    };
    await buy('Ada', ['01-05', '02-10', '03-20'], 20_000);
    await buy('Bob', ['01-03'], 90_000);
    await buy('Cy', ['02-01', '03-01'], 10_000);
    await buy('Di', ['02-02', '02-03', '02-04', '02-05', '02-06'], 5_000);
    await buy('Ed', ['01-10', '01-20', '03-10', '03-25'], 30_000);
    await h.call('POST', '/reports/rfm/scores', { body: {} });
    const { body: champions } = await h.call('POST', '/segments', { body: { name: 'Champions', rule: { $metric: { metric: 'rfm', segment: ['champions'] } } } });
    await h.call('POST', `/segments/${champions.id}/refresh`);
    expect(names((await h.call('GET', `/segments/${champions.id}/members`)).body)).toEqual(['Ed']);
  });
});

describe('static segments over HTTP', () => {
  it('adds and removes members by id, counting only real changes', async () => {
    const ids = await seedContacts();
    const { body: list } = await h.call('POST', '/segments', { body: { name: 'Webinar guests', kind: 'static' } });
    expect(list.kind).toBe('static');
    expect((await h.call('POST', `/segments/${list.id}/members`, { body: { contactIds: [ids.Ada, ids.Di, ids.Ada] } })).body).toEqual({ changed: 2 });
    expect((await h.call('POST', `/segments/${list.id}/members`, { body: { contactIds: [ids.Ada] } })).body).toEqual({ changed: 0 });
    expect((await h.call('POST', `/segments/${list.id}/members/remove`, { body: { contactIds: [ids.Ada, ids.Ed] } })).body).toEqual({ changed: 1 });
    expect(names((await h.call('GET', `/segments/${list.id}/members`)).body)).toEqual(['Di']);
    expect((await h.call('POST', `/segments/${list.id}/members`, { body: { contactIds: ['01NOPE'] } })).status).toBe(404);
  });

  it('refuses what a segment of the other kind cannot do with 409', async () => {
    const ids = await seedContacts();
    const { body: list } = await h.call('POST', '/segments', { body: { name: 'List', kind: 'static' } });
    const { body: rule } = await h.call('POST', '/segments', { body: { name: 'Rule', rule: { lifecycleStage: 'lead' } } });
    const refresh = await h.call('POST', `/segments/${list.id}/refresh`);
    expect([refresh.status, refresh.body.code]).toEqual([409, 'INVALID_STATE']);
    expect((await h.call('POST', `/segments/${rule.id}/members`, { body: { contactIds: [ids.Ada] } })).status).toBe(409);
    expect((await h.call('GET', `/segments/${list.id}/count?live=true`)).status).toBe(409);
  });
});

describe('segment validation and access', () => {
  it('answers a bad segment with 422 and a taken name with 409', async () => {
    const noRule = await h.call('POST', '/segments', { body: { name: 'X', kind: 'dynamic' } });
    expect(noRule.status).toBe(422);
    expect(noRule.body.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain('rule');
    expect((await h.call('POST', '/segments', { body: { name: 'Y', rule: { shoeSize: 44 } } })).status).toBe(422);
    expect((await h.call('POST', '/segments', { body: { name: 'Z', rule: { $metric: { metric: 'moonPhase' } } } })).status).toBe(422);
    await h.call('POST', '/segments', { body: { name: 'Twice', kind: 'static' } });
    const again = await h.call('POST', '/segments', { body: { name: 'Twice', kind: 'static' } });
    expect([again.status, again.body.code]).toEqual([409, 'DUPLICATE']);
  });

  it('lets reps create segments but not delete them, and agents only read them', async () => {
    const byRep = await h.call('POST', '/segments', { as: 'rep', body: { name: 'Mine', kind: 'static' } });
    expect(byRep.status).toBe(201);
    expect((await h.call('POST', '/segments', { as: 'agent', body: { name: 'Theirs', kind: 'static' } })).status).toBe(403);
    expect((await h.call('GET', `/segments/${byRep.body.id}`, { as: 'agent' })).status).toBe(200);
    expect((await h.call('DELETE', `/segments/${byRep.body.id}`, { as: 'rep' })).status).toBe(403);
    expect((await h.call('DELETE', `/segments/${byRep.body.id}`, { as: 'manager' })).status).toBe(204);
  });
});
