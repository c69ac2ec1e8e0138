import type { Migration } from '@crmkit/core';

const common = {
  tenantId: { type: 'string' },
  id: { type: 'string' },
  createdAt: { type: 'timestamp' },
  updatedAt: { type: 'timestamp' },
  version: { type: 'integer' },
} as const;

/**
 * The webhook tables (see `webhook.models.ts`), written out rather than
 * copied from the models: a released migration never changes, a later change
 * to a model is a new migration. Frozen.
 */
const hostWebhooks1010: Migration = {
  id: '1010_host_webhooks',
  operations: [
    {
      kind: 'createTable',
      table: 'host_webhook_subscription',
      fields: {
        ...common,
        url: { type: 'text' },
        eventTypes: { type: 'json' },
        secret: { type: 'string' },
        description: { type: 'text', nullable: true },
        active: { type: 'boolean' },
      },
    },
    {
      kind: 'createTable',
      table: 'host_webhook_delivery',
      fields: {
        ...common,
        subscriptionId: { type: 'string' },
        eventId: { type: 'string' },
        eventType: { type: 'string' },
        instanceId: { type: 'string' },
        status: { type: 'string' },
        attempts: { type: 'integer' },
        responseStatus: { type: 'integer', nullable: true },
        lastError: { type: 'text', nullable: true },
        lastAttemptAt: { type: 'timestamp', nullable: true },
        deliveredAt: { type: 'timestamp', nullable: true },
      },
      indexes: [
        { name: 'subscription_event', fields: ['subscriptionId', 'eventId'], unique: true },
        { name: 'subscription', fields: ['subscriptionId', 'id'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'host_webhook_cursor',
      fields: { ...common, position: { type: 'string', nullable: true } },
    },
  ],
};

/** Secret rotation: the secret before the last rotation and until when it still signs. Frozen. */
const hostWebhookSecretRotation1020: Migration = {
  id: '1020_host_webhook_secret_rotation',
  operations: [
    { kind: 'addField', table: 'host_webhook_subscription', field: 'previousSecret', definition: { type: 'string', nullable: true } },
    { kind: 'addField', table: 'host_webhook_subscription', field: 'previousSecretExpiresAt', definition: { type: 'timestamp', nullable: true } },
  ],
};

/** Subscriptions the server turned off, and why. Frozen. */
const hostWebhookAutoDisable1030: Migration = {
  id: '1030_host_webhook_auto_disable',
  operations: [
    { kind: 'addField', table: 'host_webhook_subscription', field: 'disabledAt', definition: { type: 'timestamp', nullable: true } },
    { kind: 'addField', table: 'host_webhook_subscription', field: 'disabledReason', definition: { type: 'text', nullable: true } },
  ],
};

/** The host's webhook migrations, in order (after `1000_host_credentials`). */
export const webhookMigrations: readonly Migration[] = [hostWebhooks1010, hostWebhookSecretRotation1020, hostWebhookAutoDisable1030];
