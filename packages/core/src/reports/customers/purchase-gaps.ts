import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { parseInput } from '../../common/zod-helpers.js';
import { orderModel } from '../../orders/order.model.js';
import type { AggregateMetric, Row } from '../../storage/adapter.js';
import type { DerivedValue } from '../../storage/derived.js';
import type { Where } from '../../storage/where.js';
import { reportPeriods } from '../case-groups.js';
import { timeZoneSchema } from '../sales/report-period.js';
import { countedOrders, customerField, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.purchaseGaps`. */
export const purchaseGapsOptionsSchema = z
  .strictObject({
    ...purchaseScopeShape,
    /** Also per period of the later order of each gap. */
    period: z.enum(reportPeriods).optional(),
    /** The IANA zone periods are cut in. @default 'UTC' */
    timeZone: timeZoneSchema.optional().default('UTC'),
  })
  .optional()
  .default({ by: 'contact', statuses: ['placed', 'paid', 'fulfilled'], timeZone: 'UTC' });
/** Options of `reports.purchaseGaps`. */
export type PurchaseGapsOptions = z.input<typeof purchaseGapsOptionsSchema>;

/** Figures over a set of gaps between consecutive purchases, in days (fractions kept). */
export interface PurchaseGapFigures {
  /** How many gaps: one per order that has a previous counted order of the same customer. */
  gaps: number;
  /** Null without gaps, like every figure below. */
  meanDays: number | null;
  /** The median, interpolated like SQL's `percentile_cont(0.5)`. */
  medianDays: number | null;
  /** The 90th percentile, interpolated. */
  p90Days: number | null;
  minDays: number | null;
  maxDays: number | null;
}

/** The gaps whose later order falls in one period. */
export interface PurchaseGapPeriod extends PurchaseGapFigures {
  /** The period's first day, `YYYY-MM-DD` in `timeZone`. */
  period: string;
}

/** The `purchaseGaps` report. */
export interface PurchaseGaps extends PurchaseGapFigures {
  /** Per period, when `period` is given (periods without gaps left out); else empty. */
  periods: PurchaseGapPeriod[];
}

const metrics: Record<string, AggregateMetric> = {
  gaps: { fn: 'count', field: 'gap' },
  mean: { fn: 'avg', field: 'gap' },
  median: { fn: 'percentile', field: 'gap', p: 0.5 },
  p90: { fn: 'percentile', field: 'gap', p: 0.9 },
  min: { fn: 'min', field: 'gap' },
  max: { fn: 'max', field: 'gap' },
};

/**
 * Time between purchases: for each counted order, the days since the same
 * customer's previous counted order (over all time, so the gap of the first
 * order after `from` reaches back before it); `from` / `to` keep the gaps
 * whose later order lies in `[from, to)`. The mean equals `repeatPurchase`'s
 * `meanDaysBetweenOrders`; the median here is over every gap, not over each
 * customer's mean. One aggregate with a window (`lag`) per figure set.
 * @throws {ValidationError} for invalid options or an unknown time zone
 */
export async function purchaseGaps(ctx: TenantContext, options?: PurchaseGapsOptions): Promise<PurchaseGaps> {
  const opts = parseInput(purchaseGapsOptionsSchema, options, 'report options');
  // Windows see every counted order; the window of the report applies to the gaps afterwards.
  const scope: PurchaseScope = { by: opts.by, statuses: opts.statuses };
  const key = customerField(opts.by);
  const derive: Record<string, DerivedValue> = {
    previous: { fn: 'lag', field: 'placedAt', partitionBy: [key], orderBy: [{ field: 'placedAt' }] },
    gap: { fn: 'difference', from: 'previous', to: 'placedAt', unit: 'days' },
  };
  const derivedWhere: Where = { gap: { ne: null } };
  if (opts.from !== undefined || opts.to !== undefined) {
    derivedWhere.placedAt = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  const base = { model: orderModel, tenantId: ctx.tenantId, where: countedOrders(scope), derive, derivedWhere, metrics };
  const [overall] = await ctx.storage.aggregate(base);
  const periods: PurchaseGapPeriod[] = [];
  if (opts.period !== undefined) {
    const rows = await ctx.storage.aggregate({
      ...base, groupBy: [{ field: 'placedAt', bucket: opts.period, as: 'period', timeZone: opts.timeZone }], orderBy: [{ key: 'period' }],
    });
    for (const row of rows) periods.push({ period: String(row.period), ...figures(row) });
  }
  return { ...figures(overall), periods };
}

function figures(row: Row | undefined): PurchaseGapFigures {
  const n = Number(row?.gaps ?? 0);
  const num = (v: unknown) => (n === 0 || v === null || v === undefined ? null : Number(v));
  return { gaps: n, meanDays: num(row?.mean), medianDays: num(row?.median), p90Days: num(row?.p90), minDays: num(row?.min), maxDays: num(row?.max) };
}
