import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { currencySchema, idSchema, maxMinorUnits, type Money, optionalText, timestampSchema } from '../common/zod-helpers.js';
import type { orderLineModel } from './order.model.js';
import { orderStatuses, type OrderStatus } from './order-status.js';

/** An amount in minor units: a safe integer, or a bigint up to 2^63 - 1. Never negative. */
export const minorUnitsSchema = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.bigint().min(0n).max(maxMinorUnits),
]);

/** Input of one order line. */
export const orderLineInputSchema = z.strictObject({
  productId: idSchema.nullable().optional(),
  /** @default the product's name */
  name: z.string().trim().min(1).max(200).optional(),
  /** Whole units. @default 1 */
  quantity: z.number().int().min(1).max(1_000_000_000).optional().default(1),
  /** Price of one unit in minor units of the order's currency. @default the product's price */
  unitPriceMinor: minorUnitsSchema.optional(),
  /** Discount on the whole line, in minor units; at most quantity x unit price. @default 0 */
  discountMinor: minorUnitsSchema.optional().default(0),
});
/** Input of one order line. */
export type OrderLineInput = z.input<typeof orderLineInputSchema>;

const customerRule = {
  check: (o: { contactId?: string | null | undefined; companyId?: string | null | undefined }) => Boolean(o.contactId || o.companyId),
  message: { message: 'An order needs a contact or a company', path: ['contactId'] },
};

const orderFields = z.strictObject({
  /** The host's order number, as printed on the invoice. */
  number: optionalText(64),
  contactId: idSchema.nullable().optional(),
  companyId: idSchema.nullable().optional(),
  /** The deal the order closes; see `orders.createFromDeal`. */
  dealId: idSchema.nullable().optional(),
  /** For imports of orders that moved on already; the status's time defaults to `placedAt`. @default 'placed' */
  status: z.enum(orderStatuses).optional().default('placed'),
  /** Where it was bought: `web`, `store`, `phone`, `marketplace`... */
  channel: optionalText(64),
  /** @default now */
  placedAt: timestampSchema.optional(),
  paidAt: timestampSchema.nullable().optional(),
  fulfilledAt: timestampSchema.nullable().optional(),
  cancelledAt: timestampSchema.nullable().optional(),
  returnedAt: timestampSchema.nullable().optional(),
  /** The currency of every line and of the total. */
  currency: currencySchema,
  lines: z.array(orderLineInputSchema).min(1).max(500),
  /** The order's id in the system it comes from; a repeated import with it returns the stored order. */
  externalId: optionalText(128),
  ...ownedInputShape,
});

/** Input of `orders.create`. */
export const orderInputSchema = orderFields.refine(customerRule.check, customerRule.message);
/** Input of `orders.create`. */
export type OrderInput = z.input<typeof orderInputSchema>;

/** Input of `orders.update`: lines, status, times and currency are fixed once placed (status moves through `setStatus`). */
export const orderPatchSchema = orderFields
  .pick({ number: true, contactId: true, companyId: true, channel: true, ownerId: true, tags: true, custom: true })
  .partial();
/** Input of `orders.update`. */
export type OrderPatch = z.input<typeof orderPatchSchema>;

/** Options of `orders.createFromDeal`: `placedAt` defaults to when the deal was won, `status` to `placed`. */
export const fromDealOptionsSchema = orderFields.pick({ placedAt: true, status: true, number: true, channel: true }).partial().optional().default({});
/** Options of `orders.createFromDeal`. */
export type FromDealOptions = z.input<typeof fromDealOptionsSchema>;

/** Options of `orders.setStatus`. */
export const setStatusOptionsSchema = z
  .strictObject({
    /** When it happened; not before the order was placed. @default now */
    at: timestampSchema.optional(),
    expectedVersion: z.number().int().min(1).optional(),
  })
  .optional()
  .default({});
/** Options of `orders.setStatus`. */
export type SetOrderStatusOptions = z.input<typeof setStatusOptionsSchema>;

/** A customer's order. */
export interface Order extends OwnedRecord {
  number: string | null;
  contactId: string | null;
  companyId: string | null;
  dealId: string | null;
  status: OrderStatus;
  channel: string | null;
  /** ISO UTC timestamps of each status reached. */
  placedAt: string;
  paidAt: string | null;
  fulfilledAt: string | null;
  cancelledAt: string | null;
  returnedAt: string | null;
  /** The sum of the line totals. */
  total: Money;
  externalId: string | null;
  idempotencyKey: string | null;
}

/**
 * A line of an order: `totalMinor` = quantity x `unitPriceMinor` - `discountMinor`.
 * `contactId` and `placedAt` are the order's, copied for purchase-history reads.
 */
export type OrderLine = NonNullable<(typeof orderLineModel)['rowType']>;
