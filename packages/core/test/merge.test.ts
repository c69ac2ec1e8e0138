import { ConflictError, type Contact, type CrmEvent, NotFoundError, StateError, type TenantScope, ValidationError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { countReferences, expectedAfterMerge, referenceKinds } from './merge-references.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

/** One of every kind of reference to `contactId`, as the services write them. */
async function seedContactReferences(t: TenantScope, contactId: string, shared: { pipelineId: string; campaignId: string; listId: string; productId: string; dealId: string }) {
  await t.deals.create({ title: `Deal of ${contactId}`, pipelineId: shared.pipelineId, contactIds: [contactId] });
  await t.deals.addContact(shared.dealId, contactId);
  await t.tasks.create({ title: 'Call back', link: { type: 'contact', id: contactId } });
  await t.interactions.log({ type: 'call', contactIds: [contactId] });
  await t.cases.create({ subject: 'Broken', contactId });
  await t.orders.create({ contactId, currency: 'EUR', lines: [{ productId: shared.productId, quantity: 1 }] });
  await t.assets.create({ productId: shared.productId, contactId });
  await t.contracts.create({ name: 'Care', kind: 'service', startDate: '2026-01-01', endDate: '2026-12-31', contactId });
  await t.surveys.send({ kind: 'nps', contactId });
  await t.campaigns.enroll(shared.campaignId, { contactIds: [contactId] });
  await t.segments.addMembers(shared.listId, [contactId]);
}

describe.each(targets)('merge ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const newTenant = () => `mrg-${process.pid}-${Date.now().toString(36)}-${++tenants}`;

  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  async function shared(t: TenantScope) {
    const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const campaign = await t.campaigns.create({ name: 'Spring', channel: 'email' });
    const list = await t.segments.create({ name: 'Guests' });
    const product = await t.products.create({ name: 'Printer', price: { minor: 1000, currency: 'EUR' } });
    const deal = await t.deals.create({ title: 'Shared', pipelineId: pipeline.id });
    return { pipelineId: pipeline.id, campaignId: campaign.id, listId: list.id, productId: product.id, dealId: deal.id };
  }

  describe('relinking', () => {
    it.skipIf(target.skip)('moves every reference of every kind to the survivor in one transaction, folding repeated links', async () => {
      const tenantId = newTenant();
      const t = env.crm.tenant(tenantId);
      const s = await shared(t);
      const [survivor, m1, m2] = await t.contacts.createMany([
        { firstName: 'Ada', email: 'ada@acme.io', consent: { email: 'granted' } }, { firstName: 'Ada', consent: { sms: 'granted' } },
        { lastName: 'Lovelace', consent: { phone: 'denied' } },
      ]);
      for (const c of [survivor!, m1!, m2!]) await seedContactReferences(t, c.id, s);
      // One meeting with all three, so interaction links fold too (the shared deal, campaign and list fold already).
      await t.interactions.log({ type: 'meeting', contactIds: [survivor!.id, m1!.id, m2!.id] });
      await t.customers.refreshRfmScores({ currency: 'EUR' });
      await t.campaigns.setMemberStatus(s.campaignId, { contactId: m1!.id, status: 'responded' });
      const ids = [survivor!.id, m1!.id, m2!.id];
      const before = await countReferences(env.adapter, tenantId, 'contact', ids);
      const mergedBefore = await countReferences(env.adapter, tenantId, 'contact', [m1!.id, m2!.id]);
      const expected = await expectedAfterMerge(env.adapter, tenantId, 'contact', survivor!.id, [m1!.id, m2!.id]);
      // Every kind is seeded at least once (a kind without rows would prove nothing).
      // Erasure records are the exception: erased contacts cannot be merged (tested below).
      for (const ref of referenceKinds('contact')) if (ref.key !== 'erasure.contactId') expect(before[ref.key], ref.key).toBeGreaterThan(0);

      const events: CrmEvent[] = [];
      const off = t.events.on('contact.merged', (e) => void events.push(e));
      const result = await t.duplicates.merge({ entity: 'contact', survivorId: survivor!.id, mergedIds: [m1!.id, m2!.id] });
      off();

      // The merge adds one reference of its own: the survivor's consent changes, recorded with the source `merge`.
      expected['consentChange.contactId']! += (await t.privacy.consentHistory(survivor!.id)).filter((c) => c.source === 'merge').length;
      expect(await countReferences(env.adapter, tenantId, 'contact', [survivor!.id])).toEqual(expected);
      const left = await countReferences(env.adapter, tenantId, 'contact', [m1!.id, m2!.id]);
      expect(Object.values(left).every((n) => n === 0)).toBe(true);
      // What the merge reports adds up: moved + folded = what pointed at the merged records.
      for (const ref of referenceKinds('contact')) {
        expect((result.relinked[ref.key] ?? 0) + (result.collapsed[ref.key] ?? 0), ref.key).toBe(mergedBefore[ref.key]);
      }
      expect(result.collapsed).toEqual({ 'campaignMember.contactId': 2, 'segmentMember.contactId': 2, 'dealContact.contactId': 2, 'interactionContact.contactId': 2, 'rfmScore.contactId': 2 });
      const members = (await t.campaigns.members(s.campaignId)).items;
      expect(members).toHaveLength(1);
      expect(members[0]).toMatchObject({ contactId: survivor!.id, status: 'responded' });
      expect((await t.deals.get(s.dealId)).contactIds).toEqual([survivor!.id]);
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toEqual({ survivorId: survivor!.id, mergedIds: [m1!.id, m2!.id], relinked: result.relinked });
      expect(await t.contacts.list()).toMatchObject({ items: [{ id: survivor!.id }] });
      const trail = (await t.audit.forRecord('contact', m1!.id)).items;
      expect(trail.at(-1)).toMatchObject({ action: 'delete', changes: expect.arrayContaining([{ field: 'mergedInto', from: null, to: survivor!.id }, { field: 'firstName', from: 'Ada', to: null }]) });
    });

    it.skipIf(target.skip)('merges companies: contacts, deals, cases, subsidiaries and tasks follow the survivor', async () => {
      const tenantId = newTenant();
      const t = env.crm.tenant(tenantId);
      const acme = await t.companies.create({ name: 'Acme', sector: 'Tools' });
      const copy = await t.companies.create({ name: 'ACME Inc.', domain: 'acme.io', employees: 40 });
      const sub = await t.companies.create({ name: 'Acme Labs', parentCompanyId: copy.id });
      const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
      await t.contacts.create({ firstName: 'Ada', companyId: copy.id });
      await t.deals.create({ title: 'Big', pipelineId: pipeline.id, companyId: copy.id });
      await t.cases.create({ subject: 'Help', companyId: copy.id });
      await t.tasks.create({ title: 'Visit', link: { type: 'company', id: copy.id } });
      const expected = await expectedAfterMerge(env.adapter, tenantId, 'company', acme.id, [copy.id]);
      const { survivor } = await t.duplicates.merge({ entity: 'company', survivorId: acme.id, mergedIds: [copy.id], fields: { name: copy.id } });
      expect(survivor).toMatchObject({ id: acme.id, name: 'ACME Inc.', domain: 'acme.io', sector: 'Tools', employees: 40 });
      expect(await countReferences(env.adapter, tenantId, 'company', [acme.id])).toEqual(expected);
      expect(expected['contact.companyId']).toBe(1);
      expect((await t.companies.get(sub.id)).parentCompanyId).toBe(acme.id);
      expect((await t.companies.get(copy.id)).id).toBe(acme.id);
      expect(await t.companies.findByDomain('acme.io')).toMatchObject({ id: acme.id });
    });
  });

  describe('surviving values', () => {
    it.skipIf(target.skip)('keeps the survivor, fills gaps from the merged, obeys `fields` and keeps the most restrictive consent', async () => {
      const t = env.crm.tenant(newTenant());
      const survivor = await t.contacts.create({
        firstName: 'Ada', email: 'ada@acme.io', tags: ['vip'], consent: { email: 'granted', sms: 'granted' }, custom: { tier: 'gold', region: null },
      });
      const merged = await t.contacts.create({
        firstName: 'Augusta', lastName: 'Lovelace', email: 'ada@home.org', phone: '+14155550132', tags: ['press', 'vip'],
        consent: { email: 'denied', phone: 'granted' }, custom: { tier: 'silver', region: 'EU', source: 'fair' },
      });
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: survivor.id, mergedIds: [merged.id], fields: { consent: merged.id } })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: survivor.id, mergedIds: [merged.id], fields: { email: 'someone-else' } })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: survivor.id, mergedIds: [survivor.id] })).rejects.toBeInstanceOf(ValidationError);
      const { survivor: after } = await t.duplicates.merge({
        entity: 'contact', survivorId: survivor.id, mergedIds: [merged.id], fields: { email: merged.id, 'custom.tier': merged.id },
      });
      expect(after).toMatchObject({
        firstName: 'Ada', lastName: 'Lovelace', phone: '+14155550132', email: 'ada@home.org',
        emails: [{ address: 'ada@home.org' }, { address: 'ada@acme.io' }], tags: ['vip', 'press'],
        consent: { email: 'denied', sms: 'granted', phone: 'granted' }, custom: { tier: 'silver', region: 'EU', source: 'fair' },
        version: survivor.version + 1,
      });
      const history = await t.privacy.consentHistory(survivor.id);
      expect(history.filter((c) => c.source === 'merge').map((c) => [c.channel, c.from, c.to]).sort())
        .toEqual([['email', 'granted', 'denied'], ['phone', null, 'granted']]);
    });
  });

  describe('merged ids', () => {
    it.skipIf(target.skip)('keep resolving to the final survivor through chains, and leave lists and counts', async () => {
      const t = env.crm.tenant(newTenant());
      const [a, b, c] = await t.contacts.createMany([{ firstName: 'A' }, { firstName: 'B' }, { firstName: 'C' }]);
      await t.duplicates.merge({ entity: 'contact', survivorId: a!.id, mergedIds: [b!.id] });
      expect((await t.contacts.get(b!.id)).id).toBe(a!.id);
      await t.duplicates.merge({ entity: 'contact', survivorId: c!.id, mergedIds: [a!.id] });
      expect((await t.contacts.get(b!.id)).id).toBe(c!.id);
      expect((await t.contacts.get(a!.id)).id).toBe(c!.id);
      expect((await t.contacts.list()).items.map((x) => x.id)).toEqual([c!.id]);
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: c!.id, mergedIds: [b!.id] })).rejects.toBeInstanceOf(StateError);
      await expect(t.contacts.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    });

    it.skipIf(target.skip)('stay inside their tenant: a merge across tenants is NotFoundError and changes nothing', async () => {
      const t = env.crm.tenant(newTenant());
      const other = env.crm.tenant(newTenant());
      const mine = await t.contacts.create({ firstName: 'Mine' });
      const theirs = await other.contacts.create({ firstName: 'Theirs' });
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: mine.id, mergedIds: [theirs.id] })).rejects.toBeInstanceOf(NotFoundError);
      await expect(other.duplicates.merge({ entity: 'contact', survivorId: theirs.id, mergedIds: [mine.id] })).rejects.toBeInstanceOf(NotFoundError);
      expect(await other.contacts.get(theirs.id)).toEqual(theirs);
      expect(await t.contacts.get(mine.id)).toEqual(mine);
      await t.duplicates.merge({ entity: 'contact', survivorId: mine.id, mergedIds: [(await t.contacts.create({ firstName: 'Copy' })).id] });
      await expect(other.contacts.get(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('erased contacts', () => {
    it.skipIf(target.skip)('cannot be merged, as survivor or as merged record', async () => {
      const t = env.crm.tenant(newTenant());
      const [a, b] = await t.contacts.createMany([{ firstName: 'A', email: 'a@x.io' }, { firstName: 'B', email: 'a@x.io' }]);
      await t.privacy.erase(b!.id);
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: a!.id, mergedIds: [b!.id] })).rejects.toBeInstanceOf(StateError);
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: b!.id, mergedIds: [a!.id] })).rejects.toBeInstanceOf(StateError);
      expect((await t.contacts.get(a!.id)).id).toBe(a!.id);
    });
  });

  describe('concurrency', () => {
    it.skipIf(target.skip)('lets one of two concurrent merges of the same record win; the other merges nothing', async () => {
      const t = env.crm.tenant(newTenant());
      const [a, b, c] = await t.contacts.createMany([{ firstName: 'A' }, { firstName: 'B' }, { firstName: 'C' }]);
      await t.tasks.create({ title: 'Call', link: { type: 'contact', id: b!.id } });
      const results = await Promise.allSettled([
        t.duplicates.merge({ entity: 'contact', survivorId: a!.id, mergedIds: [b!.id] }),
        t.duplicates.merge({ entity: 'contact', survivorId: c!.id, mergedIds: [b!.id] }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(StateError);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ survivor: Contact }>).value.survivor.id;
      expect((await t.contacts.get(b!.id)).id).toBe(winner);
      expect((await t.tasks.list()).items.map((task) => task.linkedId)).toEqual([winner]);
      expect(await t.contacts.list()).toMatchObject({ items: [a, c].map((x) => ({ id: x!.id })) });
    });

    it.skipIf(target.skip)('refuses a merge decided on a stale version', async () => {
      const t = env.crm.tenant(newTenant());
      const a = await t.contacts.create({ firstName: 'A' });
      const b = await t.contacts.create({ firstName: 'B' });
      await t.contacts.update(b.id, { title: 'CEO' });
      await expect(t.duplicates.merge({ entity: 'contact', survivorId: a.id, mergedIds: [b.id], expectedVersions: { [b.id]: b.version } }))
        .rejects.toBeInstanceOf(ConflictError);
      expect((await t.contacts.get(b.id)).id).toBe(b.id);
      await t.duplicates.merge({ entity: 'contact', survivorId: a.id, mergedIds: [b.id], expectedVersions: { [a.id]: 1, [b.id]: 2 } });
    });
  });
});
