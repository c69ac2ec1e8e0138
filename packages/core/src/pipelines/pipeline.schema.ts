import { z } from 'zod';
import type { BaseRecord } from '../common/record.js';
import { currencySchema } from '../common/zod-helpers.js';

/** Whether a stage is still in play or closes the deal. */
export const stageCategories = ['open', 'won', 'lost'] as const;
/** One of {@link stageCategories}. */
export type StageCategory = (typeof stageCategories)[number];

/** Forecast buckets, as in Salesforce: how sure the owner is that the deal lands this period. */
export const forecastCategories = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
/** One of {@link forecastCategories}. */
export type ForecastCategory = (typeof forecastCategories)[number];

/** A stage key: lower-case letters, digits, `_` and `-`, usable in code (`moveToStage(id, 'negotiation')`). */
export const stageKeySchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'Stage keys use a-z, 0-9, _ and -');

/** Input of one stage. */
export const stageInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** @default the name in lower case with `_` for spaces (`Proposal Sent` -> `proposal_sent`) */
  key: stageKeySchema.optional(),
  /**
   * Win probability in percent, copied onto deals entering the stage.
   * @default won 100, lost 0, open stages evenly spaced between (3 open stages: 25, 50, 75)
   */
  probability: z.number().int().min(0).max(100).optional(),
  /** @default 'open' */
  category: z.enum(stageCategories).optional().default('open'),
  /** @default open 'pipeline', won 'closed', lost 'omitted' */
  forecastCategory: z.enum(forecastCategories).optional(),
  /** Deals sitting in the stage longer than this are stale (workflows remind their owner). */
  staleAfterDays: z.number().int().min(1).max(3650).nullable().optional(),
});
/** Input of one stage. */
export type StageInput = z.input<typeof stageInputSchema>;

/** Input of `pipelines.create`. */
export const pipelineInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    /** Currency of the pipeline's reports and the default for its deals. @default 'USD' */
    currency: currencySchema.optional().default('USD'),
    stages: z.array(stageInputSchema).min(1).max(50),
  })
  .refine((p) => p.stages.some((s) => s.category === 'open'), { message: 'A pipeline needs at least one open stage', path: ['stages'] });
/** Input of `pipelines.create`. */
export type PipelineInput = z.input<typeof pipelineInputSchema>;

/** Input of `pipelines.updateStage`. */
export const stagePatchSchema = stageInputSchema.partial().extend({ category: z.enum(stageCategories).optional() });
/** Input of `pipelines.updateStage`. */
export type StagePatch = z.input<typeof stagePatchSchema>;

/** A stage of a pipeline. */
export interface Stage extends BaseRecord {
  pipelineId: string;
  key: string;
  name: string;
  /** 0-based order within the pipeline. */
  position: number;
  probability: number;
  category: StageCategory;
  forecastCategory: ForecastCategory;
  staleAfterDays: number | null;
}

/** A sales pipeline with its stages in order. */
export interface Pipeline extends BaseRecord {
  name: string;
  currency: string;
  stages: Stage[];
}
