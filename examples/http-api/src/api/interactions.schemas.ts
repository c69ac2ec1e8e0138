import { interactionDirections, interactionInputSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

/** An interaction as the API returns it: crmkit's interaction fields, as stored, plus the links cases and campaigns set. */
export const interactionSchema = recordSchema('Interaction', {
  ...interactionInputSchema.shape,
  direction: z.enum(interactionDirections),
  occurredAt: z.string(),
  contactIds: z.array(z.string()),
  memberIds: z.array(z.string()),
  caseId: z.string().nullable().openapi({ description: 'The service case it belongs to (set by cases)' }),
  campaignId: z.string().nullable(),
  messageId: z.string().nullable().openapi({ description: "The channel's id of the message, for case intake and replies" }),
  idempotencyKey: z.string().nullable(),
});

/** A page of interactions. */
export const interactionPageSchema = pageSchema(interactionSchema, 'InteractionPage');
