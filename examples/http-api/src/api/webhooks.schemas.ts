import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { webhookEventNames } from '../webhooks/event-types.js';

const recordFields = {
  id: z.string(),
  tenantId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
};

const subscriptionFields = {
  ...recordFields,
  url: z.string(),
  eventTypes: z.array(z.string()).openapi({ description: `Event names, entity patterns (\`deal.*\`) or \`*\`. The events: ${webhookEventNames.map((n) => `\`${n}\``).join(', ')}` }),
  description: z.string().nullable(),
  active: z.boolean(),
  disabledAt: z.string().nullable().openapi({ description: 'When the server turned the subscription off because many deliveries in a row failed every attempt; `PATCH {"active": true}` clears it' }),
  disabledReason: z.string().nullable(),
  previousSecretExpiresAt: z.string().nullable().openapi({ description: 'Until when the secret before the last rotation still signs deliveries too; null when it no longer does' }),
};

/** A webhook subscription as the API shows it: without its secret. Loose, as every record of the API. */
export const webhookSubscriptionSchema = z.looseObject(subscriptionFields).openapi('WebhookSubscription');

/** The answer to a create: the subscription and, this once, its secret. */
export const createdWebhookSubscriptionSchema = z
  .looseObject({
    ...subscriptionFields,
    secret: z.string().openapi({
      description: 'Signs every delivery (Standard Webhooks, `whsec_...`). Shown only in this answer: store it where the receiver can read it',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('WebhookSubscriptionCreated');

/** A page of subscriptions. */
export const webhookSubscriptionPageSchema = pageSchema(webhookSubscriptionSchema, 'WebhookSubscriptionPage');

/** One event's delivery to one subscription. */
export const webhookDeliverySchema = z
  .looseObject({
    ...recordFields,
    subscriptionId: z.string(),
    eventId: z.string().openapi({ description: 'The event, also the `webhook-id` header of the POST' }),
    eventType: z.string(),
    instanceId: z.string().openapi({ description: 'The `webhook-delivery` workflow instance sending it' }),
    status: z.enum(['pending', 'failing', 'delivered', 'dead', 'skipped']).openapi({
      description: '`pending` (not tried yet, or put back from the dead letters), `failing` (retrying with backoff), `delivered` (a 2xx), `dead` (every attempt failed: see the dead letters), `skipped` (the subscription was deleted or deactivated first)',
    }),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable().openapi({ description: 'The HTTP status of the last answer' }),
    lastError: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

/** A page of deliveries, newest first. */
export const webhookDeliveryPageSchema = pageSchema(webhookDeliverySchema, 'WebhookDeliveryPage');

/** A delivery whose every attempt failed. */
export const webhookDeadLetterSchema = z
  .object({
    id: z.string().openapi({ description: 'The dead job: POST `/webhook-dead-letters/{id}/retry` puts it back' }),
    deliveryId: z.string(),
    subscriptionId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    finishedAt: z.string(),
  })
  .openapi('WebhookDeadLetter');

/** The dead letters, oldest first (all of them: `nextCursor` is always null). */
export const webhookDeadLetterPageSchema = pageSchema(webhookDeadLetterSchema, 'WebhookDeadLetterPage');
