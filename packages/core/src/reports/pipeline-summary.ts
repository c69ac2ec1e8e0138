import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { combine } from '../common/entity-store.js';
import { currencySchema, idSchema, type Money, parseInput } from '../common/zod-helpers.js';
import { dealModel } from '../deals/deal.model.js';
import type { StageCategory } from '../pipelines/pipeline.schema.js';
import { loadPipeline } from '../pipelines/pipeline-reader.js';
import type { Where } from '../storage/where.js';

/** One stage's line of a pipeline summary. */
export interface PipelineStageSummary {
  stageId: string;
  key: string;
  name: string;
  category: StageCategory;
  /** The stage's current probability (deals keep the one they entered with). */
  probability: number;
  /** Deals in the stage (in the report currency). */
  count: number;
  /** Sum of their amounts. */
  amount: Money;
  /** Sum of amount x probability, each deal's own probability. */
  weightedAmount: Money;
}

/** A pipeline summary by stage. */
export interface PipelineSummary {
  pipelineId: string;
  pipelineName: string;
  currency: string;
  /** Every stage in pipeline order, empty ones included. */
  stages: PipelineStageSummary[];
  /** Totals over open stages: what is still in play. */
  open: { count: number; amount: Money; weightedAmount: Money };
  /** Deals left out because their currency differs from the report's. */
  otherCurrencyCount: number;
}

/** Options of `reports.pipelineSummary`. */
export const pipelineSummaryOptionsSchema = z
  .strictObject({
    /** @default the pipeline's currency */
    currency: currencySchema.optional(),
    /** Further filter on deals, e.g. `{ ownerId }` or `{ expectedCloseOn: { lte: '2026-12-31' } }`. */
    where: z.record(z.string(), z.unknown()).optional(),
  })
  .optional()
  .default({});
/** Options of `reports.pipelineSummary`. */
export type PipelineSummaryOptions = z.input<typeof pipelineSummaryOptionsSchema>;

const zero = (currency: string): Money => ({ minor: 0, currency });
const add = (a: number | bigint, b: number | bigint): number | bigint =>
  typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a) + BigInt(b) : a + b;

/** Counts and sums deals per stage in one SQL aggregate. */
export async function pipelineSummary(
  ctx: TenantContext,
  pipelineId: string,
  options?: PipelineSummaryOptions,
): Promise<PipelineSummary> {
  const id = parseInput(idSchema, pipelineId, 'pipeline id');
  const opts = parseInput(pipelineSummaryOptionsSchema, options, 'report options');
  const pipeline = await loadPipeline(ctx, id);
  const currency = opts.currency ?? pipeline.currency;
  const where = combine({ pipelineId: id }, opts.where as Where | undefined);
  const rows = await ctx.storage.aggregate({
    model: dealModel,
    tenantId: ctx.tenantId,
    ...(where ? { where } : {}),
    groupBy: ['stageId'],
    metrics: {
      count: { fn: 'count', filter: { currency } },
      amount: { fn: 'sum', field: 'amountMinor', filter: { currency } },
      weighted: { fn: 'sum', field: 'weightedAmountMinor', filter: { currency } },
      other: { fn: 'count', filter: { currency: { ne: currency } } },
    },
  });
  const byStage = new Map(rows.map((row) => [row.stageId as string, row]));
  const open = { count: 0, amount: zero(currency), weightedAmount: zero(currency) };
  let otherCurrencyCount = 0;
  const stages = pipeline.stages.map((stage) => {
    const row = byStage.get(stage.id);
    const count = Number(row?.count ?? 0);
    const amount = { minor: (row?.amount as number | bigint | null) ?? 0, currency };
    const weightedAmount = { minor: (row?.weighted as number | bigint | null) ?? 0, currency };
    otherCurrencyCount += Number(row?.other ?? 0);
    if (stage.category === 'open') {
      open.count += count;
      open.amount.minor = add(open.amount.minor, amount.minor);
      open.weightedAmount.minor = add(open.weightedAmount.minor, weightedAmount.minor);
    }
    return { stageId: stage.id, key: stage.key, name: stage.name, category: stage.category, probability: stage.probability, count, amount, weightedAmount };
  });
  return { pipelineId: id, pipelineName: pipeline.name, currency, stages, open, otherCurrencyCount };
}
