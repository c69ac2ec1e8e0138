import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { cursorScope, type Page, readCursor, toPage } from '../../common/list.js';
import { parseInput, timestampSchema } from '../../common/zod-helpers.js';
import { contactEntity } from '../../contacts/contact.entity.js';
import { contactModel } from '../../contacts/contact.model.js';
import type { Contact } from '../../contacts/contact.schema.js';
import { ValidationError } from '../../errors.js';
import { interactionContactModel } from '../../interactions/interaction.model.js';
import { orderModel } from '../../orders/order.model.js';
import type { OrderTerm } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { countedOrders, dayMs, hasOrder, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.inactiveCustomers`. */
export const inactiveCustomersOptionsSchema = z.strictObject({
  /** The quiet spell: no counted order and no interaction for this many days before `asOf`. */
  days: z.number().int().min(1).max(36_500),
  /** The instant the spell ends at. @default now (the CRM's clock) */
  asOf: timestampSchema.optional(),
  /** The orders that count as purchases (as in `repeatPurchase`). @default ['placed', 'paid', 'fulfilled'] */
  statuses: purchaseScopeShape.statuses,
  /** Customers per page, 1 to 1000. @default 50 */
  limit: z.number().int().min(1).max(1000).optional().default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(4096).optional(),
});
/** Options of `reports.inactiveCustomers`. */
export type InactiveCustomersOptions = z.input<typeof inactiveCustomersOptionsSchema>;

/** An inactive customer. */
export interface InactiveCustomer {
  contact: Contact;
  /** Its last counted order before `asOf`, ISO UTC. */
  lastOrderAt: string;
  /** Its last interaction before `asOf`, ISO UTC, or null without any. */
  lastInteractionAt: string | null;
}

/** A page of inactive customers with how many there are in all. */
export interface InactiveCustomers extends Page<InactiveCustomer> {
  /** Every inactive customer, on every page. */
  total: number;
}

const orderBy: OrderTerm[] = [];

/**
 * Customers gone quiet: contacts with a counted order placed before `asOf`,
 * but no counted order and no interaction in `[asOf - days, asOf)`. One
 * `findMany` over contacts with three semi-joins (two of them negated), in
 * contact id order, and a count with the same filter; the last order and
 * interaction of the page's contacts are two grouped aggregates.
 * @throws {ValidationError}
 */
export async function inactiveCustomers(ctx: TenantContext, options: InactiveCustomersOptions): Promise<InactiveCustomers> {
  const opts = parseInput(inactiveCustomersOptionsSchema, options, 'report options');
  const asOf = opts.asOf ?? ctx.now();
  const since = new Date(Date.parse(asOf) - opts.days * dayMs).toISOString();
  const scope: PurchaseScope = { by: 'contact', statuses: opts.statuses };
  const where: Where = {
    id: hasOrder(scope, { placedAt: { lt: asOf } }),
    and: [
      { not: { id: hasOrder(scope, { placedAt: { gte: since, lt: asOf } }) } },
      { not: { id: { inQuery: { model: interactionContactModel, field: 'contactId', where: { occurredAt: { gte: since, lt: asOf } } } } } },
    ],
  };
  const cursors = cursorScope(ctx, 'reports:inactiveCustomers');
  const after = readCursor(opts.cursor, orderBy, cursors);
  if (after !== undefined && typeof after.id !== 'string') throw ValidationError.single('Invalid cursor', ['cursor']);
  const [rows, total] = await Promise.all([
    ctx.storage.findMany({ model: contactModel, tenantId: ctx.tenantId, where, orderBy, ...(after ? { after } : {}), limit: opts.limit + 1 }),
    ctx.storage.count({ model: contactModel, tenantId: ctx.tenantId, where }),
  ]);
  const ids = rows.map((r) => r.id);
  const [orders, interactions] = ids.length === 0 ? [[], []] : await Promise.all([
    ctx.storage.aggregate({
      model: orderModel, tenantId: ctx.tenantId, where: countedOrders(scope, { contactId: { in: ids }, placedAt: { lt: asOf } }),
      groupBy: ['contactId'], metrics: { last: { fn: 'max', field: 'placedAt' } },
    }),
    ctx.storage.aggregate({
      model: interactionContactModel, tenantId: ctx.tenantId, where: { contactId: { in: ids }, occurredAt: { lt: asOf } },
      groupBy: ['contactId'], metrics: { last: { fn: 'max', field: 'occurredAt' } },
    }),
  ]);
  const lastOrder = new Map(orders.map((r) => [String(r.contactId), String(r.last)]));
  const lastInteraction = new Map(interactions.map((r) => [String(r.contactId), String(r.last)]));
  const page = toPage(rows, opts.limit, orderBy, (row) => ({
    contact: contactEntity.toRecord(row),
    lastOrderAt: lastOrder.get(row.id)!,
    lastInteractionAt: lastInteraction.get(row.id) ?? null,
  }), cursors);
  return { ...page, total };
}
