import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, type Money, parseInput } from '../../common/zod-helpers.js';
import { dealModel } from '../../deals/deal.model.js';
import { dealLineModel } from '../../deals/deal-lines.model.js';
import type { AggregateMetric, GroupKey, Row } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { type ClosedDealsFilter, closedDealsWhere } from './deal-cohort.js';
import { compareKeys, Groups, MoneyTotals } from './report-rows.js';
import { boundarySchema, periodGroup, periodShape } from './report-period.js';

/**
 * What `reports.winLoss` groups closed deals by. `period` is the period the
 * deal closed in; `product` the products of the deal's lines, which combines
 * with `period` only.
 */
export const winLossDimensions = ['owner', 'pipeline', 'period', 'product'] as const;
/** One of {@link winLossDimensions}. */
export type WinLossDimension = (typeof winLossDimensions)[number];

const dimension = z.enum(winLossDimensions);

/** Options of `reports.winLoss`. */
export const winLossOptionsSchema = z
  .strictObject({
    /** One dimension or several (a row per combination). @default 'owner' */
    by: z.union([dimension, z.array(dimension).min(1).max(winLossDimensions.length)]).optional().default('owner'),
    ...periodShape,
    /** Deals closed at or after this instant (a date: its midnight in `timeZone`). */
    from: boundarySchema.optional(),
    /** Deals closed before this instant. */
    to: boundarySchema.optional(),
    /** Only deals of this pipeline. */
    pipelineId: idSchema.optional(),
    /** Only deals of this owner. */
    ownerId: idSchema.optional(),
    /** How many loss reasons each row lists, most frequent first; the rest are counted in `otherLossReasons`. @default 10 */
    topLossReasons: z.number().int().min(0).max(100).optional().default(10),
  })
  // Lines copy the deal's status and close time, not its owner or pipeline: those group deals, not lines.
  .refine((o) => !dims(o.by).includes('product') || dims(o.by).every((d) => d === 'product' || d === 'period'), {
    message: "'product' combines with 'period' only",
    path: ['by'],
  })
  .optional()
  .default({ by: 'owner', period: 'month', timeZone: 'UTC', topLossReasons: 10 });
/** Options of `reports.winLoss`. */
export type WinLossOptions = z.input<typeof winLossOptionsSchema>;

/** How often one reason was given for losing. */
export interface LossReasonCount {
  /** The reason as given to `markLost`; null when none was. */
  reason: string | null;
  /** Lost deals that gave it. */
  count: number;
}

/** One row of a win / loss report: the closed deals of one group. */
export interface WinLossRow {
  /** When grouping by owner (null: deals without owner). */
  ownerId?: string | null;
  /** When grouping by pipeline. */
  pipelineId?: string;
  /** When grouping by product: the product of the lines (null: lines without product). */
  productId?: string | null;
  /** First day of the close period, `YYYY-MM-DD` in the report's zone, when grouping by period. */
  period?: string;
  /** Won deals (by product: won deals with a line of the product, each counted once). */
  won: number;
  /** Lost deals. */
  lost: number;
  /** won + lost. */
  closed: number;
  /** won / closed, from 0 to 1. */
  winRate: number;
  /** Amounts of the won deals, summed per currency (by product: the totals of the product's lines). */
  wonAmounts: Money[];
  /** Amounts of the lost deals, summed per currency. */
  lostAmounts: Money[];
  /** The most frequent loss reasons, by count descending, then no reason first, then reason in code-unit order. */
  lossReasons: LossReasonCount[];
  /** Lost deals whose reason is beyond the `topLossReasons` listed. */
  otherLossReasons: number;
}

/** No reason first, then reasons in code-unit order. */
function compareReasons(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as string) < (b as string) ? -1 : 1;
}

const keyFields: Record<WinLossDimension, 'ownerId' | 'pipelineId' | 'period' | 'productId'> = {
  owner: 'ownerId', pipeline: 'pipelineId', period: 'period', product: 'productId',
};

function dims(by: WinLossDimension | WinLossDimension[]): WinLossDimension[] {
  return [...new Set(Array.isArray(by) ? by : [by])];
}

/** Per group and currency: won / lost counts and amounts. */
const amountMetrics = (field: string): Record<string, AggregateMetric> => ({
  won: { fn: 'count', filter: { status: 'won' } },
  lost: { fn: 'count', filter: { status: 'lost' } },
  wonAmount: { fn: 'sum', field, filter: { status: 'won' } },
  lostAmount: { fn: 'sum', field, filter: { status: 'lost' } },
});

