import { createModelsMigration, type Migration } from '@crmkit/core';
import { credentialModel } from '../auth/credential.model.js';
import { webhookMigrations } from '../webhooks/webhook-migrations.js';

/**
 * The host's own tables, migrated by crmkit after its own and the workflow
 * tables (`createCrm({ migrations })`). Like crmkit's, each migration is
 * frozen once released: a change is a new migration.
 */
export const hostMigrations: readonly Migration[] = [
  createModelsMigration('1000_host_credentials', [credentialModel]),
  ...webhookMigrations,
];
