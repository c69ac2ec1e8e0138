import { z } from 'zod';
import { listOptionsSchema } from '../common/list.js';
import type { BaseRecord } from '../common/record.js';
import { idSchema, optionalText, timestampSchema } from '../common/zod-helpers.js';
import type { ContactChannel } from '../contacts/contact.schema.js';
import { interactionTypes } from '../interactions/interaction.schema.js';

/**
 * Where a member stands, in order: enrolled (`targeted`), reached (`sent`),
 * `opened`, `responded`, `converted`; `unsubscribed` ends it from any of them.
 * A member only moves forward: a status earlier than its own leaves the
 * status as it is (recording only the missing timestamp), so reports and
 * webhooks that arrive late or twice never move it back.
 */
export const campaignMemberStatuses = ['targeted', 'sent', 'opened', 'responded', 'converted', 'unsubscribed'] as const;
/** One of {@link campaignMemberStatuses}. */
export type CampaignMemberStatus = (typeof campaignMemberStatuses)[number];

/** A contact enrolled in a campaign, with when it reached each status. */
export interface CampaignMember extends BaseRecord {
  campaignId: string;
  contactId: string;
  status: CampaignMemberStatus;
  /** The campaign's channel when the contact was enrolled. */
  channel: ContactChannel;
  enrolledAt: string;
  /** When the campaign reached the contact: the touch that attribution reads. */
  sentAt: string | null;
  openedAt: string | null;
  respondedAt: string | null;
  convertedAt: string | null;
  unsubscribedAt: string | null;
  /** The inbound interaction of the first response (`campaigns.recordResponse`). */
  responseInteractionId: string | null;
}

// Same rules as list filters: the tree is checked against the contact model by the adapter, sub-queries refused.
const whereSchema = listOptionsSchema.unwrap().unwrap().shape.where;

/**
 * Who `campaigns.enroll` enrols: a list of contact ids, every contact
 * matching a where-tree over contacts (fields, JSON paths such as
 * `custom.tier`), or the stored members of a segment (as of its last
 * `refresh`). Exactly one of the three.
 */
export const enrollInputSchema = z
  .strictObject({
    contactIds: z.array(idSchema).max(100_000).optional(),
    where: whereSchema,
    segmentId: idSchema.optional(),
    /**
     * Only contacts who granted consent on the campaign's channel
     * (`consent[channel] === 'granted'`); otherwise every contact who did not
     * deny it. Denied consent always excludes. @default false
     */
    requireConsent: z.boolean().optional().default(false),
    /**
     * Skip contacts whose `preferredChannel` is set to another channel than
     * the campaign's (counted as `prefersOther`); contacts without a
     * preference are enrolled. @default false
     */
    preferredChannelOnly: z.boolean().optional().default(false),
    /** When they were enrolled. @default now */
    at: timestampSchema.optional(),
  })
  .refine((e) => [e.contactIds, e.where, e.segmentId].filter((a) => a !== undefined).length === 1, {
    message: 'Give one of contactIds, where or segmentId',
    path: ['contactIds'],
  });
/** Input of `campaigns.enroll`. */
export type EnrollInput = z.input<typeof enrollInputSchema>;

/** What an enrolment did. Every contact of the audience is counted once, in one of these. */
export interface EnrollResult {
  /** New members, status `targeted`. */
  enrolled: number;
  /** Members already: enrolling twice changes nothing. */
  alreadyEnrolled: number;
  /** Skipped: consent on the campaign's channel is `denied`. */
  optedOut: number;
  /** Skipped under `requireConsent`: no consent recorded on the channel. */
  noConsent: number;
  /** Skipped under `preferredChannelOnly`: the contact prefers another channel. */
  prefersOther: number;
  /** Listed ids that are no contact of the tenant (only with `contactIds`). */
  unknown: number;
}

/** Input of `campaigns.setMemberStatus`. */
export const memberStatusInputSchema = z.strictObject({
  contactId: idSchema,
  status: z.enum(campaignMemberStatuses).exclude(['targeted']),
  /** When it happened. @default now */
  at: timestampSchema.optional(),
});
/** Input of `campaigns.setMemberStatus`. */
export type CampaignMemberStatusInput = z.input<typeof memberStatusInputSchema>;

/** Options of `campaigns.markSent`. */
export const markSentSchema = z
  .strictObject({
    /** Only these members. @default every `targeted` member */
    contactIds: z.array(idSchema).max(100_000).optional(),
    /** When the campaign reached them. @default now */
    at: timestampSchema.optional(),
  })
  .optional()
  .default({});
/** Options of `campaigns.markSent`. */
export type MarkSentOptions = z.input<typeof markSentSchema>;

/** Input of `campaigns.recordResponse`: the member's answer, logged as an inbound interaction tied to the campaign. */
export const responseInputSchema = z.strictObject({
  contactId: idSchema,
  type: z.enum(interactionTypes).exclude(['note']),
  channel: optionalText(60),
  subject: optionalText(500),
  body: z.string().max(10_000_000).nullable().optional(),
  /** When they answered. @default now */
  occurredAt: timestampSchema.optional(),
});
/** Input of `campaigns.recordResponse`. */
export type CampaignResponseInput = z.input<typeof responseInputSchema>;
