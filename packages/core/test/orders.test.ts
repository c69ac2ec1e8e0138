import { type CrmEvent, NotFoundError, orderStatuses, orderTransitions, StateError, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

describe.each(targets)('orders ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  /** A fresh tenant (no test sees another's rows) at the clock's start. */
  function tenant(name = 'orders') {
    env.clock.set('2026-03-02T09:00:00.000Z');
    return env.crm.tenant(`${name}-${process.pid}-${++tenants}`);
  }
  const run = it.skipIf(target.skip);

  run('records an order with its lines in minor units, line totals and the order total computed', async () => {
    const t = tenant();
    const events: CrmEvent[] = [];
    t.events.on('*', (e) => void events.push(e));
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const gtx = await t.products.create({ name: 'GTX Pro', price: { minor: 479_900, currency: 'USD' } });
    const order = await t.orders.create({
      contactId: ada.id, currency: 'usd', channel: 'web', number: 'W-1001',
      lines: [{ productId: gtx.id, quantity: 2, discountMinor: 9_800 }, { name: 'Cable', unitPriceMinor: 1_500 }],
    });
    expect(order).toMatchObject({ status: 'placed', placedAt: '2026-03-02T09:00:00.000Z', paidAt: null, channel: 'web', total: { minor: 951_500, currency: 'USD' } });
    const lines = await t.orders.lines(order.id);
    expect(lines.map((l) => [l.position, l.name, l.quantity, l.unitPriceMinor, l.discountMinor, l.totalMinor, l.currency])).toEqual([
      [1, 'GTX Pro', 2, 479_900, 9_800, 950_000, 'USD'],
      [2, 'Cable', 1, 1_500, 0, 1_500, 'USD'],
    ]);
    expect(lines.every((l) => l.contactId === ada.id && l.placedAt === order.placedAt)).toBe(true);
    expect(events.filter((e) => e.type.startsWith('order.')).map((e) => e.type)).toEqual(['order.created']);
    expect(await t.orders.find({ number: 'W-1001' })).toEqual(order);
  });

  run('refuses malformed orders with a ValidationError carrying the issues, and writes nothing', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const badLine = fc.oneof(
      fc.record({ name: fc.constant('x'), unitPriceMinor: fc.integer({ max: -1 }) }),
      fc.record({ name: fc.constant('x'), unitPriceMinor: fc.constant(10), quantity: fc.oneof(fc.integer({ max: 0 }), fc.double({ min: 0.01, max: 0.99, noNaN: true })) }),
      fc.integer({ min: 1, max: 1000 }).chain((price) => fc.record({ name: fc.constant('x'), unitPriceMinor: fc.constant(price), discountMinor: fc.integer({ min: price + 1, max: price * 10 }) })),
      fc.record({ unitPriceMinor: fc.constant(10) }),
      fc.record({ name: fc.constant('x') }),
    );
    await fc.assert(fc.asyncProperty(badLine, async (line) => {
      await expect(t.orders.create({ contactId: ada.id, currency: 'USD', lines: [line as never] })).rejects.toBeInstanceOf(ValidationError);
    }), { numRuns: 40 });
    const noCustomer = await t.orders.create({ currency: 'USD', lines: [{ name: 'x', unitPriceMinor: 1 }] }).catch((e: unknown) => e);
    expect(noCustomer).toBeInstanceOf(ValidationError);
    expect((noCustomer as ValidationError).issues[0]).toMatchObject({ path: ['contactId'] });
    await expect(t.orders.create({ contactId: ada.id, currency: 'USD', lines: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.orders.create({ contactId: ada.id, currency: 'XYZ', lines: [{ name: 'x', unitPriceMinor: 1 }] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.orders.create({ contactId: ada.id, currency: 'USD', placedAt: '2026-03-02T09:00:00Z', paidAt: '2026-03-01T09:00:00Z', lines: [{ name: 'x', unitPriceMinor: 1 }] }))
      .rejects.toBeInstanceOf(ValidationError);
    const euro = await t.products.create({ name: 'Euro thing', price: { minor: 100, currency: 'EUR' } });
    await expect(t.orders.create({ contactId: ada.id, currency: 'USD', lines: [{ productId: euro.id }] })).rejects.toBeInstanceOf(ValidationError);
    expect((await t.orders.list()).items).toEqual([]);
  });

  run('moves along the valid status transitions only, stamping the time of each', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const line = { name: 'x', unitPriceMinor: 100 };
    for (const from of orderStatuses) {
      for (const to of orderStatuses) {
        const order = await t.orders.create({ contactId: ada.id, currency: 'USD', status: from, lines: [line] });
        const move = t.orders.setStatus(order.id, to, { at: '2026-03-03T10:00:00Z' });
        if (from === to) await expect(move).resolves.toEqual(order);
        else if (orderTransitions[from].includes(to)) await expect(move).resolves.toMatchObject({ status: to, [`${to}At`]: '2026-03-03T10:00:00.000Z' });
        else await expect(move).rejects.toBeInstanceOf(StateError);
      }
    }
    const events: CrmEvent[] = [];
    t.events.on('order.statusChanged', (e) => void events.push(e));
    const order = await t.orders.create({ contactId: ada.id, currency: 'USD', lines: [line] });
    await expect(t.orders.setStatus(order.id, 'paid', { at: '2026-03-01T00:00:00Z' })).rejects.toBeInstanceOf(ValidationError);
    env.clock.advance(3_600_000);
    const paid = await t.orders.setStatus(order.id, 'paid');
    const fulfilled = await t.orders.setStatus(order.id, 'fulfilled', { expectedVersion: paid.version });
    expect(fulfilled).toMatchObject({ status: 'fulfilled', paidAt: '2026-03-02T10:00:00.000Z', fulfilledAt: '2026-03-02T10:00:00.000Z' });
    await expect(t.orders.setStatus(order.id, 'cancelled')).rejects.toBeInstanceOf(StateError);
    await expect(t.orders.setStatus(order.id, 'shipped' as never)).rejects.toBeInstanceOf(ValidationError);
    expect(events.map((e) => e.data)).toEqual([
      { record: paid, from: 'placed', to: 'paid' },
      { record: fulfilled, from: 'paid', to: 'fulfilled' },
    ]);
  });

  run('imports an order once per externalId: repeating the import returns the stored order and writes nothing', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const events: CrmEvent[] = [];
    t.events.on('*', (e) => void events.push(e));
    const input = { contactId: ada.id, currency: 'USD', externalId: 'shop-1', placedAt: '2026-01-05T12:00:00Z', lines: [{ name: 'Toner', unitPriceMinor: 2_500, quantity: 3 }] };
    const first = await t.orders.create(input);
    const again = await t.orders.create({ ...input, lines: [{ name: 'Something else', unitPriceMinor: 1 }] });
    expect(again).toEqual(first);
    expect(events).toHaveLength(1);
    expect(await t.orders.lines(first.id)).toHaveLength(1);
    const [a, b] = await Promise.all([t.orders.create({ ...input, externalId: 'shop-2' }), t.orders.create({ ...input, externalId: 'shop-2' })]);
    expect(a).toEqual(b);
    const keyed = await t.orders.create({ ...input, externalId: null }, { idempotencyKey: 'job-7' });
    expect(await t.orders.create({ ...input, externalId: null, currency: 'EUR' }, { idempotencyKey: 'job-7' })).toEqual(keyed);
    expect((await t.orders.list()).items.map((o) => o.externalId).sort()).toEqual([null, 'shop-1', 'shop-2']);
    expect(await t.orders.find({ externalId: 'shop-1' })).toEqual(first);
  });

  run('makes the order of a won deal from its lines, once; a deal not won is a StateError', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const acme = await t.companies.create({ name: 'Acme' });
    const gtx = await t.products.create({ name: 'GTX Pro', price: { minor: 10_000, currency: 'USD' } });
    const sales = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await t.deals.create({
      title: 'Lab kit', pipelineId: sales.id, contactIds: [ada.id], companyId: acme.id,
      lines: [{ productId: gtx.id, quantity: 3, discountPercent: 10 }, { name: 'Consulting', quantity: 1.5, unitPriceMinor: 20_000 }],
    });
    await expect(t.orders.createFromDeal(deal.id)).rejects.toBeInstanceOf(StateError);
    env.clock.advance(60_000);
    const won = await t.deals.markWon(deal.id);
    env.clock.advance(60_000);
    const order = await t.orders.createFromDeal(deal.id, { channel: 'sales' });
    expect(order).toMatchObject({ dealId: deal.id, contactId: ada.id, companyId: acme.id, placedAt: won.closedAt, channel: 'sales', total: { minor: 57_000, currency: 'USD' } });
    const lines = await t.orders.lines(order.id);
    expect(lines.map((l) => [l.productId, l.quantity, l.unitPriceMinor, l.discountMinor, l.totalMinor])).toEqual([
      [gtx.id, 3, 10_000, 3_000, 27_000],
      [null, 1, 30_000, 0, 30_000],
    ]);
    expect(await t.orders.createFromDeal(deal.id)).toEqual(order);
    expect((await t.orders.list()).items).toHaveLength(1);
    await expect(t.orders.createFromDeal('missing')).rejects.toBeInstanceOf(NotFoundError);
    const lost = await t.deals.markLost((await t.deals.create({ title: 'Lost', pipelineId: sales.id, contactIds: [ada.id] })).id);
    await expect(t.orders.createFromDeal(lost.id)).rejects.toBeInstanceOf(StateError);
  });

  run('lists the orders of a contact or a company newest first, page by page', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const bob = await t.contacts.create({ firstName: 'Bob' });
    const acme = await t.companies.create({ name: 'Acme' });
    const at = (day: number) => `2026-02-${String(day).padStart(2, '0')}T10:00:00Z`;
    for (const day of [3, 1, 5, 4, 2]) await t.orders.create({ contactId: ada.id, companyId: acme.id, currency: 'USD', placedAt: at(day), lines: [{ name: `d${day}`, unitPriceMinor: day }] });
    await t.orders.create({ contactId: bob.id, currency: 'USD', placedAt: at(6), lines: [{ name: 'bob', unitPriceMinor: 1 }] });
    const first = await t.orders.ofCustomer({ contactId: ada.id }, { limit: 3 });
    const rest = await t.orders.ofCustomer({ contactId: ada.id }, { limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((o) => o.placedAt.slice(8, 10))).toEqual(['05', '04', '03', '02', '01']);
    expect(rest.nextCursor).toBeUndefined();
    expect((await t.orders.ofCustomer({ companyId: acme.id })).items).toHaveLength(5);
    await expect(t.orders.ofCustomer({ contactId: ada.id, companyId: acme.id } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  run('ranks customers by their last order with count and totals per currency, paged, with before and after', async () => {
    const t = tenant();
    const people = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((firstName) => t.contacts.create({ firstName })));
    const [a, b, c, d, e] = people.map((p) => p.id) as [string, string, string, string, string];
    const buy = (contactId: string, day: number, minor: number, currency = 'USD', status: 'placed' | 'cancelled' = 'placed') =>
      t.orders.create({ contactId, currency, status, placedAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`, lines: [{ name: 'x', unitPriceMinor: minor }] });
    await buy(a, 1, 100); await buy(a, 20, 200); await buy(a, 21, 50, 'EUR');
    await buy(b, 10, 300);
    await buy(c, 10, 400); await buy(c, 2, 5);
    await buy(d, 15, 1); await buy(d, 30, 999, 'USD', 'cancelled');
    await buy(e, 10, 7);
    const seen = [];
    let page = await t.orders.lastOrders({ limit: 2 });
    for (;;) {
      seen.push(...page.items);
      if (!page.nextCursor) break;
      page = await t.orders.lastOrders({ limit: 2, cursor: page.nextCursor });
    }
    const tied = [b, c, e].sort().reverse();
    expect(seen.map((s) => s.contactId)).toEqual([a, d, ...tied]);
    expect(seen[0]).toEqual({ contactId: a, lastOrderAt: '2026-01-21T00:00:00.000Z', firstOrderAt: '2026-01-01T00:00:00.000Z', orders: 3,
      totals: [{ minor: 50, currency: 'EUR' }, { minor: 300, currency: 'USD' }] });
    expect(seen.find((s) => s.contactId === d)).toMatchObject({ orders: 1, lastOrderAt: '2026-01-15T00:00:00.000Z' });
    expect(seen.find((s) => s.contactId === c)).toMatchObject({ orders: 2, totals: [{ minor: 405, currency: 'USD' }] });
    const lapsed = await t.orders.lastOrders({ before: '2026-01-15T00:00:00Z' });
    expect(lapsed.items.map((s) => s.contactId)).toEqual(tied);
    const recent = await t.orders.lastOrders({ after: '2026-01-15T00:00:00Z' });
    expect(recent.items.map((s) => s.contactId)).toEqual([a, d]);
    expect((await t.orders.lastOrders({ statuses: ['cancelled'] })).items.map((s) => s.contactId)).toEqual([d]);
    await expect(t.orders.lastOrders({ cursor: 'forged' })).rejects.toBeInstanceOf(ValidationError);
  });

  run('changes the customer of an order and its lines, but never leaves it without one', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const bob = await t.contacts.create({ firstName: 'Bob' });
    const order = await t.orders.create({ contactId: ada.id, currency: 'USD', lines: [{ name: 'x', unitPriceMinor: 1 }] });
    const moved = await t.orders.update(order.id, { contactId: bob.id, channel: 'phone' });
    expect(moved).toMatchObject({ contactId: bob.id, channel: 'phone', version: 2 });
    expect((await t.orders.lines(order.id))[0]!.contactId).toBe(bob.id);
    await expect(t.orders.update(order.id, { contactId: null })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.orders.update(order.id, { status: 'paid' } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  run('keeps tenants apart: another tenant can neither read, list, rank nor reference the orders', async () => {
    const t = tenant();
    const them = tenant('others');
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const order = await t.orders.create({ contactId: ada.id, currency: 'USD', externalId: 'x-1', lines: [{ name: 'x', unitPriceMinor: 1 }] });
    await expect(them.orders.get(order.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(them.orders.lines(order.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await them.orders.list()).items).toEqual([]);
    expect((await them.orders.lastOrders()).items).toEqual([]);
    expect((await them.orders.ofCustomer({ contactId: ada.id })).items).toEqual([]);
    await expect(them.orders.create({ contactId: ada.id, currency: 'USD', lines: [{ name: 'x', unitPriceMinor: 1 }] })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contact' });
    const theirs = await them.contacts.create({ firstName: 'Them' });
    const own = await them.orders.create({ contactId: theirs.id, currency: 'USD', externalId: 'x-1', lines: [{ name: 'y', unitPriceMinor: 2 }] });
    expect(own.id).not.toBe(order.id);
    const product = await them.products.create({ name: 'P' });
    await expect(them.assets.create({ productId: product.id, orderId: order.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'order' });
    await expect(them.tasks.create({ title: 'Chase', link: { type: 'order', id: order.id } })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.tasks.create({ title: 'Chase', link: { type: 'order', id: order.id } })).resolves.toMatchObject({ linkedType: 'order' });
  });
});
