import { defineModel, typedField } from '../storage/schema.js';
import type { DealStatus } from './deal.schema.js';

/**
 * The product lines of deals as rows, one per line (`id` is `<dealId>:<position>`),
 * so that SQL can group deals by product: the deal keeps its `lines` JSON for
 * reading, this table is derived from it in the same transaction. What the
 * win / loss report needs of the deal (status, close time, loss reason) is
 * copied here, so that a report by product is one aggregate without a join.
 */
export const dealLineModel = defineModel({
  name: 'dealLine',
  table: 'crm_deal_line',
  versioned: false,
  fields: {
    dealId: { type: 'string' },
    /** The line's index in the deal's `lines`, from 0. */
    position: { type: 'integer' },
    productId: { type: 'string', nullable: true },
    quantity: { type: 'number' },
    /** The line total (quantity x unit price less discount), in minor units of `currency`. */
    amountMinor: { type: 'bigint' },
    /** The deal's currency. */
    currency: { type: 'string' },
    status: typedField<DealStatus>('string'),
    closedAt: { type: 'timestamp', nullable: true },
    lostReason: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'deal_position', fields: ['dealId', 'position'], unique: true },
    { name: 'status_closed', fields: ['status', 'closedAt'] },
    { name: 'product_status', fields: ['productId', 'status', 'closedAt'] },
  ],
});