/** The two aggregates of a report by deal fields: amounts by currency, reasons by group. */
function dealAggregates(ctx: TenantContext, where: Where, groupBy: GroupKey[]): Promise<[Row[], Row[]]> {
  const tenantId = ctx.tenantId;
  return Promise.all([
    ctx.storage.aggregate({ model: dealModel, tenantId, where, groupBy: [...groupBy, 'currency'], metrics: amountMetrics('amountMinor') }),
    ctx.storage.aggregate({ model: dealModel, tenantId, where: { ...where, status: 'lost' }, groupBy: [...groupBy, 'lostReason'], metrics: { count: { fn: 'count' } } }),
  ]);
}

/**
 * The same two aggregates over deal lines. A deal with two lines of one
 * product is one deal of that product: lines are grouped per deal first
 * (status, currency and reason are the deal's, the same on all its lines),
 * then those groups are counted, in the same statement.
 */
function lineAggregates(ctx: TenantContext, filter: ClosedDealsFilter, groupBy: GroupKey[], keys: string[]): Promise<[Row[], Row[]]> {
  const tenantId = ctx.tenantId;
  const { pipelineId, ownerId, ...closed } = filter;
  const lines: Where = closedDealsWhere(closed);
  // Owner and pipeline live on the deal: a semi-join keeps the report one statement per aggregate.
  const deals: Where = { ...(pipelineId ? { pipelineId } : {}), ...(ownerId ? { ownerId } : {}) };
  if (Object.keys(deals).length > 0) lines.dealId = { inQuery: { model: dealModel, field: 'id', where: deals } };
  return Promise.all([
    ctx.storage.aggregate({
      model: dealLineModel, tenantId, where: lines, groupBy: [...groupBy, 'dealId', 'status', 'currency'],
      metrics: { amount: { fn: 'sum', field: 'amountMinor' } },
      regroup: { groupBy: [...keys, 'currency'], metrics: amountMetrics('amount') },
    }),
    ctx.storage.aggregate({
      model: dealLineModel, tenantId, where: { ...lines, status: 'lost' }, groupBy: [...groupBy, 'dealId', 'lostReason'],
      metrics: { lines: { fn: 'count' } },
      regroup: { groupBy: [...keys, 'lostReason'], metrics: { count: { fn: 'count' } } },
    }),
  ]);
}

/**
 * Won and lost deals, their amounts and loss reasons per group, in two SQL
 * aggregates (amounts by currency, reasons by group); by product, over the
 * deal lines (deals without lines are in no product's row). Rows are ordered
 * by their keys in the order of `by` (see `compareKeys`: null last).
 */
export async function winLoss(ctx: TenantContext, options?: WinLossOptions): Promise<WinLossRow[]> {
  const opts = parseInput(winLossOptionsSchema, options, 'report options');
  const by = dims(opts.by);
  const groupBy: GroupKey[] = by.map((d) => (d === 'period' ? periodGroup('closedAt', opts) : keyFields[d]));
  const [amounts, reasons] = by.includes('product')
    ? await lineAggregates(ctx, opts, groupBy, by.map((d) => keyFields[d]))
    : await dealAggregates(ctx, closedDealsWhere(opts), groupBy);
  const keyOf = (row: Row) => JSON.stringify(by.map((d) => row[keyFields[d]] ?? null));
  const groups = new Groups((key) => {
    const values = JSON.parse(key) as (string | null)[];
    const head: Partial<WinLossRow> = {};
    by.forEach((d, i) => Object.assign(head, { [keyFields[d]]: values[i] }));
    return { values, head, won: 0, lost: 0, wonAmounts: new MoneyTotals(), lostAmounts: new MoneyTotals(), reasons: [] as LossReasonCount[], other: 0 };
  });
  for (const row of amounts) {
    const group = groups.of(keyOf(row));
    group.won += Number(row.won);
    group.lost += Number(row.lost);
    if (Number(row.won) > 0) group.wonAmounts.add(row.currency as string, row.wonAmount);
    if (Number(row.lost) > 0) group.lostAmounts.add(row.currency as string, row.lostAmount);
  }
  // Ordered here rather than in SQL: databases disagree on where NULL sorts, and the cut at
  // `topLossReasons` must be the same everywhere. One row per (group, reason) comes back either way.
  reasons.sort((a, b) => Number(b.count) - Number(a.count) || compareReasons(a.lostReason, b.lostReason));
  for (const row of reasons) {
    const group = groups.of(keyOf(row));
    if (group.reasons.length < opts.topLossReasons) group.reasons.push({ reason: (row.lostReason as string | null) ?? null, count: Number(row.count) });
    else group.other += Number(row.count);
  }
  return groups
    .values()
    .sort((a, b) => compareKeys(a.values, b.values))
    .map((g): WinLossRow => ({
      ...g.head,
      won: g.won,
      lost: g.lost,
      closed: g.won + g.lost,
      winRate: g.won + g.lost === 0 ? 0 : g.won / (g.won + g.lost),
      wonAmounts: g.wonAmounts.list(),
      lostAmounts: g.lostAmounts.list(),
      lossReasons: g.reasons,
      otherLossReasons: g.other,
    }));
}
