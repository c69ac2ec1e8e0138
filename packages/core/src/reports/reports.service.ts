import type { TenantContext } from '../common/context.js';
import { type ChurnRateOptions, type ChurnRateRow, churnRate } from './customers/churn-rate.js';
import { type CohortRetentionOptions, type CohortRetentionRow, cohortRetention } from './customers/cohort-retention.js';
import { type CustomerRankingOptions, type CustomerRankingRow, customerRanking } from './customers/customer-ranking.js';
import { type InactiveCustomers, type InactiveCustomersOptions, inactiveCustomers } from './customers/inactive-customers.js';
import { type LifetimeValueOptions, type LifetimeValueReport, lifetimeValue } from './customers/lifetime-value.js';
import { type PurchaseGaps, type PurchaseGapsOptions, purchaseGaps } from './customers/purchase-gaps.js';
import { type RfmOptions, type RfmReport, rfm } from './customers/rfm.js';
import { type CaseBacklogOptions, type CaseBacklogRow, caseBacklog } from './case-backlog.js';
import { type ContractRenewals, type ContractRenewalsOptions, contractRenewals } from './contract-renewals.js';
import { type PipelineSummary, type PipelineSummaryOptions, pipelineSummary } from './pipeline-summary.js';
import { type RepeatPurchase, type RepeatPurchaseOptions, repeatPurchase } from './repeat-purchase.js';
import { type ResponseTimesOptions, type ResponseTimesRow, responseTimes } from './response-times.js';
import { type SatisfactionOptions, type SatisfactionRow, satisfaction } from './satisfaction.js';
import { type SlaComplianceOptions, type SlaComplianceRow, slaCompliance } from './sla-compliance.js';
import { type WarrantyClaimRateOptions, type WarrantyClaimRateRow, warrantyClaimRate } from './warranty-claim-rate.js';
import { type WinRateOptions, type WinRateRow, winRate } from './win-rate.js';
import { type ActivityOptions, type ActivityRow, activity } from './sales/activity.js';
import { type ForecastOptions, type ForecastRow, forecast } from './sales/forecast.js';
import { type Funnel, type FunnelOptions, funnel } from './sales/funnel.js';
import { type LeadSourceRow, type LeadSourcesOptions, leadSources } from './sales/lead-sources.js';
import { type SalesCycleOptions, type SalesCycleRow, salesCycle } from './sales/sales-cycle.js';
import { type StageVelocityOptions, type StageVelocityRow, stageVelocity } from './sales/stage-velocity.js';
import { type WinLossOptions, type WinLossRow, winLoss } from './sales/win-loss.js';
import { cube } from './cube/cube.js';
import type { CubeResult } from './cube/cube-rows.js';
import type { CubeOptions } from './cube/cube.schema.js';

/**
 * Reports, each one aggregate (or a few) pushed down to SQL through the
 * storage contract: no report loads records into memory. Reached as
 * `crm.tenant(id).reports`. Every report parses its options with zod.
 * @throws {ValidationError} (every method) for invalid options
 */
