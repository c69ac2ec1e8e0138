import type { Migration } from '../storage/migration.js';

/**
 * Materialised RFM scores (issue 10), `crm_rfm_score`: one row per tenant and
 * scored contact, written by `customers.refreshRfmScores` and read by the
 * `rfm` segment metric. Frozen once released.
 */
export const rfmScores0019: Migration = {
  id: '0019_rfm_scores',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_rfm_score',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        contactId: { type: 'string' },
        lastOrderAt: { type: 'timestamp' },
        recencyDays: { type: 'number' },
        frequency: { type: 'integer' },
        monetaryMinor: { type: 'bigint' },
        currency: { type: 'string' },
        r: { type: 'integer' },
        f: { type: 'integer' },
        m: { type: 'integer' },
        cell: { type: 'string' },
        segment: { type: 'string' },
        referenceDate: { type: 'date' },
        computedAt: { type: 'timestamp' },
      },
      indexes: [
        { name: 'contact', fields: ['contactId'], unique: true },
        { name: 'segment', fields: ['segment', 'contactId'] },
        { name: 'cell', fields: ['cell', 'contactId'] },
      ],
    },
  ],
};
