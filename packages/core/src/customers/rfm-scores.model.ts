import type { RfmScore, RfmSegment } from '../reports/customers/rfm-segments.js';
import { defineModel, typedField } from '../storage/schema.js';

/**
 * Each customer's RFM scores as the tenant's last `customers.refreshRfmScores`
 * computed them: one row per scored contact. RFM scores are ranks among every
 * customer of the tenant, so no per-contact query can compute them; segments
 * read them from here (`{ metric: 'rfm' }`) with a semi-join.
 */
export const rfmScoreModel = defineModel({
  name: 'rfmScore',
  table: 'crm_rfm_score',
  versioned: false,
  fields: {
    contactId: { type: 'string' },
    lastOrderAt: { type: 'timestamp' },
    // Fractional: days from the last order to the reference date's midnight UTC, as the report gives them.
    recencyDays: { type: 'number' },
    frequency: { type: 'integer' },
    monetaryMinor: { type: 'bigint' },
    currency: { type: 'string' },
    r: typedField<RfmScore>('integer'),
    f: typedField<RfmScore>('integer'),
    m: typedField<RfmScore>('integer'),
    cell: { type: 'string' },
    segment: typedField<RfmSegment>('string'),
    referenceDate: { type: 'date' },
    computedAt: { type: 'timestamp' },
  },
  indexes: [
    { name: 'contact', fields: ['contactId'], unique: true },
    // Segment conditions collect the contacts of some named segments or cells.
    { name: 'segment', fields: ['segment', 'contactId'] },
    { name: 'cell', fields: ['cell', 'contactId'] },
  ],
});
