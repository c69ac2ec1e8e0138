import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const salesStages = [{ name: 'Prospecting' }, { name: 'Engaging' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }];
const keys = (pipeline: { stages: { key: string }[] }) => pipeline.stages.map((s) => s.key);

describe('pipelines over HTTP', () => {
  it('creates a pipeline with its stages and their defaults, and reads it with its ETag', async () => {
    const created = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sales', currency: 'USD', version: 1 });
    expect(created.body.stages.map((s: { key: string; probability: number; category: string }) => [s.key, s.probability, s.category])).toEqual([
      ['prospecting', 33, 'open'], ['engaging', 67, 'open'], ['won', 100, 'won'], ['lost', 0, 'lost'],
    ]);
    const read = await h.call('GET', `/pipelines/${created.body.id}`, { as: 'rep' });
    expect(read.headers.get('etag')).toBe('"1"');
    expect(keys(read.body)).toEqual(['prospecting', 'engaging', 'won', 'lost']);
    expect((await h.call('GET', `/pipelines/${created.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
  });

  it('appends and changes stages under If-Match, bumping the pipeline version, and answers a stale one with 409', async () => {
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    const added = await h.call('POST', `/pipelines/${sales.id}/stages`, { body: { name: 'Negotiation', probability: 80 }, headers: { 'if-match': '"1"' } });
    expect(added.status).toBe(201);
    expect(added.headers.get('etag')).toBe('"2"');
    expect(keys(added.body)).toEqual(['prospecting', 'engaging', 'won', 'lost', 'negotiation']);
    const changed = await h.call('PATCH', `/pipelines/${sales.id}/stages/engaging`, { body: { staleAfterDays: 14 }, headers: { 'if-match': '"2"' } });
    expect(changed.status).toBe(200);
    expect(changed.body.stages.find((s: { key: string }) => s.key === 'engaging').staleAfterDays).toBe(14);
    const stale = await h.call('PATCH', `/pipelines/${sales.id}`, { body: { name: 'Old sales' }, headers: { 'if-match': '"2"' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 3 });
    const renamed = await h.call('PATCH', `/pipelines/${sales.id}`, { body: { name: 'New sales' }, headers: { 'if-match': '"3"' } });
    expect(renamed.body).toMatchObject({ name: 'New sales', version: 4 });
  });

  it('reclassifies the deals of a stage whose category changes', async () => {
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    const { body: deal } = await h.call('POST', '/deals', { body: { title: 'Acme', pipelineId: sales.id, stage: 'engaging' } });
    await h.call('PATCH', `/pipelines/${sales.id}/stages/engaging`, { body: { category: 'lost' } });
    expect((await h.call('GET', `/deals/${deal.id}`)).body.status).toBe('lost');
  });

  it('answers invalid input with 422, a taken name or stage key with 409, a missing pipeline or stage with 404', async () => {
    const noOpen = await h.call('POST', '/pipelines', { body: { name: 'Closed', stages: [{ name: 'Won', category: 'won' }] } });
    expect(noOpen.status).toBe(422);
    expect(noOpen.body.issues[0].path).toEqual(['stages']);
    expect((await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: [{ name: 'A', key: 'Not A Key' }] } })).status).toBe(422);
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    const again = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DUPLICATE');
    expect((await h.call('POST', `/pipelines/${sales.id}/stages`, { body: { name: 'Won again', key: 'won' } })).status).toBe(409);
    expect((await h.call('GET', '/pipelines/01NOPE')).status).toBe(404);
    expect((await h.call('PATCH', `/pipelines/${sales.id}/stages/nope`, { body: { probability: 5 } })).status).toBe(404);
  });

  it('lets reps read pipelines but not create or change them (403)', async () => {
    expect((await h.call('POST', '/pipelines', { as: 'rep', body: { name: 'Mine', stages: salesStages } })).status).toBe(403);
    const { body: sales } = await h.call('POST', '/pipelines', { body: { name: 'Sales', stages: salesStages } });
    expect((await h.call('PATCH', `/pipelines/${sales.id}`, { as: 'rep', body: { name: 'Mine' } })).status).toBe(403);
    expect((await h.call('GET', '/pipelines', { as: 'rep' })).body.items.map((p: { name: string }) => p.name)).toEqual(['Sales']);
  });

  it('pages pipelines by keyset, each with its stages', async () => {
    for (const name of ['A', 'B', 'C']) await h.call('POST', '/pipelines', { body: { name, stages: [{ name: 'Open' }] } });
    const first = await h.call('GET', '/pipelines?limit=2&orderBy=name:asc');
    expect(first.body.items.map((p: { name: string }) => p.name)).toEqual(['A', 'B']);
    expect(keys(first.body.items[0])).toEqual(['open']);
    const rest = await h.call('GET', `/pipelines?limit=2&orderBy=name:asc&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.items.map((p: { name: string }) => p.name)).toEqual(['C']);
    expect(rest.body.nextCursor).toBeNull();
  });
});
