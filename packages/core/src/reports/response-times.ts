import { z } from 'zod';
import { caseModel } from '../cases/case.model.js';
import type { TenantContext } from '../common/context.js';
import { parseInput } from '../common/zod-helpers.js';
import type { AggregateMetric } from '../storage/adapter.js';
import { type CaseReportKey, caseReportKey, caseReportShape, caseScopeGroups, caseScopeWhere } from './case-groups.js';

/** Options of `reports.responseTimes`. */
export const responseTimesOptionsSchema = z.strictObject(caseReportShape).optional().default({ by: 'priority', period: 'month' });
/** Options of `reports.responseTimes`. */
export type ResponseTimesOptions = z.input<typeof responseTimesOptionsSchema>;

/**
 * The distribution of one measured time over the cases of a group, in
 * minutes net of paused time (pending on the customer, on hold when the
 * policy pauses there). Medians and 90th percentiles are continuous
 * percentiles (interpolated, like SQL `percentile_cont`); null without cases.
 */
export interface ResponseTimeFigures {
  /** Cases that reached the target (the time is known). */
  count: number;
  /** Median, calendar minutes. */
  median: number | null;
  /** 90th percentile, calendar minutes. */
  p90: number | null;
  /** Median, business minutes (the policy's calendar; calendar minutes for calendar-hour policies). */
  businessMedian: number | null;
  /** 90th percentile, business minutes. */
  businessP90: number | null;
}

/** One row of a response-times report. */
export interface ResponseTimesRow extends CaseReportKey {
  /** Cases in the group. */
  cases: number;
  firstResponse: ResponseTimeFigures;
  resolution: ResponseTimeFigures;
}

type Target = 'firstResponse' | 'resolution';

function targetMetrics(target: Target): Record<string, AggregateMetric> {
  const calendar = `${target}Minutes`;
  const business = `${target}BusinessMinutes`;
  return {
    [`${target}Count`]: { fn: 'count', field: calendar },
    [`${target}Median`]: { fn: 'percentile', field: calendar, p: 0.5 },
    [`${target}P90`]: { fn: 'percentile', field: calendar, p: 0.9 },
    [`${target}BusinessMedian`]: { fn: 'percentile', field: business, p: 0.5 },
    [`${target}BusinessP90`]: { fn: 'percentile', field: business, p: 0.9 },
  };
}

const figure = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * Median and 90th percentile of first-response and resolution minutes, in
 * calendar and business time, per group: one SQL aggregate with the
 * `percentile` function. Rows are ordered by their keys.
 */
export async function responseTimes(ctx: TenantContext, options?: ResponseTimesOptions): Promise<ResponseTimesRow[]> {
  const scope = parseInput(responseTimesOptionsSchema, options, 'report options');
  const rows = await ctx.storage.aggregate({
    model: caseModel,
    tenantId: ctx.tenantId,
    where: caseScopeWhere(scope),
    ...caseScopeGroups(scope),
    metrics: { cases: { fn: 'count' }, ...targetMetrics('firstResponse'), ...targetMetrics('resolution') },
  });
  const figures = (row: Record<string, unknown>, target: Target): ResponseTimeFigures => ({
    count: Number(row[`${target}Count`]),
    median: figure(row[`${target}Median`]),
    p90: figure(row[`${target}P90`]),
    businessMedian: figure(row[`${target}BusinessMedian`]),
    businessP90: figure(row[`${target}BusinessP90`]),
  });
  return rows.map((row) => ({
    ...caseReportKey(scope, row),
    cases: Number(row.cases),
    firstResponse: figures(row, 'firstResponse'),
    resolution: figures(row, 'resolution'),
  }));
}
