import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { dateSchema, idSchema, type Money, moneySchema, optionalText, timestampSchema } from '../common/zod-helpers.js';

/** Where a deal stands: still in play, or closed. */
export const dealStatuses = ['open', 'won', 'lost'] as const;
/** One of {@link dealStatuses}. */
export type DealStatus = (typeof dealStatuses)[number];

/** Input of one product line. */
export const dealLineInputSchema = z.strictObject({
  productId: idSchema.nullable().optional(),
  /** @default the product's name */
  name: z.string().trim().min(1).max(200).optional(),
  quantity: z.number().positive().max(1e9).optional().default(1),
  /** Unit price in minor units of the deal's currency. @default the product's price */
  unitPriceMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  discountPercent: z.number().min(0).max(100).optional().default(0),
});
/** Input of one product line. */
export type DealLineInput = z.input<typeof dealLineInputSchema>;

/** A product line of a deal; `totalMinor` = quantity x unit price less discount, rounded. */
export interface DealLine {
  productId: string | null;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  discountPercent: number;
  totalMinor: number;
}

/** Input of `deals.create`. */
export const dealInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  pipelineId: idSchema,
  /** Stage key or id. @default the pipeline's first open stage */
  stage: z.string().max(64).optional(),
  /** @default the sum of `lines`, or zero in the pipeline's currency */
  amount: moneySchema.optional(),
  /** Overrides the stage's probability until the next stage change. */
  probability: z.number().int().min(0).max(100).optional(),
  expectedCloseOn: dateSchema.nullable().optional(),
  companyId: idSchema.nullable().optional(),
  contactIds: z.array(idSchema).max(100).optional(),
  lines: z.array(dealLineInputSchema).max(500).optional(),
  source: optionalText(100),
  /**
   * The campaign the deal came from, in the same tenant. Once won, the deal is
   * credited to it by `campaigns.report`, whatever the touch rules say.
   */
  campaignId: idSchema.nullable().optional(),
  /**
   * When the deal entered its first stage, for imports of deals opened in the
   * past: it stamps the first stage-history entry and `stageEnteredAt`.
   * @default now
   */
  enteredAt: timestampSchema.optional(),
  /** When creating a deal straight into a won or lost stage (imports): when it closed. @default `enteredAt`, else now */
  closedAt: timestampSchema.optional(),
  lostReason: optionalText(500),
  externalId: optionalText(128),
  ...ownedInputShape,
});
/** Input of `deals.create`. */
export type DealInput = z.input<typeof dealInputSchema>;

/** Input of `deals.update` (stage, status and contacts change through their own methods). */
export const dealPatchSchema = dealInputSchema
  .omit({ pipelineId: true, stage: true, contactIds: true, enteredAt: true, closedAt: true, lostReason: true })
  .partial()
  .extend({ probability: z.number().int().min(0).max(100).optional() });
/** Input of `deals.update`. */
export type DealPatch = z.input<typeof dealPatchSchema>;

/** Options of `deals.moveToStage`, `markWon` and `markLost`. */
export const moveOptionsSchema = z
  .strictObject({
    expectedVersion: z.number().int().min(1).optional(),
    /** When the move happened (imports, back-dating); not before the deal entered its current stage. @default now */
    at: timestampSchema.optional(),
    /** Why the deal was lost (only for a lost stage). */
    reason: optionalText(500),
    /**
     * A stage gate: dotted paths of the deal (`amount`, `expectedCloseOn`,
     * `custom.budget`) that must be filled in, checked on the deal as stored
     * when it moves. A missing one is a `ValidationError` whose issues name
     * each field with the code `missing_for_stage`, and the deal stays.
     */
    requiredFields: z.array(z.string().regex(/^[A-Za-z0-9_]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/, 'A field path')).max(50).optional(),
  })
  .optional()
  .default({});
/** Options of `deals.moveToStage`, `markWon` and `markLost`. */
export type MoveOptions = z.input<typeof moveOptionsSchema>;

/** A deal (opportunity) in a pipeline. */
export interface Deal extends OwnedRecord {
  title: string;
  pipelineId: string;
  stageId: string;
  status: DealStatus;
  amount: Money;
  /** Percent, from the stage unless overridden. */
  probability: number;
  /** `amount x probability / 100`, rounded, in minor units. */
  weightedAmountMinor: number | bigint;
  /** `YYYY-MM-DD`. */
  expectedCloseOn: string | null;
  /** When the deal entered its current stage. */
  stageEnteredAt: string;
  closedAt: string | null;
  lostReason: string | null;
  companyId: string | null;
  contactIds: string[];
  lines: DealLine[];
  /** The campaign the deal came from (`create` / `update`); a won deal is credited to it by `campaigns.report`. */
  campaignId: string | null;
  source: string | null;
  externalId: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
