import type { Migration } from '../storage/migration.js';

/**
 * Segments (issue 10): `crm_segment`, saved rules over contacts and static
 * lists, and `crm_segment_member`, the stored membership of each. Frozen.
 */
export const segments0015: Migration = {
  id: '0015_segments',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_segment',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        name: { type: 'string' },
        description: { type: 'text', nullable: true },
        kind: { type: 'string' },
        rule: { type: 'json', nullable: true },
        refreshEveryMinutes: { type: 'integer', nullable: true },
        refreshDueAt: { type: 'timestamp', nullable: true },
        refreshLeasedUntil: { type: 'timestamp', nullable: true },
        refreshedAt: { type: 'timestamp', nullable: true },
      },
      indexes: [
        { name: 'name', fields: ['name'], unique: true },
        { name: 'refresh_due', fields: ['refreshDueAt'], whereNotNull: ['refreshDueAt'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'crm_segment_member',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        segmentId: { type: 'string' },
        contactId: { type: 'string' },
        addedAt: { type: 'timestamp' },
      },
      indexes: [
        { name: 'segment_contact', fields: ['segmentId', 'contactId'], unique: true },
        { name: 'contact', fields: ['contactId'] },
      ],
    },
  ],
};
