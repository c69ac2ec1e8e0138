import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, parseInput } from '../../common/zod-helpers.js';
import { dealModel, stageChangeModel } from '../../deals/deal.model.js';
import type { StageCategory } from '../../pipelines/pipeline.schema.js';
import { loadPipeline } from '../../pipelines/pipeline-reader.js';
import { cohortWhere, dealCohortShape } from './deal-cohort.js';

/** Options of `reports.stageVelocity`. */
export const stageVelocityOptionsSchema = z.strictObject(dealCohortShape).optional().default({ timeZone: 'UTC' });
/** Options of `reports.stageVelocity`. */
export type StageVelocityOptions = z.input<typeof stageVelocityOptionsSchema>;

/** How long deals stayed in one stage. Times are in seconds; null without stays. */
export interface StageVelocityRow {
  /** The stage, its key, name and category. */
  stageId: string;
  key: string;
  name: string;
  category: StageCategory;
  /**
   * Completed stays: how many times a deal of the cohort left the stage. A
   * deal still in the stage is not counted until it leaves.
   */
  stays: number;
  /** Mean time in the stage. */
  averageSeconds: number | null;
  /** Median time in the stage (continuous percentile, like SQL `percentile_cont(0.5)`). */
  medianSeconds: number | null;
  /** 90th percentile of the time in the stage. */
  p90Seconds: number | null;
}

const figure = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * Time spent in each stage of a pipeline, from stage history: one SQL
 * aggregate over the stage changes that left a stage, grouped by that stage.
 * Each change carries the seconds the deal spent in the stage it left, so the
 * mean and percentiles are plain aggregates. Stages come in pipeline order.
 * @throws {NotFoundError} for an unknown pipeline
 */
export async function stageVelocity(ctx: TenantContext, pipelineId: string, options?: StageVelocityOptions): Promise<StageVelocityRow[]> {
  const id = parseInput(idSchema, pipelineId, 'pipeline id');
  const opts = parseInput(stageVelocityOptionsSchema, options, 'report options');
  const pipeline = await loadPipeline(ctx, id);
  const cohort = cohortWhere(id, opts);
  const rows = await ctx.storage.aggregate({
    model: stageChangeModel,
    tenantId: ctx.tenantId,
    where: {
      pipelineId: id,
      fromStageId: { ne: null },
      // Without a cohort filter every deal of the pipeline counts: no semi-join needed.
      ...(Object.keys(cohort).length > 1 ? { dealId: { inQuery: { model: dealModel, field: 'id', where: cohort } } } : {}),
    },
    groupBy: ['fromStageId'],
    metrics: {
      stays: { fn: 'count', field: 'secondsInFromStage' },
      average: { fn: 'avg', field: 'secondsInFromStage' },
      median: { fn: 'percentile', field: 'secondsInFromStage', p: 0.5 },
      p90: { fn: 'percentile', field: 'secondsInFromStage', p: 0.9 },
    },
  });
  const byStage = new Map(rows.map((row) => [row.fromStageId as string, row]));
  return pipeline.stages.map((stage): StageVelocityRow => {
    const row = byStage.get(stage.id);
    return {
      stageId: stage.id, key: stage.key, name: stage.name, category: stage.category,
      stays: Number(row?.stays ?? 0), averageSeconds: figure(row?.average), medianSeconds: figure(row?.median), p90Seconds: figure(row?.p90),
    };
  });
}
