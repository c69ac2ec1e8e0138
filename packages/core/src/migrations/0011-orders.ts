import type { Migration } from '../storage/migration.js';

/**
 * Orders and their lines (issue 9, after-sales): the purchase history behind
 * RFM, repeat-purchase and inactivity. New tables only; frozen once released.
 */
export const orders0011: Migration = {
  id: '0011_orders',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_order',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        ownerId: { type: 'string', nullable: true },
        tags: { type: 'json' },
        custom: { type: 'json' },
        number: { type: 'string', nullable: true },
        contactId: { type: 'string', nullable: true },
        companyId: { type: 'string', nullable: true },
        dealId: { type: 'string', nullable: true },
        status: { type: 'string' },
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
        { name: 'contact_placed', fields: ['contactId', '-placedAt'] },
        { name: 'company_placed', fields: ['companyId', '-placedAt'] },
        { name: 'placed', fields: ['-placedAt'] },
        { name: 'status_placed', fields: ['status', 'placedAt'] },
        { name: 'deal', fields: ['dealId'], unique: true, whereNotNull: ['dealId'] },
        { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
        { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'crm_order_line',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
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
    },
  ],
};
