import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { dateSchema, idSchema, optionalText } from '../common/zod-helpers.js';

/** Where a contact stands in the customer lifecycle, in order. */
export const lifecycleStages = [
  'subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'evangelist', 'churned',
] as const;
/** One of {@link lifecycleStages}. */
export type LifecycleStage = (typeof lifecycleStages)[number];

/** Channels a contact can be reached on and consent to. */
export const contactChannels = ['email', 'phone', 'sms', 'post', 'chat', 'social', 'visit'] as const;
/** One of {@link contactChannels}. */
export type ContactChannel = (typeof contactChannels)[number];

/** A contact's recorded consent per channel. */
export type Consent = Partial<Record<ContactChannel, 'granted' | 'denied'>>;

const emailSchema = z.email().max(254).transform((e) => e.trim().toLowerCase());

const contactFields = z.strictObject({
    firstName: optionalText(100),
    lastName: optionalText(100),
    /**
     * The primary email, also put first in `emails`. Compared lower-case. On
     * update it replaces the previous primary; list that one in `emails` to keep it.
     */
    email: emailSchema.nullable().optional(),
    emails: z.array(z.strictObject({ address: emailSchema, label: optionalText(40) })).max(20).optional(),
    /** The primary phone in any common format; stored as E.164. */
    phone: z.string().max(40).nullable().optional(),
    phones: z.array(z.strictObject({ number: z.string().max(40), label: optionalText(40) })).max(20).optional(),
    companyId: idSchema.nullable().optional(),
    title: optionalText(200),
    lifecycleStage: z.enum(lifecycleStages).optional().default('lead'),
    source: optionalText(100),
    birthDate: dateSchema.nullable().optional(),
    occupation: optionalText(200),
    familyStatus: optionalText(100),
    city: optionalText(200),
    country: optionalText(100),
    preferredChannel: z.enum(contactChannels).nullable().optional(),
    productInterests: z.array(z.string().min(1).max(100)).max(100).optional(),
    consent: z.partialRecord(z.enum(contactChannels), z.enum(['granted', 'denied'])).optional(),
    /** Latest satisfaction score, 0 (worst) to 10 (best), as in NPS surveys. */
    satisfaction: z.number().int().min(0).max(10).nullable().optional(),
    externalId: optionalText(128),
    ...ownedInputShape,
});

/** Input of `contacts.create`. At least a name, an email or a phone is required. */
export const contactInputSchema = contactFields.refine((c) => Boolean(c.firstName || c.lastName || c.email || c.emails?.length || c.phone || c.phones?.length), {
    message: 'A contact needs a name, an email or a phone',
  });
/** Input of `contacts.create`. */
export type ContactInput = z.input<typeof contactInputSchema>;

/** Input of `contacts.update`. */
export const contactPatchSchema = contactFields.partial().extend({
  lifecycleStage: z.enum(lifecycleStages).optional(),
});
/** Input of `contacts.update`. */
export type ContactPatch = z.input<typeof contactPatchSchema>;

/** One email address of a contact, lower-case, with an optional label (`work`, `home`). */
export interface EmailAddress {
  address: string;
  label: string | null;
}

/** One phone number of a contact, E.164, with an optional label. */
export interface PhoneNumber {
  number: string;
  label: string | null;
}

/** A person the tenant deals with. */
export interface Contact extends OwnedRecord {
  firstName: string | null;
  lastName: string | null;
  /** Primary email, lower-case. */
  email: string | null;
  /** Every email, the primary first. */
  emails: EmailAddress[];
  /** Primary phone, E.164. */
  phone: string | null;
  /** Every phone, the primary first. */
  phones: PhoneNumber[];
  companyId: string | null;
  title: string | null;
  lifecycleStage: LifecycleStage;
  source: string | null;
  /** `YYYY-MM-DD`. */
  birthDate: string | null;
  occupation: string | null;
  familyStatus: string | null;
  city: string | null;
  country: string | null;
  preferredChannel: ContactChannel | null;
  productInterests: string[];
  consent: Consent;
  satisfaction: number | null;
  /** When `satisfaction` was last set. */
  satisfactionAt: string | null;
  /** The latest CSAT survey answer, 1 (worst) to 5 (best), kept by `surveys.respond`. */
  csat: number | null;
  /** When the contact gave that answer. */
  csatAt: string | null;
  externalId: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
  /** When `privacy.erase` anonymised the contact (its personal data removed), else null. */
  erasedAt: string | null;
}
