import { defineModel, typedField } from '@crmkit/core';

/** What a credential is: a long-lived API key, or a browser session made by signing in with one. */
export type CredentialKind = 'api-key' | 'session';

/**
 * A secret that signs a request in as a member of a tenant. Only the SHA-256
 * of the secret is stored, so a copy of the database signs nobody in.
 */
export const credentialModel = defineModel({
  name: 'hostCredential',
  table: 'host_credential',
  fields: {
    kind: typedField<CredentialKind>('string'),
    /** Hex SHA-256 of the secret. */
    secretHash: { type: 'string' },
    /** The crmkit member every request with it runs as. */
    memberId: { type: 'string' },
    /** A label for people: `CI deploy key`, `Chrome on Ada's laptop`. */
    label: { type: 'string' },
    /** Sessions expire; API keys have null. */
    expiresAt: { type: 'timestamp', nullable: true },
    revokedAt: { type: 'timestamp', nullable: true },
  },
  indexes: [{ name: 'secret', fields: ['secretHash'], unique: true }],
});
