import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { idSchema, optionalText, timestampSchema } from '../common/zod-helpers.js';

/** Kinds of interaction. */
export const interactionTypes = ['call', 'email', 'meeting', 'sms', 'chat', 'social', 'visit', 'note'] as const;
/** One of {@link interactionTypes}. */
export type InteractionType = (typeof interactionTypes)[number];

/** Who started it: the customer (inbound), the tenant (outbound), or nobody outside (internal notes). */
export const interactionDirections = ['inbound', 'outbound', 'internal'] as const;
/** One of {@link interactionDirections}. */
export type InteractionDirection = (typeof interactionDirections)[number];

/** Input of `interactions.log`. */
export const interactionInputSchema = z
  .strictObject({
    type: z.enum(interactionTypes),
    /** @default 'internal' for notes, else 'outbound' */
    direction: z.enum(interactionDirections).optional(),
    /** The medium in the host's words: `zoom`, `whatsapp`, `linkedin`... */
    channel: optionalText(60),
    subject: optionalText(500),
    /** Long text, up to the host's `limits.textLength`. */
    body: z.string().max(10_000_000).nullable().optional(),
    /** @default now */
    occurredAt: timestampSchema.optional(),
    durationSeconds: z.number().int().min(0).max(31 * 24 * 3600).nullable().optional(),
    outcome: optionalText(200),
    /** Contacts taking part. */
    contactIds: z.array(idSchema).max(100).optional(),
    /** Members taking part. */
    memberIds: z.array(idSchema).max(100).optional(),
    companyId: idSchema.nullable().optional(),
    dealId: idSchema.nullable().optional(),
    ...ownedInputShape,
  });
/** Input of `interactions.log`. */
export type InteractionInput = z.input<typeof interactionInputSchema>;

/**
 * Input of `interactions.update`: what was said and how it went. Participants
 * and linked records stay as logged; log a new interaction to change them.
 */
export const interactionPatchSchema = interactionInputSchema
  .pick({ direction: true, channel: true, subject: true, body: true, occurredAt: true, durationSeconds: true, outcome: true, ownerId: true, tags: true, custom: true })
  .partial();
/** Input of `interactions.update`. */
export type InteractionPatch = z.input<typeof interactionPatchSchema>;

/** A logged call, email, meeting, message, visit or note. */
export interface Interaction extends OwnedRecord {
  type: InteractionType;
  direction: InteractionDirection;
  channel: string | null;
  subject: string | null;
  body: string | null;
  occurredAt: string;
  durationSeconds: number | null;
  outcome: string | null;
  contactIds: string[];
  memberIds: string[];
  companyId: string | null;
  dealId: string | null;
  /** The service case it belongs to; set by `cases.respond`, `cases.addCustomerMessage` and `cases.ingest`. */
  caseId: string | null;
  /** The campaign it answers; set by campaigns, which arrive in a later release. */
  campaignId: string | null;
  /** The channel's id of the message (an email's `Message-ID`), set by `cases.ingest`; unique per tenant. */
  messageId: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
