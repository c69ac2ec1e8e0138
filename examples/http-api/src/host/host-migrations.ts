import type { Migration } from '@crmkit/core';
import { credentialMigrations } from '../auth/credential-migrations.js';
import { webhookMigrations } from '../webhooks/webhook-migrations.js';

/**
 * The host's own tables, migrated by crmkit after its own and the workflow
 * tables (`createCrm({ migrations })`). Like crmkit's, each migration is
 * frozen once released: a change is a new migration.
 */
export const hostMigrations: readonly Migration[] = [
  ...credentialMigrations,
  ...webhookMigrations,
];
