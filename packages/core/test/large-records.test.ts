import { type ModelDefinition, type Row, coreModels, newId } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const linked = 70_000;
const targets = crmTargets();
const day = 86_400_000;
const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();

/**
 * Seeds `linked` deals of one company, each linked to one contact and with one
 * stage change, written in bulk through the storage contract (the services
 * would take minutes), plus rows of another contact and company that must
 * never show up.
 */
async function seed(env: CrmOnTarget) {
  const t = env.crm.tenant('acme');
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  const stage = pipeline.stages[0]!;
  const contact = await t.contacts.create({ firstName: 'Busy' });
  const company = await t.companies.create({ name: 'Big' });
  const other = await t.contacts.create({ firstName: 'Other' });
  const deals: Row[] = [];
  const links: Row[] = [];
  const changes: Row[] = [];
  for (let i = 0; i < linked + 100; i++) {
    const mine = i < linked;
    const id = newId();
    const created = at(i);
    const common = { createdAt: created, updatedAt: created };
    deals.push({
      ...common, id, version: 1, ownerId: null, tags: [], custom: {}, title: `Deal ${i}`, pipelineId: pipeline.id, stageId: stage.id,
      status: 'open', amountMinor: 1000 + i, currency: 'USD', probability: 10, weightedAmountMinor: 100, expectedCloseOn: null,
      stageEnteredAt: created, closedAt: null, lostReason: null, companyId: mine ? company.id : null,
      contactIds: [mine ? contact.id : other.id], lines: [], campaignId: null, source: null, externalId: null,
    });
    links.push({ ...common, id: `${id}:${mine ? contact.id : other.id}`, dealId: id, contactId: mine ? contact.id : other.id, role: null });
    changes.push({ ...common, id: newId(), dealId: id, pipelineId: pipeline.id, fromStageId: null, toStageId: stage.id, toStatus: 'open', at: created, actorId: null, secondsInFromStage: null });
  }
  const { adapter } = env;
  // The seeded rows are untyped: the adapter checks them field by field like any row.
  await adapter.createMany({ model: coreModels.deal as ModelDefinition, tenantId: 'acme', rows: deals });
  await adapter.createMany({ model: coreModels.dealContact as ModelDefinition, tenantId: 'acme', rows: links });
  await adapter.createMany({ model: coreModels.stageChange as ModelDefinition, tenantId: 'acme', rows: changes });
  // One deal through the service too, after the seeded ones: it must lead the timeline.
  env.clock.advance(day);
  const latest = await t.deals.create({ title: 'Latest', pipelineId: pipeline.id, contactIds: [contact.id], companyId: company.id });
  const mineIds = new Set([...deals.slice(0, linked).map((d) => String(d.id)), latest.id]);
  const newestChanges = [...changes.slice(0, linked)].reverse().map((c) => String(c.id));
  return { t, contact, company, mineIds, newestChanges, latest };
}

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`a contact and a company on ${linked.toLocaleString('en')} deals (${target.name})`, () => {
    let env: CrmOnTarget;
    let data: Awaited<ReturnType<typeof seed>>;
    beforeAll(async () => {
      env = await target.open();
      data = await seed(env);
    }, 300_000);
    afterAll(() => env?.crm.close());

    it('lists every deal of the contact exactly once, page after page', async () => {
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await data.t.deals.ofContact(data.contact.id, { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const deal of page.items) {
          expect(data.mineIds.has(deal.id), 'a deal of another contact').toBe(true);
          seen.add(deal.id);
        }
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen.size).toBe(linked + 1);
      expect(pages).toBe(Math.ceil((linked + 1) / 1000));
      const newest = await data.t.deals.ofContact(data.contact.id, { orderBy: { createdAt: 'desc' }, limit: 2 });
      expect(newest.items.map((d) => d.title)).toEqual(['Latest', `Deal ${linked - 1}`]);
    }, 300_000);

    it("pages the contact's timeline through the stage changes of all its deals, newest first", async () => {
      const first = await data.t.timeline.forContact(data.contact.id, { limit: 50 });
      expect(first.items[0]).toMatchObject({ kind: 'stageChange', change: { dealId: data.latest.id } });
      const second = await data.t.timeline.forContact(data.contact.id, { limit: 50, cursor: first.nextCursor! });
      const ids = [...first.items, ...second.items].slice(1).map((item) => item.id);
      expect(ids).toEqual(data.newestChanges.slice(0, 99));
    }, 120_000);

    it("pages the company's timeline through the stage changes of all its deals, newest first", async () => {
      const first = await data.t.timeline.forCompany(data.company.id, { limit: 100 });
      expect(first.items[0]).toMatchObject({ kind: 'stageChange', change: { dealId: data.latest.id } });
      expect(first.items.slice(1).map((item) => item.id)).toEqual(data.newestChanges.slice(0, 99));
      const second = await data.t.timeline.forCompany(data.company.id, { limit: 100, cursor: first.nextCursor! });
      expect(second.items.map((item) => item.id)).toEqual(data.newestChanges.slice(99, 199));
    }, 120_000);
  });
}
