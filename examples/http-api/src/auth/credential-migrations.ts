import type { Migration } from '@crmkit/core';

/**
 * The credentials table (see `credential.model.ts`), written out rather than
 * made from the model: a released migration never changes, a later change
 * to the model is a new migration. Frozen.
 */
const hostCredentials1000: Migration = {
  id: '1000_host_credentials',
  operations: [
    {
      kind: 'createTable',
      table: 'host_credential',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        kind: { type: 'string' },
        secretHash: { type: 'string' },
        memberId: { type: 'string' },
        label: { type: 'string' },
        expiresAt: { type: 'timestamp', nullable: true },
        revokedAt: { type: 'timestamp', nullable: true },
      },
      indexes: [{ name: 'secret', fields: ['secretHash'], unique: true }],
    },
  ],
};

/** The host's credential migrations, in order. */
export const credentialMigrations: readonly Migration[] = [hostCredentials1000];
