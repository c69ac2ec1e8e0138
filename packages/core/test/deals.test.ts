import { ConflictError, NotFoundError, StateError, ValidationError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

async function setup() {
  const base = env.crm.tenant('acme');
  const rep = await base.members.create({ name: 'Rep' });
  const t = env.crm.tenant('acme', { actorId: rep.id });
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  return { t, rep, pipeline };
}

describe('pipelines', () => {
  it('creates ordered stages with default keys, probabilities and forecast categories', async () => {
    const { pipeline } = await setup();
    expect(pipeline.stages.map((s) => [s.key, s.position, s.probability, s.category, s.forecastCategory])).toEqual([
      ['qualification', 0, 25, 'open', 'pipeline'],
      ['proposal', 1, 50, 'open', 'pipeline'],
      ['negotiation', 2, 75, 'open', 'pipeline'],
      ['won', 3, 100, 'won', 'closed'],
      ['lost', 4, 0, 'lost', 'omitted'],
    ]);
  });

  it('refuses a pipeline without open stages or with duplicate keys', async () => {
    const t = env.crm.tenant('acme');
    await expect(t.pipelines.create({ name: 'X', stages: [{ name: 'Won', category: 'won' }] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.pipelines.create({ name: 'Y', stages: [{ name: 'A' }, { name: 'a' }] })).rejects.toBeInstanceOf(ValidationError);
  });

  it('adds and changes stages', async () => {
    const { t, pipeline } = await setup();
    const withStage = await t.pipelines.addStage(pipeline.id, { name: 'On hold', probability: 5 });
    expect(withStage.stages.at(-1)).toMatchObject({ key: 'on_hold', position: 5, probability: 5 });
    const changed = await t.pipelines.updateStage(pipeline.id, 'proposal', { probability: 40 });
    expect(changed.stages.find((s) => s.key === 'proposal')?.probability).toBe(40);
  });
});

describe('deals', () => {
  it('creates a deal in the first open stage with a weighted amount and a first history entry', async () => {
    const { t, pipeline, rep } = await setup();
    const deal = await t.deals.create({ title: 'Acme renewal', pipelineId: pipeline.id, amount: { minor: 500000, currency: 'usd' } });
    expect(deal).toMatchObject({ status: 'open', probability: 25, weightedAmountMinor: 125000, amount: { minor: 500000, currency: 'USD' } });
    const history = await t.deals.stageHistory(deal.id);
    expect(history).toEqual([expect.objectContaining({ fromStageId: null, toStageId: pipeline.stages[0]?.id, actorId: rep.id })]);
  });

  it('moves a deal and records who moved it, when, and how long it sat in the stage', async () => {
    const { t, pipeline, rep } = await setup();
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, amount: { minor: 1000, currency: 'USD' } });
    env.clock.advance(2 * hour);
    const moved = await t.deals.moveToStage(deal.id, 'negotiation', { expectedVersion: deal.version });
    expect(moved).toMatchObject({ stageId: pipeline.stages[2]?.id, probability: 75, weightedAmountMinor: 750, version: 2, stageEnteredAt: '2026-03-02T11:00:00.000Z' });
    const history = await t.deals.stageHistory(deal.id);
    expect(history[1]).toMatchObject({ fromStageId: pipeline.stages[0]?.id, toStageId: pipeline.stages[2]?.id, actorId: rep.id, secondsInFromStage: 7200 });
    await expect(t.deals.moveToStage(deal.id, 'proposal', { expectedVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
    await expect(t.deals.moveToStage(deal.id, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('moves a deal of more than 2^53 minor units, its audit holding the weighted amounts exactly as decimal strings', async () => {
    const { t, pipeline } = await setup();
    const minor = 2n ** 60n + 7n;
    const deal = await t.deals.create({ title: 'Big', pipelineId: pipeline.id, amount: { minor, currency: 'USD' } });
    const moved = await t.deals.moveToStage(deal.id, 'negotiation');
    expect(typeof moved.weightedAmountMinor).toBe('bigint');
    const [entry] = (await t.audit.forRecord('deal', deal.id)).items.filter((e) => e.action === 'update');
    expect(entry?.changes).toContainEqual({ field: 'weightedAmountMinor', from: String(deal.weightedAmountMinor), to: String(moved.weightedAmountMinor) });
  });

  it('marks deals won and lost with a reason, and reopens them', async () => {
    const { t, pipeline } = await setup();
    const events: string[] = [];
    t.events.on('*', (e) => events.push(e.type));
    const a = await t.deals.create({ title: 'A', pipelineId: pipeline.id });
    const won = await t.deals.markWon(a.id);
    expect(won).toMatchObject({ status: 'won', probability: 100, closedAt: '2026-03-02T09:00:00.000Z', lostReason: null });
    const b = await t.deals.create({ title: 'B', pipelineId: pipeline.id });
    const lost = await t.deals.markLost(b.id, { reason: 'Price' });
    expect(lost).toMatchObject({ status: 'lost', lostReason: 'Price' });
    await expect(t.deals.moveToStage(b.id, 'proposal', { reason: 'x' })).rejects.toBeInstanceOf(ValidationError);
    const reopened = await t.deals.moveToStage(b.id, 'proposal');
    expect(reopened).toMatchObject({ status: 'open', closedAt: null, lostReason: null });
    expect(events).toEqual(expect.arrayContaining(['deal.created', 'deal.stageChanged', 'deal.won', 'deal.lost']));
  });

  it('computes the amount from product lines', async () => {
    const { t, pipeline } = await setup();
    const gtx = await t.products.create({ name: 'GTX Pro', price: { minor: 482100, currency: 'USD' } });
    const deal = await t.deals.create({
      title: 'Lines', pipelineId: pipeline.id,
      lines: [{ productId: gtx.id, quantity: 2, discountPercent: 10 }, { name: 'Setup', unitPriceMinor: 10000 }],
    });
    expect(deal.lines.map((l) => l.totalMinor)).toEqual([867780, 10000]);
    expect(deal.amount).toEqual({ minor: 877780, currency: 'USD' });
    await expect(t.deals.create({ title: 'X', pipelineId: pipeline.id, lines: [{ productId: 'missing' }] })).rejects.toBeInstanceOf(NotFoundError);
    const updated = await t.deals.update(deal.id, { probability: 10 });
    expect(updated.weightedAmountMinor).toBe(87778);
  });

  it('links and unlinks contacts', async () => {
    const { t, pipeline } = await setup();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const bob = await t.contacts.create({ firstName: 'Bob' });
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, contactIds: [ada.id] });
    const both = await t.deals.addContact(deal.id, bob.id);
    expect(both.contactIds).toEqual([ada.id, bob.id]);
    expect((await t.deals.ofContact(bob.id)).items.map((d) => d.id)).toEqual([deal.id]);
    const one = await t.deals.removeContact(deal.id, ada.id);
    expect(one.contactIds).toEqual([bob.id]);
    expect((await t.deals.ofContact(ada.id)).items).toEqual([]);
    await expect(t.deals.addContact(deal.id, 'missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to close a deal in a pipeline without a won stage', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Open only', stages: [{ name: 'A' }] });
    const d = await t.deals.create({ title: 'D', pipelineId: p.id });
    await expect(t.deals.markWon(d.id)).rejects.toBeInstanceOf(StateError);
  });
});

describe('deal history for imports', () => {
  it('back-dates the first stage with enteredAt and refuses moves that go back in time', async () => {
    const { t, pipeline } = await setup();
    const deal = await t.deals.create({ title: 'Old', pipelineId: pipeline.id, enteredAt: '2016-10-20T00:00:00Z' });
    expect(deal.stageEnteredAt).toBe('2016-10-20T00:00:00.000Z');
    await expect(t.deals.moveToStage(deal.id, 'proposal', { at: '2016-10-19T00:00:00Z' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await t.deals.moveToStage(deal.id, 'proposal', { at: '2016-10-25T00:00:00Z' });
    const won = await t.deals.markWon(deal.id, { at: '2017-03-01T00:00:00Z' });
    expect(won.closedAt).toBe('2017-03-01T00:00:00.000Z');
    const history = await t.deals.stageHistory(deal.id);
    expect(history.map((h) => [h.at.slice(0, 10), h.secondsInFromStage])).toEqual([
      ['2016-10-20', null], ['2016-10-25', 5 * 86400], ['2017-03-01', 127 * 86400],
    ]);
    await expect(t.deals.create({ title: 'x', pipelineId: pipeline.id, closedAt: '2016-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('deleting a linked contact', () => {
  it('removes the contact from the deals it was on', async () => {
    const { t, pipeline } = await setup();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const bob = await t.contacts.create({ firstName: 'Bob' });
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, contactIds: [ada.id, bob.id] });
    await t.contacts.delete(ada.id);
    const after = await t.deals.get(deal.id);
    expect(after.contactIds).toEqual([bob.id]);
    expect(after.version).toBe(deal.version + 1);
  });

  it('returns the contacts of a deal with their roles, and changes a role', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const [ada, bob] = [await t.contacts.create({ firstName: 'Ada' }), await t.contacts.create({ firstName: 'Bob' })];
    const deal = await t.deals.create({ title: 'x', pipelineId: p.id, contactIds: [ada.id] });
    await t.deals.addContact(deal.id, bob.id, { role: 'champion' });
    expect((await t.deals.contacts(deal.id)).map((c) => [c.contactId, c.role])).toEqual([[ada.id, null], [bob.id, 'champion']]);
    const heard: string[] = [];
    t.events.on('deal.contactRoleChanged', (e) => void heard.push(`${e.data.previousRole}->${e.data.role}`));
    await t.deals.addContact(deal.id, ada.id, { role: 'decision maker' });
    await t.deals.addContact(deal.id, ada.id, { role: 'decision maker' });
    expect(heard).toEqual(['null->decision maker']);
    expect((await t.deals.contacts(deal.id)).find((c) => c.contactId === ada.id)?.role).toBe('decision maker');
    await expect(t.deals.contacts('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reclassifies the deals of a stage whose category changes, and resets its forecast category', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deals = [await t.deals.create({ title: 'a', pipelineId: p.id, stage: 'negotiation' }), await t.deals.create({ title: 'b', pipelineId: p.id, stage: 'negotiation' })];
    const updated: string[] = [];
    t.events.on('deal.updated', (e) => void updated.push(e.data.record.id));
    const closed = await t.pipelines.updateStage(p.id, 'negotiation', { category: 'won' });
    expect(closed.stages.find((s) => s.key === 'negotiation')).toMatchObject({ category: 'won', forecastCategory: 'closed' });
    for (const d of deals) expect(await t.deals.get(d.id)).toMatchObject({ status: 'won', closedAt: '2026-03-02T09:00:00.000Z', version: 2 });
    expect(updated.sort()).toEqual(deals.map((d) => d.id).sort());
    expect((await t.reports.winRate()).map((r) => r.won)).toEqual([2]);
    await t.pipelines.updateStage(p.id, 'negotiation', { category: 'open', forecastCategory: 'commit' });
    for (const d of deals) expect(await t.deals.get(d.id)).toMatchObject({ status: 'open', closedAt: null });
    const trail = await t.audit.forRecord('deal', deals[0]!.id);
    expect(trail.items.map((e) => e.action)).toEqual(['create', 'update', 'update']);
    await expect(t.pipelines.updateStage(p.id, 'won', { category: 'open' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
  });

  it('moves behind a stage gate only when the stored deal has every required field', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await t.deals.create({ title: 'x', pipelineId: p.id });
    const gate = { requiredFields: ['amount', 'expectedCloseOn', 'custom.budget'] };
    const refused = await t.deals.moveToStage(deal.id, 'proposal', gate).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['amount', 'missing_for_stage'], ['expectedCloseOn', 'missing_for_stage'], ['custom.budget', 'missing_for_stage'],
    ]);
    expect((await t.deals.get(deal.id)).version).toBe(1);
    await t.deals.update(deal.id, { amount: { minor: 100, currency: 'USD' }, expectedCloseOn: '2026-06-30', custom: { budget: 'approved' } });
    expect((await t.deals.moveToStage(deal.id, 'proposal', gate)).stageId).toBe(p.stages[1]!.id);
    await expect(t.deals.moveToStage(deal.id, 'won', { requiredFields: ['x; drop'] })).rejects.toBeInstanceOf(ValidationError);
  });
});