export class ReportsService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * Deals per stage of a pipeline: count, amount and probability-weighted amount.
   * @throws {NotFoundError} for an unknown pipeline
   * @example
   * const summary = await t.reports.pipelineSummary(sales.id);
   * for (const s of summary.stages) console.log(s.name, s.count, s.amount.minor, s.weightedAmount.minor);
   */
  async pipelineSummary(pipelineId: string, options?: PipelineSummaryOptions): Promise<PipelineSummary> {
    return pipelineSummary(this.#ctx, pipelineId, options);
  }

  /**
   * Win rate (won / closed) by owner, close period or both, with the won amounts per currency.
   * @example
   * const best = await t.reports.winRate({ by: 'owner', currency: 'USD', orderBy: 'wonAmount', limit: 5 });
   */
  async winRate(options?: WinRateOptions): Promise<WinRateRow[]> {
    return winRate(this.#ctx, options);
  }

  /**
   * SLA compliance: the share of cases whose first-response and resolution
   * targets were met, by priority, channel, team, agent (`ownerId`) and/or
   * opening period. Cases whose target is neither reached nor missed yet are
   * not counted.
   * @throws {ValidationError} for invalid options
   * @example
   * const rows = await t.reports.slaCompliance({ by: ['team', 'period'], period: 'week', from: '2026-01-01' });
   * for (const r of rows) console.log(r.teamId, r.period, r.firstResponse.rate, r.resolution.rate);
   */
  async slaCompliance(options?: SlaComplianceOptions): Promise<SlaComplianceRow[]> {
    return slaCompliance(this.#ctx, options);
  }

  /**
   * First-response and resolution times: median and 90th percentile, in
   * calendar and business minutes net of paused time, grouped like
   * {@link slaCompliance}.
   * @throws {ValidationError} for invalid options
   * @example
   * const [urgent] = await t.reports.responseTimes({ by: 'priority', priorities: ['urgent'] });
   * console.log(urgent?.firstResponse.median, urgent?.resolution.businessP90);
   */
  async responseTimes(options?: ResponseTimesOptions): Promise<ResponseTimesRow[]> {
    return responseTimes(this.#ctx, options);
  }

  /**
   * The backlog: open cases by status and priority, with their ages in buckets
   * and how many are past their resolution due time.
   * @throws {ValidationError} for invalid options
   * @example
   * for (const r of await t.reports.caseBacklog({ ageDays: [1, 7] })) console.log(r.status, r.priority, r.ages.map((a) => a.count));
   */
  async caseBacklog(options?: CaseBacklogOptions): Promise<CaseBacklogRow[]> {
    return caseBacklog(this.#ctx, options);
  }

  /**
   * Satisfaction from answered surveys: CSAT average and share satisfied, and
   * NPS, by agent, product and/or answer period.
   * @throws {ValidationError} for invalid options
   * @example
   * const byAgent = await t.reports.satisfaction({ by: 'agent', from: '2026-01-01' });
   * for (const r of byAgent) console.log(r.agentId, r.csat.average, r.nps.score);
   */
  async satisfaction(options?: SatisfactionOptions): Promise<SatisfactionRow[]> {
    return satisfaction(this.#ctx, options);
  }

  /**
   * Warranty claims per asset, by product.
   * @throws {ValidationError} for invalid options
   * @example
   * const worst = await t.reports.warrantyClaimRate({ limit: 5 });
   */
  async warrantyClaimRate(options?: WarrantyClaimRateOptions): Promise<WarrantyClaimRateRow[]> {
    return warrantyClaimRate(this.#ctx, options);
  }

  /**
   * Contracts expiring within a window, and renewal rates (renewed / (renewed
   * + expired)) by kind and/or end period, with the churn of the contracts
   * due ((expired + cancelled) / due, see `ContractChurnRow`).
   * @throws {ValidationError} for invalid options
   * @example
   * const { expiring, renewals } = await t.reports.contractRenewals({ withinDays: 60, by: ['kind', 'period'] });
   */
  async contractRenewals(options?: ContractRenewalsOptions): Promise<ContractRenewals> {
    return contractRenewals(this.#ctx, options);
  }

  /**
   * Repeat purchase: the share of customers with two orders or more, and the
   * time between their orders.
   * @throws {ValidationError} for invalid options
   * @example
   * const { repeatRate, meanDaysBetweenOrders } = await t.reports.repeatPurchase({ from: '2025-01-01' });
   */
  async repeatPurchase(options?: RepeatPurchaseOptions): Promise<RepeatPurchase> {
    return repeatPurchase(this.#ctx, options);
  }

  /**
   * Top customers by revenue (the sum of their counted order totals), per
   * currency, overall or within each period; ties ranked by customer id.
   * @throws {ValidationError} for invalid options, an unknown time zone or more than 400 periods
   * @example
   * const top = await t.reports.customerRanking({ currency: 'USD', limit: 5 });
   * const monthly = await t.reports.customerRanking({ period: 'month', timeZone: 'Europe/Paris', limit: 3 });
   */
  async customerRanking(options?: CustomerRankingOptions): Promise<CustomerRankingRow[]> {
    return customerRanking(this.#ctx, options);
  }

  /**
   * Customers gone quiet: contacts who have ordered before `asOf` but placed
   * no counted order and had no interaction in the `days` before it; a page
   * in contact id order, with the total.
   * @throws {ValidationError} for invalid options or a foreign cursor
   * @example
   * const quiet = await t.reports.inactiveCustomers({ days: 90, limit: 100 });
   * for (const c of quiet.items) console.log(c.contact.email, c.lastOrderAt, c.lastInteractionAt);
   */
  async inactiveCustomers(options: InactiveCustomersOptions): Promise<InactiveCustomers> {
    return inactiveCustomers(this.#ctx, options);
  }

  /**
   * Historical customer lifetime value (what each customer has spent: the sum
   * of its counted order totals), averaged per currency, and a page of
   * customers with their values.
   * @throws {ValidationError} for invalid options or a foreign cursor
   * @example
   * const { currencies, customers } = await t.reports.lifetimeValue({ limit: 100 });
   * console.log(currencies[0]?.averageMinor, customers.items[0]?.values);
   */
  async lifetimeValue(options?: LifetimeValueOptions): Promise<LifetimeValueReport> {
    return lifetimeValue(this.#ctx, options);
  }

  /**
   * Churn rate by period: of the customers who ordered in the previous period,
   * the share who placed no order in this one.
   * @throws {ValidationError} for invalid options, an unknown time zone or more than 400 periods
   * @example
   * for (const r of await t.reports.churnRate({ period: 'quarter' })) console.log(r.period, r.activeBefore, r.churned, r.rate);
   */
  async churnRate(options?: ChurnRateOptions): Promise<ChurnRateRow[]> {
    return churnRate(this.#ctx, options);
  }

  /**
   * Cohort retention: customers by the period of their first order, and the
   * share of each cohort ordering again 1, 2, ... periods later.
   * @throws {ValidationError} for invalid options, an unknown time zone or more than 400 periods
   * @example
   * for (const c of await t.reports.cohortRetention({ periods: 6 })) console.log(c.cohort, c.customers, c.retention.map((r) => r.rate));
   */
  async cohortRetention(options?: CohortRetentionOptions): Promise<CohortRetentionRow[]> {
    return cohortRetention(this.#ctx, options);
  }

  /**
   * Time between purchases: the days from each order to the same customer's
   * previous one, as mean, median and 90th percentile, overall and per period.
   * @throws {ValidationError} for invalid options or an unknown time zone
   * @example
   * const { medianDays, p90Days, periods } = await t.reports.purchaseGaps({ period: 'quarter' });
   */
  async purchaseGaps(options?: PurchaseGapsOptions): Promise<PurchaseGaps> {
    return purchaseGaps(this.#ctx, options);
  }

  /**
   * RFM: recency, frequency and monetary scores of every customer by
   * equal-count quintiles (reference date = the day after the last order's, or
   * the one given; ties by contact id), the customers per cell and per named
   * segment, and a page of scored customers (of one cell or segment if asked).
   * @throws {ValidationError} for invalid options, a foreign cursor, or orders in several currencies without `currency`
   * @example
   * const { cells, distinctCells, segments } = await t.reports.rfm({ currency: 'USD' });
   * const champions = await t.reports.rfm({ currency: 'USD', segment: 'champions', limit: 100 });
   * for (const c of champions.list.items) console.log(c.contactId, c.cell, c.recencyDays, c.frequency, c.monetary.minor);
   */
  async rfm(options?: RfmOptions): Promise<RfmReport> {
    return rfm(this.#ctx, options);
  }

  /**
   * The sales forecast by period and forecast category (pipeline, best case,
   * commit, closed): deal counts, amounts and probability-weighted amounts per
   * currency. Open deals fall in the period of their expected close date,
   * closed ones in the period they closed; the category is their stage's.
   * @throws {ValidationError} for invalid options
   * @example
   * const lines = await t.reports.forecast({ period: 'quarter', timeZone: 'Europe/Paris', from: '2026-01-01' });
   * for (const l of lines) console.log(l.period, l.category, l.count, l.weightedAmounts);
   */
  async forecast(options?: ForecastOptions): Promise<ForecastRow[]> {
    return forecast(this.#ctx, options);
  }

  /**
   * Won and lost deals by owner, pipeline and/or close period: counts, win
   * rate, amounts per currency and the most frequent loss reasons. By
   * product (alone or with the period), from the deals' lines: each deal once
   * per product, the amounts those of the product's lines.
   * @throws {ValidationError} for invalid options, and for product with owner or pipeline
   * @example
   * const rows = await t.reports.winLoss({ by: ['owner', 'period'], period: 'quarter' });
   * const products = await t.reports.winLoss({ by: ['period', 'product'], from: '2026-01-01' });
   * for (const r of rows) console.log(r.ownerId, r.period, r.winRate, r.lossReasons[0]?.reason);
   */
  async winLoss(options?: WinLossOptions): Promise<WinLossRow[]> {
    return winLoss(this.#ctx, options);
  }

  /**
   * Activity per member and period: calls, emails and meetings logged (by the
   * interaction's owner) and tasks completed (by their assignee).
   * @throws {ValidationError} for invalid options
   * @example
   * const week = await t.reports.activity({ period: 'week', from: '2026-03-02', to: '2026-03-09' });
   */
  async activity(options?: ActivityOptions): Promise<ActivityRow[]> {
    return activity(this.#ctx, options);
  }

  /**
   * Lead sources: contacts per `source` (and/or creation period), how many
   * became customers or have a won deal, and the conversion rate.
   * @throws {ValidationError} for invalid options
   * @example
   * const best = (await t.reports.leadSources()).sort((a, b) => b.conversionRate - a.conversionRate)[0];
   */
  async leadSources(options?: LeadSourcesOptions): Promise<LeadSourceRow[]> {
    return leadSources(this.#ctx, options);
  }

  /**
   * Time in each stage of a pipeline, from stage history: completed stays,
   * mean, median and 90th percentile in seconds, for the deals created in a
   * window and/or of an owner.
   * @throws {NotFoundError} for an unknown pipeline
   * @throws {ValidationError} for invalid options
   * @example
   * for (const s of await t.reports.stageVelocity(sales.id)) console.log(s.key, s.medianSeconds! / 86_400, 'days');
   */
  /**
   * Sales cycle length in days, from a deal's creation to its close: count,
   * mean, median and 90th percentile of won, lost and all closed deals, by
   * owner, pipeline and/or close period.
   * @throws {ValidationError} for invalid options
   * @example
   * const [all] = await t.reports.salesCycle({ by: [] });
   * console.log(all?.won.medianDays, all?.won.p90Days);
   */
  async salesCycle(options?: SalesCycleOptions): Promise<SalesCycleRow[]> {
    return salesCycle(this.#ctx, options);
  }

  async stageVelocity(pipelineId: string, options?: StageVelocityOptions): Promise<StageVelocityRow[]> {
    return stageVelocity(this.#ctx, pipelineId, options);
  }

  /**
   * The conversion funnel of a pipeline, from stage history: per stage, the
   * deals that entered it, moved on to a later stage, and were won.
   * @throws {NotFoundError} for an unknown pipeline
   * @throws {ValidationError} for invalid options
   * @example
   * const { stages } = await t.reports.funnel(sales.id, { from: '2026-01-01' });
   * for (const s of stages) console.log(s.key, s.entered, s.moveOnRate);
   */
  async funnel(pipelineId: string, options?: FunnelOptions): Promise<Funnel> {
    return funnel(this.#ctx, pipelineId, options);
  }

  /**
   * A cube over deals, orders, cases or interactions: measures (`count`,
   * `amount.sum`, `resolutionMinutes.median`...) per cell of dimensions
   * (owner, team, stage, status, channel..., custom fields as `custom.<path>`,
   * and date buckets as `periods` in `timeZone`), over the records matching
   * `filters`, in one grouped SQL aggregate. Money measures are per currency.
   * @throws {ValidationError} for unknown measures, dimensions, date fields or
   *   filter fields (the path names the option), or an unknown time zone
   * @example
   * const { rows } = await t.reports.cube({
   *   source: 'deals', measures: ['count', 'amount.sum'], dimensions: ['owner', 'custom.region'],
   *   periods: { closedAt: 'quarter' }, timeZone: 'Europe/Paris', filters: { status: 'won' },
   * });
   * for (const r of rows) console.log(r.dimensions.owner, r.dimensions.closedAt, r.measures['amount.sum']);
   */
  async cube(options: CubeOptions): Promise<CubeResult> {
    return cube(this.#ctx, options);
  }
}
