import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { dateSchema, type Money, moneySchema, optionalText } from '../common/zod-helpers.js';
import { contactChannels, type ContactChannel } from '../contacts/contact.schema.js';

/**
 * Where a campaign stands: being prepared, running, over, or called off.
 * `draft` and `active` take new members; `completed` and `cancelled` are final.
 */
export const campaignStatuses = ['draft', 'active', 'completed', 'cancelled'] as const;
/** One of {@link campaignStatuses}. */
export type CampaignStatus = (typeof campaignStatuses)[number];

/** The moves `campaigns.setStatus` allows, from each status. */
export const campaignTransitions: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  draft: ['active', 'cancelled'],
  active: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Input of `campaigns.create`. */
export const campaignInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(5000).transform((s) => (s === '' ? null : s)).nullable().optional(),
    /** The channel it reaches contacts on; a contact who denied consent on it is never enrolled. */
    channel: z.enum(contactChannels),
    /** What may be spent. */
    budget: moneySchema.nullable().optional(),
    /** What has been spent, the base of ROI and cost per acquisition. @default zero in the budget's currency (else USD) */
    cost: moneySchema.optional(),
    /** First day, `YYYY-MM-DD`. */
    startsOn: dateSchema.nullable().optional(),
    /** Last day, `YYYY-MM-DD`, not before `startsOn`. */
    endsOn: dateSchema.nullable().optional(),
    externalId: optionalText(128),
    ...ownedInputShape,
  })
  .refine((c) => !c.startsOn || !c.endsOn || c.endsOn >= c.startsOn, { message: 'A campaign cannot end before it starts', path: ['endsOn'] });
/** Input of `campaigns.create`. */
export type CampaignInput = z.input<typeof campaignInputSchema>;

/** Input of `campaigns.update`; the status changes through `setStatus`. */
export const campaignPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(5000).transform((s) => (s === '' ? null : s)).nullable().optional(),
  channel: z.enum(contactChannels).optional(),
  budget: moneySchema.nullable().optional(),
  cost: moneySchema.optional(),
  startsOn: dateSchema.nullable().optional(),
  endsOn: dateSchema.nullable().optional(),
  ...ownedInputShape,
});
/** Input of `campaigns.update`. */
export type CampaignPatch = z.input<typeof campaignPatchSchema>;

/** A marketing campaign: a channel, money and dates, and the contacts enrolled in it (its members). */
export interface Campaign extends OwnedRecord {
  name: string;
  description: string | null;
  channel: ContactChannel;
  status: CampaignStatus;
  budget: Money | null;
  cost: Money;
  /** `YYYY-MM-DD`. */
  startsOn: string | null;
  /** `YYYY-MM-DD`. */
  endsOn: string | null;
  /** When it went `active`, `completed` or `cancelled`, ISO UTC. */
  activatedAt: string | null;
  closedAt: string | null;
  externalId: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
