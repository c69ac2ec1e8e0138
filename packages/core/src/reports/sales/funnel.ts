import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, parseInput } from '../../common/zod-helpers.js';
import { dealModel, stageChangeModel } from '../../deals/deal.model.js';
import type { StageCategory } from '../../pipelines/pipeline.schema.js';
import { loadPipeline } from '../../pipelines/pipeline-reader.js';
import type { AggregateMetric } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { cohortWhere, dealCohortShape } from './deal-cohort.js';

/** Options of `reports.funnel`. */
export const funnelOptionsSchema = z.strictObject(dealCohortShape).optional().default({ timeZone: 'UTC' });
/** Options of `reports.funnel`. */
export type FunnelOptions = z.input<typeof funnelOptionsSchema>;

/** One stage of a conversion funnel. */
export interface FunnelStage {
  /** The stage, its key, name and category. */
  stageId: string;
  key: string;
  name: string;
  category: StageCategory;
  /** Deals of the cohort that entered the stage at least once (created in it included). */
  entered: number;
  /** Of those, deals that also entered a later stage: an open one further down the pipeline, or a won one. */
  movedOn: number;
  /** Of those, deals won now. */
  won: number;
  /** movedOn / entered, from 0 to 1; null when no deal entered. */
  moveOnRate: number | null;
  /** won / entered, from 0 to 1; null when no deal entered. */
  winRate: number | null;
}

/** A pipeline's conversion funnel. */
export interface Funnel {
  pipelineId: string;
  /** Deals in the cohort. */
  deals: number;
  /** Every stage in pipeline order. */
  stages: FunnelStage[];
}

const entering = (stageIds: readonly string[]): Where => ({
  id: { inQuery: { model: stageChangeModel, field: 'dealId', where: { toStageId: stageIds.length === 1 ? stageIds[0]! : { in: [...stageIds] } } } },
});

/**
 * The conversion funnel of a pipeline from stage history, in one SQL
 * aggregate over the cohort's deals: per stage, deals that entered it (a
 * semi-join on stage changes), those that entered a later stage and those won.
 * "Later" is by position, so a deal that skipped stages moved on all the same.
 * @throws {NotFoundError} for an unknown pipeline
 */
export async function funnel(ctx: TenantContext, pipelineId: string, options?: FunnelOptions): Promise<Funnel> {
  const id = parseInput(idSchema, pipelineId, 'pipeline id');
  const opts = parseInput(funnelOptionsSchema, options, 'report options');
  const pipeline = await loadPipeline(ctx, id);
  const won = pipeline.stages.filter((s) => s.category === 'won').map((s) => s.id);
  const metrics: Record<string, AggregateMetric> = { deals: { fn: 'count' } };
  pipeline.stages.forEach((stage, i) => {
    const later = [...new Set([...pipeline.stages.filter((s) => s.position > stage.position && s.category === 'open').map((s) => s.id), ...won])].filter((s) => s !== stage.id);
    const entered = entering([stage.id]);
    metrics[`entered${i}`] = { fn: 'count', filter: entered };
    metrics[`won${i}`] = { fn: 'count', filter: { and: [entered, { status: 'won' }] } };
    // A stage with nothing after it (the last won stage) has no one moving on.
    if (later.length > 0) metrics[`movedOn${i}`] = { fn: 'count', filter: { and: [entered, entering(later)] } };
  });
  const [row = {}] = await ctx.storage.aggregate({ model: dealModel, tenantId: ctx.tenantId, where: cohortWhere(id, opts), metrics });
  const rate = (n: number, of: number) => (of === 0 ? null : n / of);
  const stages = pipeline.stages.map((stage, i): FunnelStage => {
    const entered = Number(row[`entered${i}`] ?? 0);
    const movedOn = Number(row[`movedOn${i}`] ?? 0);
    const wonCount = Number(row[`won${i}`] ?? 0);
    return {
      stageId: stage.id, key: stage.key, name: stage.name, category: stage.category,
      entered, movedOn, won: wonCount, moveOnRate: rate(movedOn, entered), winRate: rate(wonCount, entered),
    };
  });
  return { pipelineId: id, deals: Number(row.deals ?? 0), stages };
}
