import { companyModel } from '../../companies/company.model.js';
import { contactModel } from '../../contacts/contact.model.js';
import { timestampSchema } from '../../common/zod-helpers.js';
import { orderModel } from '../../orders/order.model.js';
import type { ModelDefinition } from '../../storage/schema.js';
import type { FieldFilter, Where } from '../../storage/where.js';
import { repeatPurchaseOptionsSchema } from '../repeat-purchase.js';

// The definitions of `repeatPurchase`, read from its schema so that both reports count the same
// orders and the same customers: a customer is the order's contact (or company), a purchase an
// order in one of the counted statuses (placed, paid, fulfilled by default).
const repeatShape = repeatPurchaseOptionsSchema.unwrap().unwrap().shape;

/** Who a customer is in the customer-value reports: the order's contact or its company. */
export type CustomerKind = 'contact' | 'company';

/** The options every customer-value report takes: whose orders and which of them count. */
export const purchaseScopeShape = {
  /** Who a customer is: the order's contact or its company (as in `repeatPurchase`). @default 'contact' */
  by: repeatShape.customer,
  /** The orders that count as purchases (as in `repeatPurchase`). @default ['placed', 'paid', 'fulfilled'] */
  statuses: repeatShape.statuses,
  /** Orders placed at or after this instant. */
  from: timestampSchema.optional(),
  /** Orders placed before this instant. */
  to: timestampSchema.optional(),
};

/** The parsed {@link purchaseScopeShape}. */
export interface PurchaseScope {
  by: CustomerKind;
  statuses: readonly string[];
  from?: string | undefined;
  to?: string | undefined;
}

/** The order field naming the customer. */
export function customerField(by: CustomerKind): 'contactId' | 'companyId' {
  return by === 'contact' ? 'contactId' : 'companyId';
}

/** The model customers are rows of, for counts and semi-joins over customers. */
export function customerModel(by: CustomerKind): ModelDefinition<object> {
  return by === 'contact' ? contactModel : companyModel;
}

/**
 * The counted orders of a scope (with a customer, a counted status, placed in
 * `[from, to)`), narrowed by `extra`; a `placedAt` in `extra` replaces the scope's.
 */
export function countedOrders(scope: PurchaseScope, extra: Where = {}): Where {
  const where: Where = { [customerField(scope.by)]: { ne: null }, status: { in: [...scope.statuses] } };
  if (scope.from !== undefined || scope.to !== undefined) {
    where.placedAt = { ...(scope.from !== undefined ? { gte: scope.from } : {}), ...(scope.to !== undefined ? { lt: scope.to } : {}) };
  }
  return { ...where, ...extra };
}

/** The semi-join "a customer with a counted order matching `extra`", on a customer row's `id`. */
export function hasOrder(scope: PurchaseScope, extra: Where = {}): FieldFilter {
  return { inQuery: { model: orderModel, field: customerField(scope.by), where: countedOrders(scope, extra) } };
}

/** `{ gte: start, lt: end }` on `placedAt` within the scope's own `[from, to)`. */
export function placedWithin(scope: PurchaseScope, start: string, end: string): Where {
  const gte = scope.from !== undefined && scope.from > start ? scope.from : start;
  const lt = scope.to !== undefined && scope.to < end ? scope.to : end;
  return { placedAt: { gte, lt } };
}

/** An aggregated money column as minor units: a number when safe, else a bigint. */
export function minorOf(value: unknown): number | bigint {
  if (typeof value === 'bigint') return value;
  if (value === null || value === undefined) return 0;
  return Number(value);
}

/** Milliseconds in a day. */
export const dayMs = 86_400_000;
