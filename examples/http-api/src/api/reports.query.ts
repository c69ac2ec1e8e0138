import {
  caseChannels, casePriorities, caseReportDimensions, caseTypes, leadSourceDimensions, orderStatuses, reportPeriods, rfmSegments,
  salesCycleDimensions, winLossDimensions,
} from '@crmkit/core';
import { z } from '@hono/zod-openapi';

/**
 * Query parameters of the reports. A query string holds only text, so the
 * report options crmkit takes as arrays and numbers arrive here as comma
 * separated lists and digits: these schemas check their form (an unknown
 * `by` or `period` is a 422 before any query runs) and `reports.routes.ts`
 * turns them into crmkit's typed options, which crmkit then validates in full
 * (dates, time zones, currencies: a 422 with crmkit's own issues).
 */

/** A comma separated list of some values (`by=owner,period`); `allowEmpty` accepts `by=` for "no grouping". */
function listParam(values: readonly string[], description: string, allowEmpty = false) {
  const one = `(?:${values.join('|')})`;
  return z.string().max(500).regex(new RegExp(`^${allowEmpty ? '(?:' : ''}${one}(?:,${one})*${allowEmpty ? ')?' : ''}$`))
    .optional().openapi({ description: `${description}, comma separated: ${values.map((v) => `\`${v}\``).join(', ')}`, example: values[0] });
}

const idsParam = (description: string) => z.string().max(20_000).regex(/^[^,]{1,64}(,[^,]{1,64})*$/).optional()
  .openapi({ description: `${description}, comma separated` });
const idParam = (description: string) => z.string().min(1).max(64).optional().openapi({ description });
const boundary = (description: string) => z.string().min(1).max(40).optional()
  .openapi({ description: `${description}: an ISO instant, or a date (its midnight in \`timeZone\`)`, example: '2026-01-01' });

/** `period` and `timeZone`, shared by every report that groups by time. */
const periodShape = {
  period: z.enum(reportPeriods).optional().openapi({ description: 'Length of a period (weeks start on Monday); default `month`' }),
  timeZone: z.string().min(1).max(64).optional()
    .openapi({ description: 'The IANA zone whose calendar cuts the periods; default `UTC`', example: 'Europe/Paris' }),
};

/** `pipelineSummary`: the report currency and a further where-tree on deals. */
export const pipelineSummaryQuery = z.object({
  currency: z.string().length(3).optional().openapi({ description: "Default: the pipeline's currency; other deals are counted in `otherCurrencyCount`" }),
  where: z.string().max(20_000).optional().openapi({ description: 'A where-tree on deals as JSON: `{"ownerId":"..."}`' }),
});

/** `funnel` and `stageVelocity`: the cohort of deals, by creation time and owner. */
export const dealCohortQuery = z.object({
  from: boundary('Deals created at or after'),
  to: boundary('Deals created before'),
  ownerId: idParam('Only deals of this owner'),
  timeZone: periodShape.timeZone,
});

/** `forecast`. */
export const forecastQuery = z.object({
  ...periodShape,
  from: boundary('Periods from this day on'),
  to: boundary('Periods before this day'),
  pipelineId: idParam('Only deals of this pipeline'),
  ownerId: idParam('Only deals of this owner'),
});

const closedDealsShape = {
  ...periodShape,
  from: boundary('Deals closed at or after'),
  to: boundary('Deals closed before'),
  pipelineId: idParam('Only deals of this pipeline'),
  ownerId: idParam('Only deals of this owner'),
};

/** `winLoss`. */
export const winLossQuery = z.object({
  by: listParam(winLossDimensions, 'Grouping, default `owner`; `product` combines with `period` only'),
  ...closedDealsShape,
  topLossReasons: z.coerce.number().int().min(0).max(100).optional().openapi({ description: 'Loss reasons listed per row; default 10' }),
});

/** `salesCycle`. */
export const salesCycleQuery = z.object({
  by: listParam(salesCycleDimensions, 'Grouping, default `owner`; empty (`by=`) for one row', true),
  ...closedDealsShape,
});

/** `activity`. */
export const activityQuery = z.object({
  ...periodShape,
  from: boundary('Activity at or after'),
  to: boundary('Activity before'),
  memberIds: idsParam('Only these members'),
});

/** `leadSources`. */
export const leadSourcesQuery = z.object({
  by: listParam(leadSourceDimensions, 'Grouping, default `source`'),
  ...periodShape,
  from: boundary('Contacts created at or after'),
  to: boundary('Contacts created before'),
});

const caseFilterShape = {
  channels: listParam(caseChannels, 'Only cases from these channels'),
  types: listParam(caseTypes, 'Only cases of these types'),
  teamId: idParam('Only cases of this team'),
  ownerId: idParam('Only cases assigned to this agent'),
};

/** `slaCompliance` and `responseTimes`. */
export const caseReportQuery = z.object({
  by: listParam(caseReportDimensions, 'Grouping, default `priority` (`team` is the case team, `agent` its owner, `period` its opening)'),
  period: periodShape.period,
  from: boundary('Cases opened at or after'),
  to: boundary('Cases opened before'),
  priorities: listParam(casePriorities, 'Only cases of these priorities'),
  ...caseFilterShape,
});

/** `caseBacklog`. */
export const caseBacklogQuery = z.object({
  at: boundary('The instant ages are measured at (default now)'),
  ageDays: z.string().max(200).regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/).optional()
    .openapi({ description: 'Bounds of the age buckets in days, ascending, comma separated; default `1,3,7,30`', example: '1,3,7,30' }),
  ...caseFilterShape,
});

const statusesParam = listParam(orderStatuses, 'The order statuses that count as purchases, default `placed,paid,fulfilled`');

/** `rfm`. */
export const rfmQuery = z.object({
  referenceDate: z.string().max(10).optional().openapi({ description: 'The day recency counts to (`YYYY-MM-DD`); default the day after the last counted order', example: '2026-04-01' }),
  currency: z.string().length(3).optional().openapi({ description: 'The currency of M; required when orders have several' }),
  statuses: statusesParam,
  cell: z.string().regex(/^[1-5]{3}$/).optional().openapi({ description: 'List only the customers of this cell (R, F, M)', example: '555' }),
  segment: z.enum(rfmSegments).optional().openapi({ description: 'List only the customers of this segment' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ description: 'Customers per page of `list`; default 50' }),
  cursor: z.string().max(4096).optional().openapi({ description: '`list.nextCursor` of the previous page, with the same options' }),
});

/** `repeatPurchase`. */
export const repeatPurchaseQuery = z.object({
  customer: z.enum(['contact', 'company']).optional().openapi({ description: "Who a customer is: the order's contact (default) or its company" }),
  from: boundary('Orders placed at or after'),
  to: boundary('Orders placed before'),
  statuses: statusesParam,
});

/** A comma separated parameter as the array crmkit takes; absent stays absent. */
export function listOf<T extends string>(value: string | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return value === '' ? [] : (value.split(',') as T[]);
}

/** A `by` parameter: one dimension as crmkit's single value, several as an array. */
export function byOf<T extends string>(value: string | undefined): T | T[] | undefined {
  const list = listOf<T>(value);
  return list !== undefined && list.length === 1 ? list[0] : list;
}

/** The query without the parameters that were not given, for crmkit's strict option objects. */
export function given<T extends Record<string, unknown>>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}
