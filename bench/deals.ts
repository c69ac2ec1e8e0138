import { type PipelineInput, type Row, newId } from '@crmkit/core';
import { createRandom } from './fixtures.js';

/** The pipeline the deals belong to: four open stages, won and lost. */
export const salesPipeline: PipelineInput = {
  name: 'Sales',
  currency: 'USD',
  stages: [
    { name: 'Qualification', probability: 10 },
    { name: 'Needs analysis', probability: 25 },
    { name: 'Proposal', probability: 50 },
    { name: 'Negotiation', probability: 75 },
    { name: 'Won', category: 'won' },
    { name: 'Lost', category: 'lost' },
  ],
};

/** What a deal row needs of its stage. */
export interface DealStage {
  id: string;
  probability: number;
  category: 'open' | 'won' | 'lost';
}

/** Share of deals per stage, in `salesPipeline` order: a funnel that narrows, with more lost than won. */
const stageWeights = [22, 15, 12, 10, 18, 23];
/** Most deals in the pipeline's currency; the others are what the report counts as `otherCurrencyCount`. */
const currencies: readonly [string, number][] = [['USD', 88], ['EUR', 8], ['GBP', 4]];
const products = ['crm-basic', 'crm-pro', 'support-plan', 'onboarding', 'api-access'];
const sources = ['website', 'referral', 'trade fair', 'cold call', 'partner', null];
const lostReasons = ['price', 'timing', 'competitor', 'no decision'];

function weighted<T>(roll: number, options: readonly (readonly [T, number])[]): T {
  for (const [value, weight] of options) if ((roll -= weight) < 0) return value;
  return options[0]![0];
}

/** Options of {@link dealRows}. */
export interface DealRowsOptions {
  tenantId: string;
  pipelineId: string;
  /** The pipeline's stages, in order. */
  stages: readonly DealStage[];
  /** @default 42 */
  seed?: number;
}

/**
 * Complete `crm_deal` rows as the deals service would store them: status from
 * the stage's category, the stage's probability, amounts log-uniform between
 * 1,000 and 250,000 in minor units, `weightedAmountMinor` rounded as core's
 * `weighted()` does, creation over two years, close dates for closed deals.
 */
export function dealRows(n: number, options: DealRowsOptions): Row[] {
  const random = createRandom((options.seed ?? 42) + 7);
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  const step = (2 * 365 * 86_400_000) / Math.max(n, 1);
  const byStage = options.stages.map((stage, i) => [stage, stageWeights[i] ?? 1] as const);
  const rows = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const stage = weighted(random.int(byStage.reduce((sum, [, w]) => sum + w, 0)), byStage);
    const currency = weighted(random.int(100), currencies);
    const amountMinor = Math.round(Math.exp(Math.log(100_000) + random.next() * Math.log(250)));
    const created = Math.floor(start + i * step + random.next() * step);
    const entered = created + random.int(60 * 86_400_000);
    const closed = stage.category === 'open' ? null : new Date(entered).toISOString();
    const product = random.pick(products);
    rows[i] = {
      tenantId: options.tenantId,
      id: newId(),
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(entered).toISOString(),
      version: 1,
      ownerId: `member-${random.int(25)}`,
      tags: random.next() < 0.2 ? ['strategic'] : [],
      custom: {},
      title: `${product} for company-${random.int(5000)}`,
      pipelineId: options.pipelineId,
      stageId: stage.id,
      status: stage.category,
      amountMinor,
      currency,
      probability: stage.probability,
      weightedAmountMinor: Math.round((amountMinor * stage.probability) / 100),
      expectedCloseOn: new Date(created + (30 + random.int(150)) * 86_400_000).toISOString().slice(0, 10),
      stageEnteredAt: new Date(entered).toISOString(),
      closedAt: closed,
      lostReason: stage.category === 'lost' ? random.pick(lostReasons) : null,
      companyId: random.next() < 0.9 ? `company-${random.int(5000)}` : null,
      contactIds: [`contact-${random.int(200_000)}`],
      lines: random.next() < 0.3 ? [{ productId: null, name: product, quantity: 1 + random.int(20), unitPriceMinor: 10_000, totalMinor: 10_000 }] : [],
      campaignId: null,
      source: random.pick(sources),
      externalId: null,
    };
  }
  return rows;
}
