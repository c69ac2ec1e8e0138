import type { TenantContext } from '../common/context.js';
import { type CaseBacklogOptions, type CaseBacklogRow, caseBacklog } from './case-backlog.js';
import { type ContractRenewals, type ContractRenewalsOptions, contractRenewals } from './contract-renewals.js';
import { type PipelineSummary, type PipelineSummaryOptions, pipelineSummary } from './pipeline-summary.js';
import { type RepeatPurchase, type RepeatPurchaseOptions, repeatPurchase } from './repeat-purchase.js';
import { type ResponseTimesOptions, type ResponseTimesRow, responseTimes } from './response-times.js';
import { type SatisfactionOptions, type SatisfactionRow, satisfaction } from './satisfaction.js';
import { type SlaComplianceOptions, type SlaComplianceRow, slaCompliance } from './sla-compliance.js';
import { type WarrantyClaimRateOptions, type WarrantyClaimRateRow, warrantyClaimRate } from './warranty-claim-rate.js';
import { type WinRateOptions, type WinRateRow, winRate } from './win-rate.js';

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
   * + expired)) by kind and/or end period.
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
}
