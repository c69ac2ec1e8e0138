import type { Clock, Company, Contact, Deal, Member, Pipeline, TenantScope } from '@crmkit/core';

const hour = 3_600_000;
const day = 24 * hour;

/** Deals the rep opened this week, in the board's first two stages. */
const freshDeals = [
  { product: 'GTX Pro', stage: 'prospecting' },
  { product: 'MG Advanced', stage: 'prospecting' },
  { product: 'GTK 500', stage: 'prospecting' },
  { product: 'GTX Plus Pro', stage: 'engaging' },
  { product: 'MG Special', stage: 'engaging' },
] as const;

/** Calls, emails and meetings on each fresh deal's contact, hours before now. */
const conversation = [
  { type: 'email', hoursAgo: 50, subject: 'Introduction', outcome: null, durationSeconds: null },
  { type: 'call', hoursAgo: 26, subject: 'Discovery call', outcome: 'interested', durationSeconds: 1_200 },
  { type: 'meeting', hoursAgo: 3, subject: 'Demo of the product', outcome: 'asked for a quote', durationSeconds: 2_700 },
] as const;

/** What {@link seedFreshPipeline} made. */
export interface FreshPipeline {
  deals: Deal[];
  interactions: number;
}

/**
 * The dataset ends in 2017, so every imported open deal is years stale. The
 * board and the contact page show what a rep works on this week: a few open
 * deals of the sign-in rep, created now with a company, a contact, an
 * amount and an expected close date (so that any stage gate is satisfied),
 * and the conversation with each contact that led to it.
 */
export async function seedFreshPipeline(
  t: TenantScope,
  input: { rep: Member; pipeline: Pipeline; companies: readonly Company[]; contactsOf: (companyId: string) => Contact[]; clock: Clock },
): Promise<FreshPipeline> {
  const now = input.clock.now().getTime();
  const products = new Map((await t.products.list({ limit: 100 })).items.map((p) => [p.name, p]));
  const deals: Deal[] = [];
  let interactions = 0;
  for (const [i, fresh] of freshDeals.entries()) {
    const company = input.companies[(i * 13) % input.companies.length]!;
    const contact = input.contactsOf(company.id)[0]!;
    const product = products.get(fresh.product);
    let deal = await t.deals.create({
      title: `${company.name} — ${fresh.product} (new)`, pipelineId: input.pipeline.id, ownerId: input.rep.id,
      companyId: company.id, contactIds: [contact.id], source: 'referral',
      expectedCloseOn: new Date(now + (20 + i * 7) * day).toISOString().slice(0, 10),
      lines: [{ ...(product ? { productId: product.id } : { name: fresh.product, unitPriceMinor: 100_000 }), quantity: 2 + i }],
    });
    for (const step of conversation) {
      await t.interactions.log({
        type: step.type, subject: `${step.subject}: ${fresh.product}`, contactIds: [contact.id], memberIds: [input.rep.id],
        dealId: deal.id, ownerId: input.rep.id, occurredAt: new Date(now - step.hoursAgo * hour - i * 600_000).toISOString(),
        ...(step.outcome === null ? {} : { outcome: step.outcome }),
        ...(step.durationSeconds === null ? {} : { durationSeconds: step.durationSeconds }),
      });
      interactions++;
    }
    if (fresh.stage !== 'prospecting') deal = await t.deals.moveToStage(deal.id, fresh.stage);
    deals.push(deal);
  }
  return { deals, interactions };
}
