import { type CaseType, caseTypes, type CrmEvent, NotFoundError, StateError, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

describe.each(targets)('service contracts and warranties ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  function tenant(name = 'contracts') {
    env.clock.set('2026-03-02T09:00:00.000Z');
    return env.crm.tenant(`${name}-${process.pid}-${++tenants}`);
  }
  /** A tenant with a customer owning an asset of a product without warranty. */
  async function owned() {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const printer = await t.products.create({ name: 'Printer' });
    const asset = await t.assets.create({ productId: printer.id, contactId: ada.id, serialNumber: 'P-1' });
    return { t, ada, printer, asset };
  }
  const year = { startDate: '2026-03-01', endDate: '2027-02-28' };
  const run = it.skipIf(target.skip);

  run('creates a draft, activates, lapses and cancels along the valid transitions only', async () => {
    const { t, ada, asset } = await owned();
    const events: CrmEvent[] = [];
    t.events.on('*', (e) => void events.push(e));
    const draft = await t.contracts.create({
      name: 'Care+', kind: 'service', contactId: ada.id, assetIds: [asset.id, asset.id], ...year,
      price: { minor: 19_900, currency: 'usd' }, coverage: { caseTypes: ['incident', 'incident'], responseMinutes: 240, visitsIncluded: 2 },
    });
    expect(draft).toMatchObject({ status: 'draft', visitsUsed: 0, price: { minor: 19_900, currency: 'USD' }, coverage: { caseTypes: ['incident'], responseMinutes: 240, visitsIncluded: 2 } });
    expect(await t.contracts.assetIds(draft.id)).toEqual([asset.id]);
    await expect(t.contracts.lapse(draft.id)).rejects.toBeInstanceOf(StateError);
    const active = await t.contracts.activate(draft.id);
    expect(await t.contracts.activate(draft.id)).toEqual(active);
    const expired = await t.contracts.lapse(draft.id);
    await expect(t.contracts.activate(draft.id)).rejects.toBeInstanceOf(StateError);
    await expect(t.contracts.cancel(draft.id)).rejects.toBeInstanceOf(StateError);
    expect(expired.status).toBe('expired');
    const other = await t.contracts.create({ name: 'X', kind: 'maintenance', ...year, status: 'active' });
    await t.contracts.cancel(other.id);
    await expect(t.contracts.activate(other.id)).rejects.toBeInstanceOf(StateError);
    const moves = events.flatMap((e) => (e.type === 'contract.statusChanged' ? [e as CrmEvent<'contract.statusChanged'>] : []));
    expect(moves.map((e) => [e.data.from, e.data.to])).toEqual([
      ['draft', 'active'], ['active', 'expired'], ['active', 'cancelled'],
    ]);
  });

  run('refuses malformed contracts with a ValidationError and stores nothing', async () => {
    const { t } = await owned();
    const day = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    await fc.assert(fc.asyncProperty(day, day, async (a, b) => {
      fc.pre(a !== b);
      const [startDate, endDate] = a < b ? [b, a] : [a, b];
      await expect(t.contracts.create({ name: 'x', kind: 'service', startDate, endDate })).rejects.toBeInstanceOf(ValidationError);
    }), { numRuns: 30 });
    const bad = [
      { name: 'x', kind: 'insurance', ...year },
      { name: '', kind: 'service', ...year },
      { name: 'x', kind: 'service', ...year, coverage: { caseTypes: ['repair'] } },
      { name: 'x', kind: 'service', ...year, coverage: { caseTypes: [] } },
      { name: 'x', kind: 'service', ...year, status: 'renewed' },
      { name: 'x', kind: 'service', startDate: '2026-02-30', endDate: '2026-03-30' },
    ];
    for (const input of bad) await expect(t.contracts.create(input as never)).rejects.toBeInstanceOf(ValidationError);
    const c = await t.contracts.create({ name: 'x', kind: 'service', ...year });
    await expect(t.contracts.update(c.id, { endDate: '2026-01-01' })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.contracts.create({ name: 'x', kind: 'service', ...year, assetIds: ['missing'] })).rejects.toMatchObject({ entity: 'asset' });
    expect((await t.contracts.list()).items).toEqual([c]);
  });

  run('tells whether an asset is covered: in force, the day within start and end included, for the case type', async () => {
    const { t, ada, printer, asset } = await owned();
    const service = await t.contracts.create({ name: 'Care', kind: 'service', assetIds: [asset.id], ...year, status: 'active', coverage: { caseTypes: ['incident', 'question'] } });
    const covered = async (at: string | Date, type?: CaseType) => (await t.contracts.isCovered(asset.id, at, type)).covered;
    expect(await covered('2026-03-01')).toBe(true);
    expect(await covered('2027-02-28T23:59:59.999Z')).toBe(true);
    expect(await covered(new Date('2026-02-28T23:59:59.999Z'))).toBe(false);
    expect(await covered('2027-03-01')).toBe(false);
    expect(await covered('2026-06-01', 'incident')).toBe(true);
    expect(await covered('2026-06-01', 'installation')).toBe(false);
    await expect(t.contracts.isCovered(asset.id, '2026-06-01', 'repair' as never)).rejects.toBeInstanceOf(ValidationError);
    await t.contracts.lapse(service.id);
    expect(await covered('2026-06-01')).toBe(false);
    // Product-level coverage applies to the contract's own customer's assets of that product only.
    const scanner = await t.products.create({ name: 'Scanner' });
    const plan = await t.contracts.create({ name: 'Fleet', kind: 'maintenance', contactId: ada.id, productIds: [printer.id], ...year, status: 'active' });
    expect((await t.contracts.isCovered(asset.id, '2026-06-01', 'installation')).contracts.map((c) => c.id)).toEqual([plan.id]);
    const theirScanner = await t.assets.create({ productId: scanner.id, contactId: ada.id });
    expect(await t.contracts.isCovered(theirScanner.id, '2026-06-01')).toEqual({ covered: false, contracts: [] });
    const bob = await t.contacts.create({ firstName: 'Bob' });
    const bobsPrinter = await t.assets.create({ productId: printer.id, contactId: bob.id });
    expect((await t.contracts.isCovered(bobsPrinter.id, '2026-06-01')).covered).toBe(false);
    const draft = await t.contracts.create({ name: 'Draft', kind: 'service', assetIds: [bobsPrinter.id], ...year });
    expect((await t.contracts.isCovered(bobsPrinter.id, '2026-06-01')).covered).toBe(false);
    await t.contracts.activate(draft.id);
    for (const type of caseTypes) expect((await t.contracts.isCovered(bobsPrinter.id, '2026-06-01', type)).covered).toBe(true);
    await expect(t.contracts.isCovered('missing', '2026-06-01')).rejects.toBeInstanceOf(NotFoundError);
  });

  run('renews once: the next contract follows on, linked both ways, with the assets; the old one covers to its end', async () => {
    const { t, ada, asset } = await owned();
    const events: CrmEvent[] = [];
    t.events.on('*', (e) => void events.push(e));
    const old = await t.contracts.create({ name: 'Care', kind: 'extended_warranty', contactId: ada.id, assetIds: [asset.id], ...year, status: 'active', price: { minor: 100, currency: 'EUR' } });
    const { record, next } = await t.contracts.renew(old.id, { price: { minor: 120, currency: 'EUR' } });
    expect(record).toMatchObject({ id: old.id, status: 'renewed', renewedById: next.id });
    expect(next).toMatchObject({ status: 'active', kind: 'extended_warranty', renewsContractId: old.id, startDate: '2027-03-01', endDate: '2028-02-29', contactId: ada.id, price: { minor: 120, currency: 'EUR' } });
    expect(await t.contracts.assetIds(next.id)).toEqual([asset.id]);
    expect((await t.contracts.isCovered(asset.id, '2026-12-01')).contracts.map((c) => c.id)).toEqual([old.id]);
    expect((await t.contracts.isCovered(asset.id, '2028-02-29')).contracts.map((c) => c.id)).toEqual([next.id]);
    await expect(t.contracts.renew(old.id)).rejects.toBeInstanceOf(StateError);
    const renewed = events.filter((e) => e.type === 'contract.renewed');
    expect(renewed.map((e) => e.data)).toEqual([{ record, next }]);
    const days = await t.contracts.create({ name: 'Trial', kind: 'subscription', startDate: '2026-03-01', endDate: '2026-03-30', status: 'active' });
    expect((await t.contracts.renew(days.id)).next).toMatchObject({ startDate: '2026-03-31', endDate: '2026-04-29', price: null });
    const draft = await t.contracts.create({ name: 'Draft', kind: 'service', ...year });
    await expect(t.contracts.renew(draft.id)).rejects.toBeInstanceOf(StateError);
    const [a, b] = await Promise.allSettled([t.contracts.renew(next.id), t.contracts.renew(next.id)]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect((await t.contracts.list({ where: { renewsContractId: next.id } })).items).toHaveLength(1);
  });

  run('lists the active contracts expiring within N days of today, soonest first, paged', async () => {
    const t = tenant();
    const make = (name: string, endDate: string, kind: 'service' | 'warranty' = 'service', status: 'active' | 'draft' = 'active') =>
      t.contracts.create({ name, kind, startDate: '2025-01-01', endDate, status });
    await make('ended yesterday', '2026-03-01');
    await make('ends today', '2026-03-02');
    await make('in 30 days', '2026-04-01', 'warranty');
    await make('in 10 days', '2026-03-12');
    await make('in 31 days', '2026-04-02');
    await make('draft', '2026-03-05', 'service', 'draft');
    const lapsed = await make('lapsed', '2026-03-06');
    await t.contracts.lapse(lapsed.id);
    const first = await t.contracts.expiring({ withinDays: 30, limit: 2 });
    const rest = await t.contracts.expiring({ withinDays: 30, limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((c) => c.name)).toEqual(['ends today', 'in 10 days', 'in 30 days']);
    expect((await t.contracts.expiring({ withinDays: 30, kinds: ['warranty'] })).items.map((c) => c.name)).toEqual(['in 30 days']);
    expect((await t.contracts.expiring({ withinDays: 0 })).items.map((c) => c.name)).toEqual(['ends today']);
    env.clock.set('2026-03-20T23:00:00Z');
    expect((await t.contracts.expiring({ withinDays: 13 })).items.map((c) => c.name)).toEqual(['in 30 days', 'in 31 days']);
    await expect(t.contracts.expiring({ withinDays: -1 })).rejects.toBeInstanceOf(ValidationError);
  });

  run('replaces the covered assets on update and reports it in the changes', async () => {
    const { t, printer, asset } = await owned();
    const second = await t.assets.create({ productId: printer.id });
    const c = await t.contracts.create({ name: 'Care', kind: 'service', assetIds: [asset.id], ...year });
    const events: CrmEvent<'contract.updated'>[] = [];
    t.events.on('contract.updated', (e) => void events.push(e));
    await t.contracts.update(c.id, { assetIds: [second.id], name: 'Care 2' });
    expect(await t.contracts.assetIds(c.id)).toEqual([second.id]);
    expect(events[0]?.data.changes.map((change) => change.field)).toEqual(['name', 'assetIds']);
    await t.contracts.update(c.id, { assetIds: [second.id] });
    expect(events).toHaveLength(1);
  });

  run('keeps tenants apart: another tenant can neither read, list, check nor reference the contracts', async () => {
    const { t, asset } = await owned();
    const c = await t.contracts.create({ name: 'Care', kind: 'service', assetIds: [asset.id], ...year, status: 'active' });
    const other = tenant('others');
    await expect(other.contracts.get(c.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await other.contracts.list()).items).toEqual([]);
    expect((await other.contracts.expiring({ withinDays: 3660 })).items).toEqual([]);
    await expect(other.contracts.isCovered(asset.id, '2026-06-01')).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.contracts.renew(c.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.contracts.create({ name: 'x', kind: 'service', ...year, assetIds: [asset.id] })).rejects.toMatchObject({ entity: 'asset' });
    await expect(other.tasks.create({ title: 'Offer renewal', link: { type: 'contract', id: c.id } })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.tasks.create({ title: 'Offer renewal', link: { type: 'contract', id: c.id } })).resolves.toMatchObject({ linkedType: 'contract' });
  });
});
