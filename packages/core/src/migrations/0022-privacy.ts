import type { Migration } from '../storage/migration.js';

/**
 * Privacy (issue 11): `crm_erasure`, one row per erasure of a person (no
 * personal data in it); `crm_consent_change`, every consent change of a
 * contact with its time and source; and `crm_contact.erased_at`, the flag an
 * erased (anonymised, kept) contact carries. Frozen once released.
 */
export const privacy0022: Migration = {
  id: '0022_privacy',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_erasure',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        contactId: { type: 'string' },
        erasedAt: { type: 'timestamp' },
        reason: { type: 'string', nullable: true },
        requestedBy: { type: 'string', nullable: true },
        actorId: { type: 'string', nullable: true },
        counts: { type: 'json' },
      },
      indexes: [{ name: 'contact', fields: ['contactId', 'erasedAt'] }],
    },
    {
      kind: 'createTable',
      table: 'crm_consent_change',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        contactId: { type: 'string' },
        channel: { type: 'string' },
        from: { type: 'string', nullable: true, column: 'from_value' },
        to: { type: 'string', nullable: true, column: 'to_value' },
        at: { type: 'timestamp' },
        source: { type: 'string' },
        actorId: { type: 'string', nullable: true },
      },
      indexes: [{ name: 'contact_at', fields: ['contactId', 'at'] }],
    },
    { kind: 'addField', table: 'crm_contact', field: 'erasedAt', definition: { type: 'timestamp', nullable: true } },
  ],
};
