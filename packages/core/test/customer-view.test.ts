import { createCrm, type Crm, NotFoundError, type Storage, type StorageAdapter, type TenantScope, ValidationError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const hour = 3_600_000;

/** An adapter that counts the storage calls made through it and through its transaction handles. */
function countingAdapter(adapter: StorageAdapter) {
  const counter = { calls: 0 };
  const wrap = <S extends Storage>(storage: S): S =>
    new Proxy(storage, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'constructor' || prop === 'compileMigrations') return value;
        if (prop === 'transaction') return (fn: (tx: Storage) => Promise<unknown>) => target.transaction((tx) => fn(wrap(tx)));
        return (...args: unknown[]) => {
          counter.calls++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { adapter: wrap(adapter), counter };
}

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`the 360-degree customer view (${target.name})`, () => {
    let env: CrmOnTarget;
    let counted: { crm: Crm; counter: { calls: number } };
    let tenants = 0;

    beforeAll(async () => {
      env = await target.open();
      const { adapter, counter } = countingAdapter(env.adapter);
      counted = { crm: await createCrm({ adapter, clock: env.clock }), counter };
    });
    afterAll(() => env.crm.close());

    /** A customer with one of everything, in a fresh tenant; `more` adds that many orders, assets, cases and deals. */
    async function customer(t: TenantScope) {
      const company = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
      const ada = await t.contacts.create({
        firstName: 'Ada', email: 'ada@acme.io', companyId: company.id, birthDate: '1985-12-10', occupation: 'engineer',
        city: 'Lyon', country: 'FR', preferredChannel: 'email', productInterests: ['printers'], consent: { email: 'granted', sms: 'denied' },
      });
      const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
      const printer = await t.products.create({ name: 'Printer', warrantyMonths: 24, price: { minor: 30_000, currency: 'EUR' } });
      const toner = await t.products.create({ name: 'Toner' });
      await t.slaPolicies.create({ name: 'Standard', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 24 * 60 } } });
      const more = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await t.deals.create({ title: `Deal ${i}`, pipelineId: pipeline.id, contactIds: [ada.id] });
          await t.orders.create({ contactId: ada.id, currency: 'EUR', lines: [{ productId: toner.id, unitPriceMinor: 1_000 }] });
          await t.assets.create({ productId: printer.id, contactId: ada.id, purchasedAt: '2026-01-15' });
          await t.cases.create({ subject: `Ticket ${i}`, contactId: ada.id });
        }
      };
      return { company, ada, pipeline, printer, toner, more };
    }

    function tenant(): TenantScope {
      env.clock.set('2026-03-02T09:00:00.000Z');
      return env.crm.tenant(`view-${++tenants}`);
    }

    it('gathers the profile, open deals, orders, assets with coverage, open cases with SLA state, satisfaction and timeline', async () => {
      const t = tenant();
      const { company, ada, pipeline, printer, toner } = await customer(t);
      const open = await t.deals.create({ title: 'Renewal', pipelineId: pipeline.id, contactIds: [ada.id] });
      await t.deals.create({ title: 'Won already', pipelineId: pipeline.id, contactIds: [ada.id], stage: 'won' });
      await t.deals.create({ title: 'Someone else’s', pipelineId: pipeline.id });
      const eur = await t.orders.create({ contactId: ada.id, currency: 'EUR', placedAt: '2026-01-10T10:00:00.000Z', lines: [{ productId: printer.id, quantity: 2 }] });
      const cancelled = await t.orders.create({ contactId: ada.id, currency: 'EUR', placedAt: '2026-02-01T10:00:00.000Z', lines: [{ productId: toner.id, unitPriceMinor: 5_000 }] });
      await t.orders.setStatus(cancelled.id, 'cancelled');
      await t.orders.create({ contactId: ada.id, currency: 'USD', placedAt: '2026-02-20T10:00:00.000Z', lines: [{ productId: toner.id, unitPriceMinor: 2_500, quantity: 3 }] });
      const warranted = await t.assets.create({ productId: printer.id, contactId: ada.id, purchasedAt: '2026-01-10', serialNumber: 'P-1' });
      const bare = await t.assets.create({ productId: toner.id, contactId: ada.id });
      const plan = await t.contracts.create({
        name: 'Toner plan', kind: 'service', contactId: ada.id, productIds: [toner.id], startDate: '2026-01-01', endDate: '2026-12-31', status: 'active',
      });
      const late = await t.cases.create({ subject: 'Paper jam', contactId: ada.id });
      const resolved = await t.cases.create({ subject: 'Done', contactId: ada.id });
      await t.cases.setStatus(resolved.id, 'resolved');
      const nps = await t.surveys.send({ kind: 'nps', contactId: ada.id });
      await t.surveys.respond(nps.id, { score: 9 });
      await t.interactions.log({ type: 'call', contactIds: [ada.id] });
      env.clock.advance(2 * hour);

      const view = await t.customers.view(ada.id);
      expect(view.contact.id).toBe(ada.id);
      expect(view.company?.id).toBe(company.id);
      expect(view.demographics).toEqual({ birthDate: '1985-12-10', occupation: 'engineer', familyStatus: null, city: 'Lyon', country: 'FR' });
      expect(view.preferences).toEqual({ preferredChannel: 'email', productInterests: ['printers'], consent: { email: 'granted', sms: 'denied' } });
      expect(view.openDeals).toEqual({ items: [expect.objectContaining({ id: open.id })], total: 1 });
      expect(view.orders).toMatchObject({
        count: 3, firstOrderAt: '2026-01-10T10:00:00.000Z', lastOrderAt: '2026-02-20T10:00:00.000Z',
        lifetimeValue: [{ minor: 60_000, currency: 'EUR', orders: 1 }, { minor: 7_500, currency: 'USD', orders: 1 }],
      });
      expect(view.orders.latest.map((o) => o.id)[2]).toBe(eur.id);
      const coverage = Object.fromEntries(view.assets.items.map((a) => [a.asset.id, a.contracts.map((c) => c.kind)]));
      expect(coverage).toEqual({ [warranted.id]: ['warranty'], [bare.id]: ['service'] });
      expect(view.assets.items.find((a) => a.asset.id === bare.id)?.contracts[0]?.id).toBe(plan.id);
      expect(view.assets.total).toBe(2);
      expect(view.openCases.total).toBe(1);
      const [state] = view.openCases.items;
      expect(state).toMatchObject({ case: { id: late.id }, paused: false, breached: true });
      expect(state!.targets.firstResponse).toEqual({ dueAt: '2026-03-02T10:00:00.000Z', state: 'running', breached: true });
      expect(state!.targets.resolution).toMatchObject({ dueAt: '2026-03-03T09:00:00.000Z', breached: false });
      expect(view.satisfaction).toMatchObject({ nps: { score: 9, at: '2026-03-02T09:00:00.000Z' }, csat: null, lastAnswer: { id: nps.id } });
      expect(view.timeline.items.map((i) => i.kind)).toContain('interaction');
    });

    it('marks an asset uncovered when its only contract has ended', async () => {
      const t = tenant();
      const { ada, toner } = await customer(t);
      const asset = await t.assets.create({ productId: toner.id, contactId: ada.id });
      await t.contracts.create({ name: 'Old plan', kind: 'service', assetIds: [asset.id], startDate: '2025-01-01', endDate: '2025-12-31', status: 'active' });
      const view = await t.customers.view(ada.id);
      expect(view.assets.items).toEqual([{ asset: expect.objectContaining({ id: asset.id }), covered: false, contracts: [] }]);
      expect(await t.contracts.isCovered(asset.id, env.clock.now())).toMatchObject({ covered: false });
    });

    it('reads in a number of queries that does not grow with the orders, assets, cases and deals', async () => {
      const t = tenant();
      const { ada, more } = await customer(t);
      await more(1);
      const scope = counted.crm.tenant(t.tenantId);
      const callsFor = async () => {
        const before = counted.counter.calls;
        const view = await scope.customers.view(ada.id, { orders: 100, assets: 100, cases: 100, deals: 100 });
        return { calls: counted.counter.calls - before, view };
      };
      const small = await callsFor();
      await more(25);
      const large = await callsFor();
      expect(large.view.orders.latest).toHaveLength(26);
      expect(large.view.assets.items).toHaveLength(26);
      expect(large.view.openCases.items).toHaveLength(26);
      expect(large.view.openDeals.items).toHaveLength(26);
      expect(large.calls).toBe(small.calls);
      expect(small.calls).toBeLessThanOrEqual(20);
    }, 60_000);

    it('refuses an unknown contact, another tenant’s contact and bad options', async () => {
      const t = tenant();
      const { ada } = await customer(t);
      await expect(t.customers.view('missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(env.crm.tenant('someone-else').customers.view(ada.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.customers.view(ada.id, { orders: -1 })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.customers.view(ada.id, { everything: true } as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
