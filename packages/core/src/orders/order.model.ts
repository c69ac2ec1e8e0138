import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { OrderStatus } from './order-status.js';

/** Storage of orders: what a customer bought, the consumption history behind RFM and repeat-purchase reports. */
export const orderModel = defineModel({
  name: 'order',
  table: 'crm_order',
  fields: {
    ...ownedFields,
    number: { type: 'string', nullable: true },
    contactId: { type: 'string', nullable: true },
    companyId: { type: 'string', nullable: true },
    dealId: { type: 'string', nullable: true },
    status: typedField<OrderStatus>('string'),
    channel: { type: 'string', nullable: true },
    placedAt: { type: 'timestamp' },
    paidAt: { type: 'timestamp', nullable: true },
    fulfilledAt: { type: 'timestamp', nullable: true },
    cancelledAt: { type: 'timestamp', nullable: true },
    returnedAt: { type: 'timestamp', nullable: true },
    totalMinor: { type: 'bigint' },
    currency: { type: 'string' },
    externalId: { type: 'string', nullable: true },
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    // "Orders of a customer by time", newest first, and the per-contact groups of `lastOrders`.
    { name: 'contact_placed', fields: ['contactId', '-placedAt'] },
    { name: 'company_placed', fields: ['companyId', '-placedAt'] },
    // The anti-joins of `lastOrders` ("no order after t") read orders by time.
    { name: 'placed', fields: ['-placedAt'] },
    { name: 'status_placed', fields: ['status', 'placedAt'] },
    // A deal makes at most one order, even when two `createFromDeal` race.
    { name: 'deal', fields: ['dealId'], unique: true, whereNotNull: ['dealId'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});

/**
 * The lines of orders. The order's contact and time are copied onto each line
 * so that "what did this customer buy, when" and "who bought this product" are
 * index reads without a join.
 */
export const orderLineModel = defineModel({
  name: 'orderLine',
  table: 'crm_order_line',
  versioned: false,
  fields: {
    orderId: { type: 'string' },
    position: { type: 'integer' },
    productId: { type: 'string', nullable: true },
    name: { type: 'string' },
    quantity: { type: 'integer' },
    unitPriceMinor: { type: 'bigint' },
    discountMinor: { type: 'bigint' },
    totalMinor: { type: 'bigint' },
    currency: { type: 'string' },
    contactId: { type: 'string', nullable: true },
    placedAt: { type: 'timestamp' },
  },
  indexes: [
    { name: 'order_position', fields: ['orderId', 'position'], unique: true },
    { name: 'product_placed', fields: ['productId', 'placedAt'] },
    { name: 'contact_placed', fields: ['contactId', 'placedAt'] },
  ],
});
