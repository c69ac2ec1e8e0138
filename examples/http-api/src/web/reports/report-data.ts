import { type ForecastRow, type Funnel, type Pipeline, type RfmReport, type SlaComplianceRow, type TenantScope, ValidationError, type WinLossRow } from '@crmkit/core';
import type { ReportQuery } from './report-query.js';

/** The figures of the reports page, every one an aggregate crmkit computed in SQL for the signed-in member. */
export interface ReportsData {
  /** The pipelines to choose from, and the one shown (none when the tenant has none, or the chosen one is unknown). */
  pipelines: Pipeline[];
  pipeline?: Pipeline;
  /** The currency of the forecast amounts. */
  currency: string;
  funnel?: Funnel;
  forecast: ForecastRow[];
  winLoss?: WinLossRow;
  sla: SlaComplianceRow[];
  /** The RFM report, or why it could not be computed. */
  rfm: RfmReport | { refused: string };
}

/** Enough pipelines for the picker of any realistic tenant; the page does not page through them. */
const pipelineLimit = 100;

/**
 * Runs the page's reports as `t` (the member's scope, so access control
 * applies to every figure), all at once: each is one or a few SQL aggregates.
 */
export async function loadReports(t: TenantScope, query: ReportQuery): Promise<ReportsData> {
  const { items: pipelines } = await t.pipelines.list({ limit: pipelineLimit });
  const pipeline = query.pipeline === undefined ? pipelines[0] : pipelines.find((p) => p.id === query.pipeline);
  const currency = query.currency ?? pipeline?.currency ?? 'USD';
  const range = { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
  const ofPipeline = pipeline ? { pipelineId: pipeline.id } : {};
  const [funnel, forecast, winLoss, sla, rfm] = await Promise.all([
    pipeline ? t.reports.funnel(pipeline.id, range) : undefined,
    t.reports.forecast({ period: query.period, ...range, ...ofPipeline }),
    t.reports.winLoss({ by: 'pipeline', ...range, ...ofPipeline }),
    t.reports.slaCompliance({ by: 'period', period: query.period, ...range }),
    loadRfm(t, query),
  ]);
  return { pipelines, ...(pipeline ? { pipeline } : {}), currency, ...(funnel ? { funnel } : {}), forecast, ...(winLoss[0] ? { winLoss: winLoss[0] } : {}), sla, rfm };
}

/**
 * RFM needs one currency for M: without `currency`, crmkit refuses orders in
 * several (a ValidationError), which the page shows in place of the grid
 * rather than failing. Only the cells are needed: the customer list is one row.
 */
async function loadRfm(t: TenantScope, query: ReportQuery): Promise<RfmReport | { refused: string }> {
  try {
    return await t.reports.rfm({ limit: 1, ...(query.currency ? { currency: query.currency } : {}), ...(query.to ? { referenceDate: query.to } : {}) });
  } catch (error) {
    if (error instanceof ValidationError) return { refused: `RFM not computed: ${error.message}. Choose a currency.` };
    throw error;
  }
}
