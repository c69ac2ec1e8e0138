import type { TenantContext } from '../common/context.js';
import type { Page } from '../common/list.js';
import type { ChurnModel, ChurnRisk, TrainChurnOptions } from './churn-model.js';
import { type ChurnRiskOptions, churnRiskOf, churnRiskPage, trainChurnModel } from './churn-training.js';
import { type EvaluateOffersOptions, evaluateOffers, type NextBestOffers, type NextBestOffersOptions, nextBestOffers, type OfferEvaluation } from './next-best-offer.js';

/**
 * Explainable predictions from the tenant's own history: churn risk from a
 * logistic regression whose coefficients come with every score, and next
 * best offers from co-purchases with the support behind each one, both
 * evaluated on held-out customers. Features and counts are grouped in SQL per
 * customer; no order is loaded. Reached as `crm.tenant(id).insights`.
 */
export class InsightsService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * Fits a churn model on the history before `cutoff` with the label of the
   * `horizonDays` after it; returns it as JSON to keep and pass back to
   * {@link churnRisk}, with its held-out AUC (70/30 split by customer).
   * @throws {ValidationError} for invalid options, a label window not over yet, or one class only
   * @example
   * const model = await t.insights.trainChurnModel({ cutoff: '2026-01-01', horizonDays: 90 });
   * console.log(model.heldOutAuc, model.features.map((f) => `${f.name} ${f.coefficient.toFixed(2)}`));
   */
  async trainChurnModel(options: TrainChurnOptions): Promise<ChurnModel> {
    return trainChurnModel(this.#ctx, options);
  }

  /**
   * Churn risk of one customer, or of a page of the customers the model
   * applies to (contact id order), each with the contributions that explain it.
   * @throws {NotFoundError} for an unknown contact
   * @throws {ValidationError} for an invalid model, page or cursor
   * @example
   * const risk = await t.insights.churnRisk(contact.id, { model });
   * for (const c of risk.contributions) console.log(c.feature, c.value, c.contribution.toFixed(2));
   * const page = await t.insights.churnRisk({ limit: 100 }, { model });
   */
  async churnRisk(contactId: string, options: ChurnRiskOptions): Promise<ChurnRisk>;
  async churnRisk(page: { limit?: number; cursor?: string }, options: ChurnRiskOptions): Promise<Page<ChurnRisk>>;
  async churnRisk(target: string | { limit?: number; cursor?: string }, options: ChurnRiskOptions): Promise<ChurnRisk | Page<ChurnRisk>> {
    return typeof target === 'string' ? churnRiskOf(this.#ctx, target, options) : churnRiskPage(this.#ctx, target, options);
  }

  /**
   * Products to offer a customer: bought together with (or after) what it
   * bought by other customers, not bought by it yet, with support and confidence.
   * @throws {NotFoundError} for an unknown contact @throws {ValidationError} for invalid options
   * @example
   * const { suggestions } = await t.insights.nextBestOffers(contact.id, { limit: 3 });
   * for (const s of suggestions) console.log(s.productId, s.support, s.because[0]?.productId);
   */
  async nextBestOffers(contactId: string, options?: NextBestOffersOptions): Promise<NextBestOffers> {
    return nextBestOffers(this.#ctx, contactId, options);
  }

  /**
   * Hit rate at k of the offers on held-out last orders, with the popularity baseline.
   * @throws {ValidationError} for invalid options
   * @example
   * const { hitRate, popularityHitRate } = await t.insights.evaluateOffers({ k: 3 });
   */
  async evaluateOffers(options?: EvaluateOffersOptions): Promise<OfferEvaluation> {
    return evaluateOffers(this.#ctx, options);
  }
}
