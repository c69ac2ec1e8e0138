import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import type { Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { dealEntity } from '../deals/deal.entity.js';
import { DuplicateError, NotFoundError, StateError, ValidationError } from '../errors.js';
import { productEntity } from '../products/product.entity.js';
import type { Product } from '../products/product.schema.js';
import { type CustomerOrders, lastOrders, type LastOrdersOptions } from './last-orders.js';
import { orderEntity } from './order.entity.js';
import { orderLineModel, type orderModel } from './order.model.js';
import {
  type FromDealOptions, fromDealOptionsSchema, type Order, type OrderInput, orderInputSchema, type OrderLine,
  type OrderPatch, orderPatchSchema, type SetOrderStatusOptions, setStatusOptionsSchema,
} from './order.schema.js';
import { linesFromDeal, lineRows, linesTotal, type ResolvedLine, resolveOrderLines } from './order-lines.js';
import { assertOrderTransition, orderStatuses, type OrderStatus, statusTimeField } from './order-status.js';

/** Whose orders: a contact's or a company's. */
export type OrderCustomer = { contactId: string } | { companyId: string };

const customerSchema = z.union([z.strictObject({ contactId: idSchema }), z.strictObject({ companyId: idSchema })]);
const pageSchema = z
  .strictObject({ limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().max(4096).optional() })
  .optional()
  .default({});
const findSchema = z.union([z.strictObject({ externalId: z.string().min(1).max(128) }), z.strictObject({ number: z.string().min(1).max(64) })]);

type Parsed = z.output<typeof orderInputSchema>;

/** Orders with their lines: what customers bought. Reached as `crm.tenant(id).orders`. */
export class OrdersService extends RecordService<NonNullable<(typeof orderModel)['rowType']>, Order> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, orderEntity);
  }

  /**
   * Records an order with its lines in one transaction; line totals and the
   * order total are computed. An order with an `externalId` is imported once:
   * a repeated create with it returns the stored order, unchanged, and writes
   * nothing; so does one with a used `idempotencyKey`.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown contact, company, deal, product or owner
   * @throws {DuplicateError} for a deal that has an order already
   * @example
   * const order = await t.orders.create({
   *   contactId: ada.id, currency: 'USD', channel: 'web', externalId: 'shop-1001',
   *   lines: [{ productId: gtx.id, quantity: 2, discountMinor: 5_000 }],
   * });
   */
  async create(input: OrderInput, options?: CreateOptions): Promise<Order> {
    const data = parseInput(orderInputSchema, input, 'order');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    const stored = data.externalId ? await this.store.first({ externalId: data.externalId }) : undefined;
    if (stored !== undefined) return stored;
    try {
      return await createOnce(this.store, idempotencyKey, async (w) => {
        const products = await this.#productsOf(w, data.lines);
        return this.#insert(w, data, resolveOrderLines(data.lines, products, data.currency), idempotencyKey);
      });
    } catch (error) {
      // Two imports of one external order at once: the loser returns the winner's.
      if (!(error instanceof DuplicateError) || !data.externalId || this.ctx.unit !== undefined) throw error;
      const winner = await this.store.first({ externalId: data.externalId });
      if (winner === undefined) throw error;
      return winner;
    }
  }

  /**
   * Makes the order of a won deal: its product lines become the order lines
   * (a fractional quantity becomes one unit at the line's amount, so the
   * line total stays the deal's), its first contact and its company the
   * customer, its owner the owner; `placedAt` defaults to when it was won. A deal makes one order: calling again
   * returns that order and writes nothing.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown deal
   * @throws {StateError} when the deal is not won, or has neither contact nor company
   * @example
   * const won = await t.deals.markWon(deal.id);
   * const order = await t.orders.createFromDeal(won.id, { channel: 'sales' });
   */
  async createFromDeal(dealId: string, options?: FromDealOptions): Promise<Order> {
    const id = parseInput(idSchema, dealId, 'deal id');
    const opts = parseInput(fromDealOptionsSchema, options, 'options');
    const existing = await this.store.first({ dealId: id });
    if (existing !== undefined) return existing;
    try {
      return await this.ctx.write(async (w) => {
        const row = await w.tx.findOne({ model: dealEntity.model, tenantId: this.ctx.tenantId, id });
        if (row === undefined) throw new NotFoundError('deal', id);
        const deal = dealEntity.toRecord(row);
        if (deal.status !== 'won') throw new StateError(`Deal ${deal.id} is ${deal.status}, not won: only a won deal makes an order`);
        const contactId = deal.contactIds[0] ?? null;
        if (contactId === null && deal.companyId === null) throw new StateError(`Deal ${deal.id} has neither contact nor company to order`);
        const data: Parsed = {
          ...opts, status: opts.status ?? 'placed', placedAt: opts.placedAt ?? deal.closedAt ?? w.now,
          contactId, companyId: deal.companyId, dealId: deal.id, currency: deal.amount.currency, lines: [], ownerId: deal.ownerId,
        };
        return this.#insert(w, data, linesFromDeal(deal), undefined);
      });
    } catch (error) {
      if (!(error instanceof DuplicateError) || this.ctx.unit !== undefined) throw error;
      const winner = await this.store.first({ dealId: id });
      if (winner === undefined) throw error;
      return winner;
    }
  }

  /** The order with this external id or host order number, if any. @throws {ValidationError} */
  async find(by: { externalId: string } | { number: string }): Promise<Order | undefined> {
    return this.store.first(parseInput(findSchema, by, 'order key'));
  }

  /** An order's lines, in position order. @throws {ValidationError} @throws {NotFoundError} */
  async lines(orderId: string): Promise<OrderLine[]> {
    const id = parseInput(idSchema, orderId, 'order id');
    await this.store.get(id);
    return this.ctx.storage.findMany({ model: orderLineModel, tenantId: this.ctx.tenantId, where: { orderId: id }, orderBy: [{ field: 'position' }] });
  }

  /**
   * A contact's or a company's orders, newest first, by index.
   * @throws {ValidationError} for anything but one of `contactId` / `companyId`, or a foreign cursor
   * @example
   * const { items, nextCursor } = await t.orders.ofCustomer({ contactId: ada.id }, { limit: 20 });
   */
  async ofCustomer(customer: OrderCustomer, options?: { limit?: number; cursor?: string }): Promise<Page<Order>> {
    const where = parseInput(customerSchema, customer, 'customer');
    const page = parseInput(pageSchema, options, 'page options');
    return this.store.list({ where, orderBy: { placedAt: 'desc' }, ...page });
  }

  /**
   * Contacts by the time of their last order, most recent first, each with how
   * many orders and how much they spent: one aggregate in the database per page.
   * `before` keeps the customers whose last order is before an instant (lapsed
   * ones, for win-back), `after` those who ordered since.
   * @throws {ValidationError}
   * @example
   * const lapsed = await t.orders.lastOrders({ before: '2026-01-01T00:00:00Z', limit: 100 });
   */
  lastOrders(options?: LastOrdersOptions): Promise<Page<CustomerOrders>> {
    return lastOrders(this.ctx, options);
  }

  /**
   * Changes an order's number, channel, customer or owned fields. A new
   * contact is copied onto the lines.
   * @throws {ValidationError} when it would leave the order without contact and company
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: OrderPatch, options?: WriteOptions): Promise<Order> {
    const orderId = parseInput(idSchema, id, 'order id');
    const data = parseInput(orderPatchSchema, patch, 'order patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'contact', data.contactId);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { before, after, changes } = await this.store.patch(w, orderId, (order) => {
        const next = { ...defined(data), custom: mergedCustom(this.ctx, 'order', order.custom, data.custom) };
        if ((next.contactId === undefined ? order.contactId : next.contactId) === null && (next.companyId === undefined ? order.companyId : next.companyId) === null) {
          throw ValidationError.single('An order needs a contact or a company', ['contactId']);
        }
        return defined(next);
      }, expectedVersion);
      if (after.contactId !== before.contactId) {
        await w.tx.updateMany({ model: orderLineModel, tenantId: this.ctx.tenantId, where: { orderId }, data: { contactId: after.contactId, updatedAt: w.now } });
      }
      if (changes.length > 0) w.emit('order.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Moves an order to a status along the allowed transitions (placed -> paid ->
   * fulfilled -> returned; placed -> fulfilled; placed or paid -> cancelled) and
   * stamps the status's time. Setting the status it has changes nothing.
   * @throws {ValidationError} for an unknown status or a time before the order was placed
   * @throws {StateError} for a move the transitions do not allow @throws {NotFoundError} @throws {ConflictError}
   * @example
   * await t.orders.setStatus(order.id, 'fulfilled', { at: '2026-03-04T10:00:00Z' });
   */
  async setStatus(id: string, status: OrderStatus, options?: SetOrderStatusOptions): Promise<Order> {
    const orderId = parseInput(idSchema, id, 'order id');
    const to = parseInput(z.enum(orderStatuses), status, 'order status');
    const opts = parseInput(setStatusOptionsSchema, options, 'options');
    return this.ctx.write(async (w) => {
      const { before, after, changes } = await this.store.patch(w, orderId, (order) => {
        if (order.status === to) return {};
        assertOrderTransition(order.status, to);
        const at = opts.at ?? w.now;
        if (at < order.placedAt) throw ValidationError.single(`The order was placed at ${order.placedAt}, after ${at}`, ['at']);
        return { status: to, [statusTimeField[to]]: at };
      }, opts.expectedVersion);
      if (changes.length > 0) w.emit('order.statusChanged', { record: after, from: before.status, to });
      return after;
    });
  }

  async #insert(w: WriteScope, data: Parsed, lines: ResolvedLine[], idempotencyKey: string | undefined): Promise<Order> {
    await assertExists(w.tx, this.ctx, 'contact', data.contactId);
    await assertExists(w.tx, this.ctx, 'company', data.companyId);
    await assertExists(w.tx, this.ctx, 'deal', data.dealId);
    await assertExists(w.tx, this.ctx, 'member', data.ownerId);
    const placedAt = data.placedAt ?? w.now;
    const times = { paidAt: data.paidAt ?? null, fulfilledAt: data.fulfilledAt ?? null, cancelledAt: data.cancelledAt ?? null, returnedAt: data.returnedAt ?? null };
    if (data.status !== 'placed') times[statusTimeField[data.status]] ??= placedAt;
    for (const [field, at] of Object.entries(times)) {
      if (at !== null && at < placedAt) throw ValidationError.single(`${field} is before placedAt`, [field]);
    }
    const order = await this.store.insert(w, {
      number: data.number ?? null, contactId: data.contactId ?? null, companyId: data.companyId ?? null, dealId: data.dealId ?? null,
      status: data.status, channel: data.channel ?? null, placedAt, ...times,
      total: { minor: linesTotal(lines), currency: data.currency },
      externalId: data.externalId ?? null, idempotencyKey: idempotencyKey ?? null,
      ...ownedDefaults(this.ctx, 'order', data),
    });
    await w.tx.createMany({ model: orderLineModel, tenantId: this.ctx.tenantId, rows: lineRows(w, order, lines) });
    w.emit('order.created', { record: order });
    return order;
  }

  async #productsOf(w: WriteScope, lines: { productId?: string | null | undefined }[]): Promise<Map<string, Product>> {
    const ids = [...new Set(lines.map((l) => l.productId).filter((p): p is string => Boolean(p)))];
    if (ids.length === 0) return new Map();
    const rows = await w.tx.findMany({ model: productEntity.model, tenantId: this.ctx.tenantId, where: { id: { in: ids } } });
    return new Map(rows.map((row) => [row.id, productEntity.toRecord(row)]));
  }
}
