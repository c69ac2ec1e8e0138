import {
  casePriorities, caseStatuses, forecastReportCategories, rfmSegments, stageCategories,
} from '@crmkit/core';
import { z } from '@hono/zod-openapi';

/**
 * Response schemas of the reports: crmkit's report types (`PipelineSummary`,
 * `ForecastRow`...) as zod, field for field. crmkit has no zod schemas for its
 * report results (they are computed, never input), so these are written here;
 * the harness checks every report a test asks for against them.
 */

/** Money as the API writes it: minor units, a number (a decimal string beyond 2^53), and the currency. */
export const moneySchema = z
  .object({ minor: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]), currency: z.string() })
  .openapi('Money', { description: 'An amount in minor units (`1250` is 12.50 EUR), never converted between currencies' });

const amounts = z.array(moneySchema).openapi({ description: 'Summed per currency' });
const rate = z.number().min(0).max(1);
const nullableNumber = z.number().nullable();
const stage = { stageId: z.string(), key: z.string(), name: z.string(), category: z.enum(stageCategories) };
const score = z.number().int().min(1).max(5);

/** `reports.pipelineSummary`. */
export const pipelineSummarySchema = z.object({
  pipelineId: z.string(),
  pipelineName: z.string(),
  currency: z.string(),
  stages: z.array(z.object({ ...stage, probability: z.number(), count: z.number().int(), amount: moneySchema, weightedAmount: moneySchema })),
  open: z.object({ count: z.number().int(), amount: moneySchema, weightedAmount: moneySchema }),
  otherCurrencyCount: z.number().int(),
}).openapi('PipelineSummary');

/** `reports.funnel`. */
export const funnelSchema = z.object({
  pipelineId: z.string(),
  deals: z.number().int(),
  stages: z.array(z.object({
    ...stage, entered: z.number().int(), movedOn: z.number().int(), won: z.number().int(), moveOnRate: rate.nullable(), winRate: rate.nullable(),
  })),
}).openapi('Funnel');

/** `reports.stageVelocity`: completed stays per stage, in seconds. */
export const stageVelocityRowSchema = z.object({
  ...stage, stays: z.number().int(), averageSeconds: nullableNumber, medianSeconds: nullableNumber, p90Seconds: nullableNumber,
}).openapi('StageVelocityRow');

/** `reports.forecast`. */
export const forecastRowSchema = z.object({
  period: z.string().nullable(), category: z.enum(forecastReportCategories), count: z.number().int(), amounts, weightedAmounts: amounts,
}).openapi('ForecastRow');

const closedDealKeys = {
  ownerId: z.string().nullable().optional(),
  pipelineId: z.string().optional(),
  period: z.string().optional(),
};

/** `reports.winLoss`. */
export const winLossRowSchema = z.object({
  ...closedDealKeys,
  productId: z.string().nullable().optional(),
  won: z.number().int(), lost: z.number().int(), closed: z.number().int(), winRate: rate,
  wonAmounts: amounts, lostAmounts: amounts,
  lossReasons: z.array(z.object({ reason: z.string().nullable(), count: z.number().int() })),
  otherLossReasons: z.number().int(),
}).openapi('WinLossRow');

const cycleFigures = z.object({ count: z.number().int(), averageDays: nullableNumber, medianDays: nullableNumber, p90Days: nullableNumber });

/** `reports.salesCycle`: days from creation to close. */
export const salesCycleRowSchema = z.object({ ...closedDealKeys, won: cycleFigures, lost: cycleFigures, closed: cycleFigures }).openapi('SalesCycleRow');

/** `reports.activity`. */
export const activityRowSchema = z.object({
  memberId: z.string().nullable(), period: z.string(),
  calls: z.number().int(), emails: z.number().int(), meetings: z.number().int(), otherInteractions: z.number().int(), tasksCompleted: z.number().int(),
}).openapi('ActivityRow');

/** `reports.leadSources`. */
export const leadSourceRowSchema = z.object({
  source: z.string().nullable().optional(), period: z.string().optional(),
  contacts: z.number().int(), customers: z.number().int(), withWonDeal: z.number().int(), converted: z.number().int(), conversionRate: rate,
}).openapi('LeadSourceRow');

const caseKeys = {
  priority: z.enum(casePriorities).optional(),
  channel: z.string().optional(),
  teamId: z.string().nullable().optional(),
  ownerId: z.string().nullable().optional(),
  period: z.string().optional(),
};
const compliance = z.object({ met: z.number().int(), breached: z.number().int(), rate: rate.nullable() });
const times = z.object({ count: z.number().int(), median: nullableNumber, p90: nullableNumber, businessMedian: nullableNumber, businessP90: nullableNumber });

/** `reports.slaCompliance`. */
export const slaComplianceRowSchema = z.object({ ...caseKeys, cases: z.number().int(), firstResponse: compliance, resolution: compliance })
  .openapi('SlaComplianceRow');

/** `reports.responseTimes`: minutes net of paused time. */
export const responseTimesRowSchema = z.object({ ...caseKeys, cases: z.number().int(), firstResponse: times, resolution: times })
  .openapi('ResponseTimesRow');

/** `reports.caseBacklog`. */
export const caseBacklogRowSchema = z.object({
  status: z.enum(caseStatuses), priority: z.enum(casePriorities), open: z.number().int(), overdue: z.number().int(), oldestOpenedAt: z.string(),
  ages: z.array(z.object({ fromDays: z.number(), toDays: z.number().nullable(), count: z.number().int() })),
}).openapi('CaseBacklogRow');

/** `reports.rfm`: the cells, the segments and a page of scored customers. */
export const rfmReportSchema = z.object({
  referenceDate: z.string(),
  currency: z.string().nullable(),
  customers: z.number().int(),
  cells: z.array(z.object({ cell: z.string(), r: score, f: score, m: score, customers: z.number().int(), segment: z.enum(rfmSegments) })),
  distinctCells: z.number().int(),
  segments: z.array(z.object({ segment: z.enum(rfmSegments), customers: z.number().int() })),
  list: z.object({
    items: z.array(z.object({
      contactId: z.string(), lastOrderAt: z.string(), recencyDays: z.number(), frequency: z.number().int(), monetary: moneySchema,
      r: score, f: score, m: score, cell: z.string(), segment: z.enum(rfmSegments),
    })),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  }),
}).openapi('RfmReport');

/** `customers.refreshRfmScores`. */
export const rfmRefreshSchema = z.object({
  referenceDate: z.string(), currency: z.string().nullable(), scored: z.number().int(), replaced: z.number().int(), computedAt: z.string(),
}).openapi('RfmScoresRefresh');

/** `reports.repeatPurchase`. */
export const repeatPurchaseSchema = z.object({
  customers: z.number().int(), repeatCustomers: z.number().int(), repeatRate: rate.nullable(), orders: z.number().int(),
  meanDaysBetweenOrders: nullableNumber, medianDaysBetweenOrders: nullableNumber,
}).openapi('RepeatPurchase');

/** A report answered as rows, wrapped so that the answer can grow fields. */
export function rowsSchema<T extends z.ZodType>(row: T, name: string) {
  return z.object({ rows: z.array(row) }).openapi(name);
}
