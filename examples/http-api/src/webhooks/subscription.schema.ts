import { z } from '@hono/zod-openapi';
import { isEventPattern } from './event-types.js';

const eventTypes = z
  .array(z.string().max(64).refine(isEventPattern, { message: 'Not a crmkit event name, an entity pattern (`deal.*`) or `*`' }))
  .min(1).max(100)
  .openapi({ description: 'crmkit event names (`deal.won`), every event of an entity (`deal.*`), or `*` for all', example: ['deal.won', 'case.*'] });

const url = z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'Where deliveries are POSTed', example: 'https://hooks.example.com/crm' });

/** What a new subscription takes. */
export const subscriptionInputSchema = z
  .strictObject({
    url,
    eventTypes,
    description: z.string().max(500).nullable().optional(),
    active: z.boolean().optional().default(true).openapi({ description: 'An inactive subscription gets no deliveries' }),
  })
  .openapi('WebhookSubscriptionInput');

/** What a subscription's change takes: any of the fields. */
export const subscriptionPatchSchema = z
  .strictObject({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    description: z.string().max(500).nullable().optional(),
    active: z.boolean().optional(),
  })
  .openapi('WebhookSubscriptionPatch');

/** The longest overlap of a secret rotation: a week. */
export const maxSecretOverlapSeconds = 7 * 86_400;

/** What a secret rotation takes. */
export const rotateSecretSchema = z
  .strictObject({
    overlapSeconds: z.number().int().min(0).max(maxSecretOverlapSeconds).optional().default(86_400).openapi({
      description: 'How long the old secret still signs beside the new one (0: it stops now)', example: 3600,
    }),
  })
  .openapi('WebhookSecretRotation');

/** A new subscription's fields, parsed. */
export type SubscriptionInput = z.input<typeof subscriptionInputSchema>;
/** A subscription's change, parsed. */
export type SubscriptionPatch = z.input<typeof subscriptionPatchSchema>;
/** A secret rotation's fields. */
export type RotateSecretInput = z.input<typeof rotateSecretSchema>;
