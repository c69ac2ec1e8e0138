import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost, type TestMember } from './harness.js';

let h: TestHost;
let pipeline: { id: string; stages: { id: string; key: string }[] };
beforeEach(async () => {
  h = await openTestHost();
  // The demo pipeline's stage keys, which the host's stage gates name.
  pipeline = (await h.call('POST', '/pipelines', {
    body: { name: 'Sales', stages: [{ name: 'Prospecting' }, { name: 'Engaging' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }] },
  })).body;
});
afterEach(() => h.close());

const usd = (minor: number) => ({ minor, currency: 'USD' });
const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });
const issuePaths = (body: { issues: { path: string[] }[] }) => body.issues.map((i) => i.path.join('.'));

async function newDeal(body: Record<string, unknown> = {}, as: TestMember = 'rep') {
  const res = await h.call('POST', '/deals', { as, body: { title: 'Acme renewal', pipelineId: pipeline.id, ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

async function newContact(firstName = 'Ada') {
  return (await h.call('POST', '/contacts', { body: { firstName } })).body;
}

describe('deals over HTTP', () => {
  it('creates a deal in the first open stage, reads it with its ETag and answers 304 to a current If-None-Match', async () => {
    const deal = await newDeal({ amount: usd(500_000) });
    expect(deal).toMatchObject({ stageId: pipeline.stages[0]!.id, status: 'open', probability: 33, weightedAmountMinor: 165_000, ownerId: h.members.rep.id, version: 1 });
    const read = await h.call('GET', `/deals/${deal.id}`);
    expect(read.headers.get('etag')).toBe('"1"');
    expect((await h.call('GET', `/deals/${deal.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
  });

  it('changes a deal with If-Match, recomputing the weighted amount, and answers a stale version with 409 and the current version', async () => {
    const deal = await newDeal({ amount: usd(100_000) });
    const changed = await h.call('PATCH', `/deals/${deal.id}`, { as: 'rep', body: { amount: usd(200_000) }, headers: ifMatch(1) });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ weightedAmountMinor: 66_000, version: 2 });
    const stale = await h.call('PATCH', `/deals/${deal.id}`, { as: 'rep', body: { title: 'Late' }, headers: ifMatch(1) });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
  });

  it('answers invalid input with 422 and a missing deal or pipeline with 404', async () => {
    const bad = await h.call('POST', '/deals', { body: { title: '', pipelineId: pipeline.id, amount: { minor: -1, currency: 'USD' }, bogus: 1 } });
    expect(bad.status).toBe(422);
    expect(issuePaths(bad.body)).toEqual(expect.arrayContaining(['title', 'amount.minor']));
    expect((await h.call('POST', '/deals', { body: { title: 'x', pipelineId: '01NOPE' } })).status).toBe(404);
    expect((await h.call('GET', '/deals/01NOPE')).status).toBe(404);
    expect((await h.call('GET', '/deals')).body.items).toEqual([]);
  });

  it('pages deals by keyset and filters them with a where-tree', async () => {
    for (const minor of [1, 2, 3, 4, 5]) await newDeal({ title: `Deal ${minor}`, amount: usd(minor * 1000) });
    const first = await h.call('GET', '/deals?limit=2&orderBy=title:asc');
    expect(first.body.items.map((d: { title: string }) => d.title)).toEqual(['Deal 1', 'Deal 2']);
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await h.call('GET', `/deals?limit=2&orderBy=title:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((d: { title: string }) => d.title)).toEqual(['Deal 3', 'Deal 4']);
    const big = await h.call('GET', `/deals?where=${encodeURIComponent('{"amountMinor":{"gte":4000}}')}&orderBy=title:asc`);
    expect(big.body.items.map((d: { title: string }) => d.title)).toEqual(['Deal 4', 'Deal 5']);
    expect(big.body.nextCursor).toBeNull();
  });

  it('runs as the member: a rep may not change or move another rep\'s deal (403), an agent does not see it (404)', async () => {
    const deal = await newDeal();
    const patch = await h.call('PATCH', `/deals/${deal.id}`, { as: 'rep2', body: { title: 'Mine now' } });
    expect(patch.status).toBe(403);
    expect(patch.body.code).toBe('FORBIDDEN');
    expect((await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep2', body: { stage: 'lost' } })).status).toBe(403);
    expect((await h.call('GET', `/deals/${deal.id}`, { as: 'agent' })).status).toBe(404);
    expect((await h.call('DELETE', `/deals/${deal.id}`, { as: 'rep' })).status).toBe(204);
    expect((await h.call('GET', `/deals/${deal.id}`)).status).toBe(404);
  });
});

describe('moving deals through stages', () => {
  it('moves a deal with If-Match and records who moved it in the stage history', async () => {
    const contact = await newContact();
    const deal = await newDeal({ contactIds: [contact.id] });
    h.clock.advance(3_600_000);
    const moved = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'engaging' }, headers: ifMatch(1) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stageId: pipeline.stages[1]!.id, probability: 67, version: 2 });
    expect(moved.headers.get('etag')).toBe('"2"');
    const history = await h.call('GET', `/deals/${deal.id}/stage-history`);
    expect(history.body.items.map((c: { toStageId: string }) => c.toStageId)).toEqual([pipeline.stages[0]!.id, pipeline.stages[1]!.id]);
    expect(history.body.items[1]).toMatchObject({ fromStageId: pipeline.stages[0]!.id, actorId: h.members.rep.id, secondsInFromStage: 3600 });
  });

  it('answers a move with a stale If-Match with 409 and the current version, leaving the deal where it is', async () => {
    const deal = await newDeal({ contactIds: [(await newContact()).id] });
    await h.call('PATCH', `/deals/${deal.id}`, { as: 'rep', body: { source: 'web' } });
    const stale = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'engaging' }, headers: ifMatch(1) });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await h.call('GET', `/deals/${deal.id}`)).body.stageId).toBe(pipeline.stages[0]!.id);
    expect((await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'engaging' }, headers: { 'if-match': 'v1' } })).status).toBe(400);
  });

  it('refuses a move the stage gate does not allow with 422 missing_for_stage, and allows it once the fields are filled in', async () => {
    const deal = await newDeal();
    const engaging = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'engaging' } });
    expect(engaging.status).toBe(422);
    expect(engaging.body.issues).toEqual([{ path: ['contactIds'], code: 'missing_for_stage', message: 'required to enter engaging' }]);
    const won = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'won' } });
    expect(issuePaths(won.body)).toEqual(['amount', 'companyId']);
    expect(won.body.issues.every((i: { code: string }) => i.code === 'missing_for_stage')).toBe(true);
    expect((await h.call('POST', `/deals/${deal.id}/won`, { as: 'rep' })).status).toBe(422);
    const still = await h.call('GET', `/deals/${deal.id}`);
    expect(still.body).toMatchObject({ status: 'open', version: 1 });

    const company = (await h.call('POST', '/companies', { body: { name: 'Acme' } })).body;
    await h.call('PATCH', `/deals/${deal.id}`, { as: 'rep', body: { amount: usd(90_000), companyId: company.id } });
    const closed = await h.call('POST', `/deals/${deal.id}/won`, { as: 'rep', headers: ifMatch(2) });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'won', probability: 100, closedAt: '2026-03-02T09:00:00.000Z' });
  });

  it('marks a deal lost with a reason, which no other stage takes', async () => {
    const deal = await newDeal();
    const reasonForOpen = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'prospecting', reason: 'x' } });
    expect(reasonForOpen.status).toBe(422);
    const lost = await h.call('POST', `/deals/${deal.id}/lost`, { as: 'rep', body: { reason: 'Went with a competitor' }, headers: ifMatch(1) });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ status: 'lost', lostReason: 'Went with a competitor' });
  });

  it('answers an unknown stage with 404, and closing a deal in a pipeline without a won stage with 409 INVALID_STATE', async () => {
    const deal = await newDeal();
    const unknown = await h.call('POST', `/deals/${deal.id}/move`, { as: 'rep', body: { stage: 'negotiation' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND', entity: 'stage' });
    const openOnly = (await h.call('POST', '/pipelines', { body: { name: 'Leads', stages: [{ name: 'New' }, { name: 'Lost', category: 'lost' }] } })).body;
    const lead = (await h.call('POST', '/deals', { as: 'rep', body: { title: 'Lead', pipelineId: openOnly.id } })).body;
    const won = await h.call('POST', `/deals/${lead.id}/won`, { as: 'rep' });
    expect(won.status).toBe(409);
    expect(won.body.code).toBe('INVALID_STATE');
  });
});

describe('the contacts of a deal', () => {
  it('links contacts with roles, changes a role, unlinks one and lists the deals of a contact', async () => {
    const ada = await newContact('Ada');
    const bob = await newContact('Bob');
    const deal = await newDeal();
    const linked = await h.call('POST', `/deals/${deal.id}/contacts`, { as: 'rep', body: { contactId: ada.id, role: 'champion' }, headers: ifMatch(1) });
    expect(linked.status).toBe(200);
    expect(linked.body.contactIds).toEqual([ada.id]);
    h.clock.advance(1000);
    await h.call('POST', `/deals/${deal.id}/contacts`, { as: 'rep', body: { contactId: bob.id } });
    await h.call('POST', `/deals/${deal.id}/contacts`, { as: 'rep', body: { contactId: ada.id, role: 'decision maker' } });
    const contacts = await h.call('GET', `/deals/${deal.id}/contacts`);
    expect(contacts.body.items.map((c: { contactId: string; role: string | null }) => [c.contactId, c.role])).toEqual([[ada.id, 'decision maker'], [bob.id, null]]);
    const ofAda = await h.call('GET', `/contacts/${ada.id}/deals`);
    expect(ofAda.body.items.map((d: { id: string }) => d.id)).toEqual([deal.id]);

    const unlinked = await h.call('DELETE', `/deals/${deal.id}/contacts/${ada.id}`, { as: 'rep' });
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.contactIds).toEqual([bob.id]);
    expect((await h.call('GET', `/contacts/${ada.id}/deals`)).body.items).toEqual([]);
  });

  it('answers a missing contact with 404 and another rep linking to the deal with 403', async () => {
    const deal = await newDeal();
    expect((await h.call('POST', `/deals/${deal.id}/contacts`, { as: 'rep', body: { contactId: '01NOPE' } })).status).toBe(404);
    const ada = await newContact();
    expect((await h.call('POST', `/deals/${deal.id}/contacts`, { as: 'rep2', body: { contactId: ada.id } })).status).toBe(403);
    expect((await h.call('GET', '/contacts/01NOPE/deals')).status).toBe(404);
  });
});
