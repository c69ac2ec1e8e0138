import { type CrmEvent, DuplicateError, NotFoundError, StateError, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

describe.each(targets)('assets ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  function tenant(name = 'assets') {
    env.clock.set('2026-03-02T09:00:00.000Z');
    return env.crm.tenant(`${name}-${process.pid}-${++tenants}`);
  }
  /** A tenant with a customer, a product with a two-year warranty and an order of it. */
  async function shop() {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const acme = await t.companies.create({ name: 'Acme' });
    const printer = await t.products.create({ name: 'Printer', price: { minor: 30_000, currency: 'USD' }, warrantyMonths: 24 });
    const order = await t.orders.create({ contactId: ada.id, companyId: acme.id, currency: 'USD', placedAt: '2026-01-31T18:00:00Z', lines: [{ productId: printer.id, quantity: 2 }] });
    const [line] = await t.orders.lines(order.id);
    return { t, ada, acme, printer, order, line: line! };
  }
  const run = it.skipIf(target.skip);

  run('records an asset bought with an order line, taking the order\'s customer and purchase day', async () => {
    const { t, ada, acme, printer, order, line } = await shop();
    const asset = await t.assets.create({ productId: printer.id, serialNumber: 'PR-1', orderLineId: line.id, installedAt: '2026-02-03', location: 'Lab 2' });
    expect(asset).toMatchObject({
      productId: printer.id, serialNumber: 'PR-1', name: 'Printer', contactId: ada.id, companyId: acme.id, orderId: order.id,
      orderLineId: line.id, purchasedAt: '2026-01-31', installedAt: '2026-02-03', location: 'Lab 2', status: 'active', replacedById: null,
    });
    expect(await t.assets.get(asset.id)).toEqual(asset);
    const bob = await t.contacts.create({ firstName: 'Bob' });
    expect(await t.assets.create({ productId: printer.id, orderId: order.id, contactId: bob.id })).toMatchObject({ contactId: bob.id, companyId: null, orderId: order.id });
  });

  run('creates the product\'s warranty with the asset, in the same transaction, from the purchase day', async () => {
    const { t, printer, line } = await shop();
    const events: CrmEvent[] = [];
    t.events.on('*', (e) => void events.push(e));
    const asset = await t.assets.create({ productId: printer.id, serialNumber: 'PR-1', orderLineId: line.id });
    const [warranty] = await t.contracts.ofAsset(asset.id);
    // Bought on Jan 31: 24 months later is Jan 31, so the last day covered is Jan 30.
    expect(warranty).toMatchObject({ kind: 'warranty', status: 'active', startDate: '2026-01-31', endDate: '2028-01-30', contactId: asset.contactId, coverage: { caseTypes: null }, price: null });
    expect(events.map((e) => e.type)).toEqual(['asset.created', 'contract.created']);
    expect(new Set(events.map((e) => e.occurredAt)).size).toBe(1);
    expect(await t.contracts.assetIds(warranty!.id)).toEqual([asset.id]);
    // Without a purchase: from the installation, else from today.
    const installed = await t.assets.create({ productId: printer.id, installedAt: '2026-02-10' });
    expect((await t.contracts.ofAsset(installed.id))[0]).toMatchObject({ startDate: '2026-02-10', endDate: '2028-02-09' });
    const today = await t.assets.create({ productId: printer.id });
    expect((await t.contracts.ofAsset(today.id))[0]).toMatchObject({ startDate: '2026-03-02', endDate: '2028-03-01' });
    const cable = await t.products.create({ name: 'Cable' });
    expect(await t.contracts.ofAsset((await t.assets.create({ productId: cable.id })).id)).toEqual([]);
    // A failing create leaves neither asset nor warranty.
    await expect(t.assets.create({ productId: printer.id, ownerId: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await t.contracts.list()).items).toHaveLength(3);
  });

  run('keeps serial numbers unique per tenant and product', async () => {
    const { t, printer } = await shop();
    const scanner = await t.products.create({ name: 'Scanner' });
    await t.assets.create({ productId: printer.id, serialNumber: 'SN-1' });
    await expect(t.assets.create({ productId: printer.id, serialNumber: 'SN-1' })).rejects.toBeInstanceOf(DuplicateError);
    await expect(t.assets.create({ productId: scanner.id, serialNumber: 'SN-1' })).resolves.toMatchObject({ serialNumber: 'SN-1' });
    await t.assets.create({ productId: scanner.id });
    await t.assets.create({ productId: scanner.id, serialNumber: '  ' });
    const other = tenant('others');
    const theirs = await other.products.create({ name: 'Printer' });
    await expect(other.assets.create({ productId: theirs.id, serialNumber: 'SN-1' })).resolves.toMatchObject({ serialNumber: 'SN-1' });
    const scanned = await t.assets.list({ where: { productId: scanner.id } });
    expect(scanned.items.map((a) => a.serialNumber).sort()).toEqual(['SN-1', null, null]);
    expect((await t.contracts.list()).items).toHaveLength(1);
  });

  run('checks the purchase: the order line must be a line of the order, for the asset\'s product', async () => {
    const { t, ada, printer, line } = await shop();
    const other = await t.orders.create({ contactId: ada.id, currency: 'USD', lines: [{ productId: printer.id }] });
    await expect(t.assets.create({ productId: printer.id, orderId: other.id, orderLineId: line.id })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: ['orderLineId'] }] });
    const scanner = await t.products.create({ name: 'Scanner' });
    await expect(t.assets.create({ productId: scanner.id, orderLineId: line.id })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.assets.create({ productId: printer.id, orderLineId: 'missing' })).rejects.toMatchObject({ entity: 'orderLine' });
    await expect(t.assets.create({ productId: 'missing' })).rejects.toMatchObject({ entity: 'product' });
    expect((await t.assets.list()).items).toEqual([]);
  });

  run('refuses malformed assets with a ValidationError and stores nothing', async () => {
    const { t, printer } = await shop();
    const bad = fc.oneof(
      fc.record({ productId: fc.constant(printer.id), purchasedAt: fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)) }),
      fc.record({ productId: fc.constant(printer.id), serialNumber: fc.string({ minLength: 129, maxLength: 200 }) }),
      fc.record({ productId: fc.constant(printer.id), status: fc.constantFrom('active', 'retired') }),
      fc.record({ productId: fc.constantFrom('', 'x'.repeat(65)) }),
    );
    await fc.assert(fc.asyncProperty(bad, async (input) => {
      await expect(t.assets.create(input as never)).rejects.toBeInstanceOf(ValidationError);
    }), { numRuns: 40 });
    expect((await t.assets.list()).items).toEqual([]);
  });

  run('moves between active and in repair, retires, and leaves replacing to replace', async () => {
    const { t, printer } = await shop();
    const asset = await t.assets.create({ productId: printer.id, serialNumber: 'A' });
    const events: CrmEvent<'asset.statusChanged'>[] = [];
    t.events.on('asset.statusChanged', (e) => void events.push(e));
    await t.assets.setStatus(asset.id, 'in_repair');
    await t.assets.setStatus(asset.id, 'active');
    await expect(t.assets.setStatus(asset.id, 'replaced' as never)).rejects.toBeInstanceOf(ValidationError);
    const retired = await t.assets.setStatus(asset.id, 'retired');
    await expect(t.assets.setStatus(asset.id, 'active')).rejects.toBeInstanceOf(StateError);
    expect(await t.assets.setStatus(asset.id, 'retired')).toEqual(retired);
    expect(events.map((e) => [e.data.from, e.data.to])).toEqual([['active', 'in_repair'], ['in_repair', 'active'], ['active', 'retired']]);
    const renamed = await t.assets.update(asset.id, { location: 'Basement', name: 'Old printer' });
    expect(renamed).toMatchObject({ location: 'Basement', name: 'Old printer', status: 'retired' });
    await expect(t.assets.update(asset.id, { productId: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  run('replaces an asset: the new one takes over its coverage, the old one points at it', async () => {
    const { t, printer, line } = await shop();
    const asset = await t.assets.create({ productId: printer.id, serialNumber: 'OLD', orderLineId: line.id, location: 'Lab' });
    const [warranty] = await t.contracts.ofAsset(asset.id);
    env.clock.set('2026-06-01T12:00:00Z');
    const { record, replacement } = await t.assets.replace(asset.id, { serialNumber: 'NEW' });
    expect(record).toMatchObject({ status: 'replaced', replacedById: replacement.id });
    expect(replacement).toMatchObject({ productId: printer.id, serialNumber: 'NEW', location: 'Lab', installedAt: '2026-06-01', purchasedAt: '2026-01-31', orderLineId: line.id, status: 'active' });
    expect(await t.contracts.assetIds(warranty!.id)).toEqual([replacement.id]);
    expect((await t.contracts.isCovered(replacement.id, '2026-06-02')).contracts.map((c) => c.id)).toEqual([warranty!.id]);
    expect((await t.contracts.isCovered(asset.id, '2026-06-02')).covered).toBe(false);
    expect((await t.contracts.list()).items).toHaveLength(1);
    await expect(t.assets.replace(asset.id, { serialNumber: 'AGAIN' })).rejects.toBeInstanceOf(StateError);
    await expect(t.assets.replace(replacement.id, { serialNumber: 'NEW' })).rejects.toBeInstanceOf(DuplicateError);
    expect((await t.assets.get(replacement.id)).status).toBe('active');
  });

  run('lists a customer\'s assets newest first and keeps tenants apart', async () => {
    const { t, ada, acme, printer } = await shop();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      env.clock.advance(1000);
      ids.push((await t.assets.create({ productId: printer.id, contactId: ada.id, companyId: acme.id })).id);
    }
    const page = await t.assets.ofCustomer({ contactId: ada.id }, { limit: 2 });
    const rest = await t.assets.ofCustomer({ contactId: ada.id }, { limit: 2, cursor: page.nextCursor! });
    expect([...page.items, ...rest.items].map((a) => a.id)).toEqual([...ids].reverse());
    expect((await t.assets.ofCustomer({ companyId: acme.id })).items).toHaveLength(3);
    const other = tenant('others');
    await expect(other.assets.get(ids[0]!)).rejects.toBeInstanceOf(NotFoundError);
    expect((await other.assets.list()).items).toEqual([]);
    expect((await other.assets.ofCustomer({ contactId: ada.id })).items).toEqual([]);
    await expect(other.assets.create({ productId: printer.id })).rejects.toMatchObject({ entity: 'product' });
    await expect(other.assets.replace(ids[0]!, { serialNumber: 'X' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.contracts.ofAsset(ids[0]!)).rejects.toBeInstanceOf(NotFoundError);
  });
});
