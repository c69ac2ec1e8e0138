import type { Migration } from '../storage/migration.js';

/**
 * Deal lines as rows: `crm_deal_line` holds one row per
 * element of a deal's `lines`, with the deal's currency, status, close time
 * and loss reason, so that win / loss reports group by product in SQL. The
 * lines of every existing deal are expanded into it, so an upgraded database
 * reports the same figures as a new one. Frozen.
 */
export const dealLines0018: Migration = {
  id: '0018_deal_lines',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_deal_line',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        dealId: { type: 'string' },
        position: { type: 'integer' },
        productId: { type: 'string', nullable: true },
        quantity: { type: 'number' },
        amountMinor: { type: 'bigint' },
        currency: { type: 'string' },
        status: { type: 'string' },
        closedAt: { type: 'timestamp', nullable: true },
        lostReason: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'deal_position', fields: ['dealId', 'position'], unique: true },
        { name: 'status_closed', fields: ['status', 'closedAt'] },
        { name: 'product_status', fields: ['productId', 'status', 'closedAt'] },
      ],
    },
    {
      kind: 'expandRows',
      table: 'crm_deal_line',
      from: 'crm_deal',
      each: 'lines',
      values: {
        tenantId: { from: 'tenantId' }, id: { positionId: 'id' }, createdAt: { from: 'createdAt' }, updatedAt: { from: 'updatedAt' },
        dealId: { from: 'id' }, position: { position: true }, productId: { element: 'productId' },
        quantity: { element: 'quantity' }, amountMinor: { element: 'totalMinor' }, currency: { from: 'currency' },
        status: { from: 'status' }, closedAt: { from: 'closedAt' }, lostReason: { from: 'lostReason' },
      },
    },
  ],
};
