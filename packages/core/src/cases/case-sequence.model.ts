import { defineModel } from '../storage/schema.js';

/**
 * The next case number of each tenant: one row per tenant (id `case`), locked
 * by every create that takes a number, so concurrent creates wait for each
 * other instead of racing for the same number.
 */
export const caseSequenceModel = defineModel({
  name: 'caseSequence',
  table: 'crm_case_sequence',
  versioned: false,
  fields: {
    next: { type: 'integer' },
  },
});
