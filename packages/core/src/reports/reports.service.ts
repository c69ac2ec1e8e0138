import type { TenantContext } from '../common/context.js';
import { type PipelineSummary, type PipelineSummaryOptions, pipelineSummary } from './pipeline-summary.js';
import { type WinRateOptions, type WinRateRow, winRate } from './win-rate.js';

/**
 * Reports, each one aggregate pushed down to SQL through the storage
 * contract: no report loads deals into memory. Reached as `crm.tenant(id).reports`.
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
}
