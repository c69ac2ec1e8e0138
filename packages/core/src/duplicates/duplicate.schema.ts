import { z } from 'zod';
import { idSchema } from '../common/zod-helpers.js';

/** The entities duplicate detection and merge work on. */
export const duplicateEntities = ['contact', 'company'] as const;
/** One of {@link duplicateEntities}. */
export type DuplicateEntity = (typeof duplicateEntities)[number];

/** Why two records look like one: the rule that fired, what it saw, and how much it weighs (0..1). */
export interface DuplicateReason {
  /** `email`, `phone`, `domain`, `name` or `company` (same company, supporting a name match). */
  rule: 'email' | 'phone' | 'domain' | 'name' | 'company';
  /** What matched, for a person to judge: `same email ada@acme.io`, `names "ada lovelace" / "ada lovelase" 0.92 similar`. */
  detail: string;
  /** The weight of this evidence alone, 0..1. The score combines the weights as 1 - Π(1 - weight). */
  weight: number;
}

/** Two records that look like one. */
export interface DuplicateMatch {
  /** The two ids, the older record (smaller id) first: the natural survivor. */
  ids: [string, string];
  /** 0..1: 1 - Π(1 - weight) over the reasons. */
  score: number;
  /** Every rule that fired, strongest first. */
  reasons: DuplicateReason[];
}

/** A record that an input to create looks like, see `duplicates.check`. */
export interface DuplicateCandidate {
  /** The existing record's id. */
  id: string;
  /** 0..1, as in {@link DuplicateMatch.score}. */
  score: number;
  /** Every rule that fired, strongest first. */
  reasons: DuplicateReason[];
}

const thresholdSchema = z.number().min(0).max(1);

/** Options of `duplicates.find`. */
export const findDuplicatesSchema = z.strictObject({
  entity: z.enum(duplicateEntities),
  /** Lowest score reported. @default 0.6 */
  threshold: thresholdSchema.optional().default(0.6),
  /** Most matches per page, 1 to 500. @default 50 */
  limit: z.number().int().min(1).max(500).optional().default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(4096).optional(),
});
/** Options of `duplicates.find`. */
export type FindDuplicatesOptions = z.input<typeof findDuplicatesSchema>;

/** Options of `duplicates.check`. */
export const checkDuplicatesSchema = z
  .strictObject({
    /** Lowest score reported. @default 0.6 */
    threshold: thresholdSchema.optional().default(0.6),
  })
  .optional()
  .default({ threshold: 0.6 });
/** Options of `duplicates.check`. */
export type CheckDuplicatesOptions = z.input<typeof checkDuplicatesSchema>;

/** Input of `duplicates.merge`. */
export const mergeInputSchema = z
  .strictObject({
    entity: z.enum(duplicateEntities),
    /** The record that stays. */
    survivorId: idSchema,
    /** The records merged into it, then removed: 1 to 50 distinct ids, not the survivor. */
    mergedIds: z.array(idSchema).min(1).max(50),
    /**
     * Per field, the id (survivor or merged) whose value wins: `{ email: mergedId, 'custom.tier': mergedId }`.
     * Fields not named take the survivor's value, else the first non-empty value of the merged records in `mergedIds` order.
     */
    fields: z.record(z.string().min(1).max(100), idSchema).optional().default({}),
    /**
     * The version each record must be at (survivor and merged), checked under lock: a record changed since
     * the caller looked is a `ConflictError` and nothing is merged.
     */
    expectedVersions: z.record(idSchema, z.number().int().min(1)).optional(),
  })
  .superRefine((input, ctx) => {
    const ids = new Set(input.mergedIds);
    if (ids.size !== input.mergedIds.length) ctx.addIssue({ code: 'custom', path: ['mergedIds'], message: 'mergedIds repeats an id' });
    if (ids.has(input.survivorId)) ctx.addIssue({ code: 'custom', path: ['mergedIds'], message: 'mergedIds holds the survivor' });
    const known = new Set([input.survivorId, ...input.mergedIds]);
    for (const [field, id] of Object.entries(input.fields)) {
      if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['fields', field], message: `${id} is neither the survivor nor a merged id` });
    }
    for (const id of Object.keys(input.expectedVersions ?? {})) {
      if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['expectedVersions', id], message: `${id} is neither the survivor nor a merged id` });
    }
  });
/** Input of `duplicates.merge`. */
export type MergeInput = z.input<typeof mergeInputSchema>;
