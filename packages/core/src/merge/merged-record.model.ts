import { defineModel } from '../storage/schema.js';

/**
 * Where merged records went: one row per merged id with its survivor, so
 * that an id handed out before a merge still reads the record it became.
 * Chains are kept flat (a later merge of the survivor moves these rows to the
 * new survivor), so resolving is always one index read.
 */
export const mergedRecordModel = defineModel({
  name: 'mergedRecord',
  table: 'crm_merged_record',
  versioned: false,
  fields: {
    entity: { type: 'string' },
    mergedId: { type: 'string' },
    survivorId: { type: 'string' },
    mergedAt: { type: 'timestamp' },
  },
  indexes: [
    { name: 'merged', fields: ['entity', 'mergedId'], unique: true },
    { name: 'survivor', fields: ['entity', 'survivorId'] },
  ],
});
