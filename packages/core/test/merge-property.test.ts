import type { Consent } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { countReferences, expectedAfterMerge } from './merge-references.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

const consentArb = fc.dictionary(fc.constantFrom('email', 'sms', 'phone'), fc.constantFrom('granted', 'denied')) as fc.Arbitrary<Consent>;
/** What one contact is linked to: indexes into the shared campaigns, lists, deals and meetings. */
const linksArb = fc.record({
  consent: consentArb,
  campaigns: fc.subarray([0, 1]),
  lists: fc.subarray([0, 1]),
  deals: fc.subarray([0, 1]),
  meetings: fc.subarray([0, 1]),
  tasks: fc.nat({ max: 2 }),
  cases: fc.nat({ max: 1 }),
});
const scenarioArb = fc.array(linksArb, { minLength: 2, maxLength: 5 }).chain((contacts) =>
  fc.record({
    contacts: fc.constant(contacts),
    survivor: fc.nat({ max: contacts.length - 1 }),
    merged: fc.subarray([...contacts.keys()], { minLength: 1 }),
  }).filter((s) => s.merged.some((i) => i !== s.survivor)));

describe.each(targets)('merge, property ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;

  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('preserves every reference (repeated links folded), leaves none on merged ids, keeps the most restrictive consent', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ contacts, survivor, merged }) => {
        const tenantId = `mprop-${process.pid}-${Date.now().toString(36)}-${++tenants}`;
        const t = env.crm.tenant(tenantId);
        const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
        const campaigns = [await t.campaigns.create({ name: 'A', channel: 'visit' }), await t.campaigns.create({ name: 'B', channel: 'visit' })];
        const lists = [await t.segments.create({ name: 'L1' }), await t.segments.create({ name: 'L2' })];
        const deals = [await t.deals.create({ title: 'D1', pipelineId: pipeline.id }), await t.deals.create({ title: 'D2', pipelineId: pipeline.id })];
        const records = await t.contacts.createMany(contacts.map((c, i) => ({ firstName: `C${i}`, consent: c.consent })));
        const meetings: string[][] = [[], []];
        for (const [i, c] of contacts.entries()) {
          const id = records[i]!.id;
          for (const k of c.campaigns) await t.campaigns.enroll(campaigns[k]!.id, { contactIds: [id] });
          for (const k of c.lists) await t.segments.addMembers(lists[k]!.id, [id]);
          for (const k of c.deals) await t.deals.addContact(deals[k]!.id, id);
          for (const k of c.meetings) meetings[k]!.push(id);
          for (let n = 0; n < c.tasks; n++) await t.tasks.create({ title: `T${n}`, link: { type: 'contact', id } });
          for (let n = 0; n < c.cases; n++) await t.cases.create({ subject: `S${n}`, contactId: id });
        }
        for (const ids of meetings) if (ids.length > 0) await t.interactions.log({ type: 'meeting', contactIds: ids });

        const survivorId = records[survivor]!.id;
        const mergedIds = merged.filter((i) => i !== survivor).map((i) => records[i]!.id);
        const expected = await expectedAfterMerge(env.adapter, tenantId, 'contact', survivorId, mergedIds);
        const { survivor: after } = await t.duplicates.merge({ entity: 'contact', survivorId, mergedIds });

        // The merge adds one reference of its own: the survivor's consent changes, recorded with the source `merge`.
        expected['consentChange.contactId']! += (await t.privacy.consentHistory(survivorId)).filter((c) => c.source === 'merge').length;
        expect(await countReferences(env.adapter, tenantId, 'contact', [survivorId])).toEqual(expected);
        const left = await countReferences(env.adapter, tenantId, 'contact', mergedIds);
        expect(Object.entries(left).filter(([, n]) => n > 0)).toEqual([]);
        expect((await t.contacts.list({ limit: 10 })).items).toHaveLength(records.length - mergedIds.length);
        for (const id of mergedIds) expect((await t.contacts.get(id)).id).toBe(survivorId);
        const involved = [survivor, ...merged.filter((i) => i !== survivor)].map((i) => contacts[i]!.consent);
        for (const channel of ['email', 'sms', 'phone'] as const) {
          const answers = involved.map((c) => c[channel]).filter((v) => v !== undefined);
          expect(after.consent[channel]).toBe(answers.includes('denied') ? 'denied' : answers[0]);
        }
      }),
      { numRuns: target.name === 'sqlite' ? 15 : 6 },
    );
  }, 60_000);
});
