import { z } from 'zod';
import { timestampSchema } from '../common/zod-helpers.js';
import { caseChannels, caseStatuses, slaTargetNames } from './case-values.js';

/** Options of `cases.setStatus` and `cases.reopen`. */
export const statusOptionsSchema = z.strictObject({
  /** When it happened. @default now */
  at: timestampSchema.optional(),
}).optional().default({});
/** Options of `cases.setStatus` and `cases.reopen`. */
export type StatusOptions = z.input<typeof statusOptionsSchema>;

/** Schema of a case status argument. */
export const caseStatusSchema = z.enum(caseStatuses);

/** Input of `cases.respond`. */
export const responseInputSchema = z.strictObject({
  body: z.string().max(10_000_000),
  /** @default the case's channel */
  channel: z.enum(caseChannels).optional(),
  /** @default now */
  at: timestampSchema.optional(),
  /** `false` stores an internal note on the case: not a response, no SLA effect. @default true */
  public: z.boolean().optional(),
  subject: z.string().max(500).optional(),
  /** The id the channel gave the sent message (an email's `Message-ID`): a customer's reply to it (`inReplyTo`) threads onto the case in `cases.ingest`. */
  messageId: z.string().trim().min(1).max(500).optional(),
});
/** Input of `cases.respond`. */
export type ResponseInput = z.input<typeof responseInputSchema>;

/** Input of `cases.addCustomerMessage`. */
export const customerMessageInputSchema = z.strictObject({
  body: z.string().max(10_000_000),
  /** @default the case's channel */
  channel: z.enum(caseChannels).optional(),
  /** @default now */
  at: timestampSchema.optional(),
  subject: z.string().max(500).optional(),
});
/** Input of `cases.addCustomerMessage`. */
export type CustomerMessageInput = z.input<typeof customerMessageInputSchema>;

/** Input of `cases.assign`. */
export const assignInputSchema = z.strictObject({
  ownerId: z.string().min(1).max(64).nullable().optional(),
  teamId: z.string().min(1).max(64).nullable().optional(),
});
/** Input of `cases.assign`. */
export type AssignInput = z.input<typeof assignInputSchema>;

/** Input of `cases.recordSlaEvent`: what a timer fired for. */
export const slaEventInputSchema = z.strictObject({
  target: z.enum(slaTargetNames),
  kind: z.enum(['warning', 'breach']),
  /** The due time the timer was set for; a timer for a due time the case no longer has is stale. */
  dueAt: timestampSchema,
});
/** Input of `cases.recordSlaEvent`. */
export type SlaEventInput = z.input<typeof slaEventInputSchema>;
