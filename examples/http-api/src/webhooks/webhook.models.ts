import { defineModel, typedField } from '@crmkit/core';

/** Where a delivery stands: queued or being retried, done, given up on (a dead letter), or not sent because its subscription went away. */
export type DeliveryStatus = 'pending' | 'failing' | 'delivered' | 'dead' | 'skipped';

/**
 * A tenant's webhook subscription: which events go to which URL. The secret
 * is stored as it is, not hashed, because every delivery is signed with it;
 * the API shows it once, in the answer to the create.
 */
export const subscriptionModel = defineModel({
  name: 'hostWebhookSubscription',
  table: 'host_webhook_subscription',
  fields: {
    url: { type: 'text' },
    /** Event names (`deal.won`), entity patterns (`deal.*`) or `*`. */
    eventTypes: typedField<string[]>('json'),
    /** `whsec_` and the base64 of the HMAC key, as Standard Webhooks libraries take it. */
    secret: { type: 'string' },
    /** The secret before the last rotation, which also signs deliveries until `previousSecretExpiresAt`; null when none. */
    previousSecret: { type: 'string', nullable: true },
    previousSecretExpiresAt: { type: 'timestamp', nullable: true },
    description: { type: 'text', nullable: true },
    active: { type: 'boolean' },
    /** When the server turned it off because its receiver failed every attempt of many deliveries in a row (see auto-disable.ts); null otherwise. */
    disabledAt: { type: 'timestamp', nullable: true },
    disabledReason: { type: 'text', nullable: true },
  },
});

/**
 * One event sent (or to be sent) to one subscription. Unique per
 * (subscription, event): the dispatcher writes it in the transaction that
 * starts the delivery workflow, so reading the log again starts nothing twice.
 */
export const deliveryModel = defineModel({
  name: 'hostWebhookDelivery',
  table: 'host_webhook_delivery',
  fields: {
    subscriptionId: { type: 'string' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    /** The `webhook-delivery` workflow instance that sends it. */
    instanceId: { type: 'string' },
    status: typedField<DeliveryStatus>('string'),
    /** Attempts made so far (the workflow engine's count). */
    attempts: { type: 'integer' },
    /** The HTTP status of the last answer; null before one came or after a network error. */
    responseStatus: { type: 'integer', nullable: true },
    lastError: { type: 'text', nullable: true },
    lastAttemptAt: { type: 'timestamp', nullable: true },
    deliveredAt: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'subscription_event', fields: ['subscriptionId', 'eventId'], unique: true },
    { name: 'subscription', fields: ['subscriptionId', 'id'] },
  ],
});

/**
 * Where the dispatcher stands in crmkit's event log: one row, across tenants.
 * Its `version` guards every advance, so two dispatchers that read the same
 * page cannot both commit what they started from it.
 */
export const dispatchCursorModel = defineModel({
  name: 'hostWebhookCursor',
  table: 'host_webhook_cursor',
  fields: {
    /** An opaque `readLog` position; null only before the first pass. */
    position: { type: 'string', nullable: true },
  },
});

/** The tenant id of the cursor row: it follows every tenant. Tenant ids cannot hold `*`, so no tenant shares it. */
export const acrossTenants = '*';
/** The id of the one cursor row. */
export const cursorId = 'events';
