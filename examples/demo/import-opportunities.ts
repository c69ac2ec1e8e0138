import { CrmError, type Company, type Deal, type DealInput, type Member, type Pipeline, type Product, type TenantScope } from '@crmkit/core';
import type { ImportIssues, RejectionKind } from './import-issues.js';
import type { OpportunityRow } from './read-dataset.js';
import { type CsvStage, csvStages, stageKeys } from './sales-pipeline.js';
import { parseUsDate } from './us-date.js';

// The pipeline spells one product differently from the catalogue (1,480 rows).
const productSpellings: Record<string, string> = { GTXPro: 'GTX Pro' };

/** What the opportunities import needs from the earlier steps. */
export interface OpportunityContext {
  pipeline: Pipeline;
  agents: Map<string, Member>;
  products: Map<string, Product>;
  companies: Map<string, Company>;
  /** Called after each row, imported or rejected. */
  onRow?: (() => void) | undefined;
}

/** What {@link importOpportunities} created. */
export interface OpportunityResult {
  /** Deals created per CSV stage. */
  dealsByStage: Record<CsvStage, number>;
  dealsCreated: number;
  dealsWithoutAccount: number;
}

/** A row that passed every check, with its references resolved. */
interface PlannedDeal {
  row: OpportunityRow;
  stage: CsvStage;
  input: DealInput;
  engagedAt: Date | null;
  closedAt: Date | null;
  /** Set when the row's product was mapped to the catalogue's spelling. */
  productSpelling: string | null;
}

type Plan = { deal: PlannedDeal } | { rejection: RejectionKind; detail: string };

/** Checks a row and resolves its references without writing anything, so a bad row never leaves half a deal behind. */
function plan(row: OpportunityRow, ctx: OpportunityContext): Plan {
  const reject = (rejection: RejectionKind, detail: string): Plan => ({ rejection, detail });
  const owner = ctx.agents.get(row.salesAgent);
  if (!owner) return reject('unknown-agent', `"${row.salesAgent}"`);
  const productName = productSpellings[row.product] ?? row.product;
  const product = ctx.products.get(productName);
  if (!product?.price) return reject('unknown-product', `"${row.product}"`);
  const company = row.account === '' ? null : ctx.companies.get(row.account);
  if (company === undefined) return reject('unknown-account', `"${row.account}"`);
  const stage = csvStages.find((s) => s === row.dealStage);
  if (!stage) return reject('unknown-stage', `"${row.dealStage}"`);

  const engagedAt = row.engageDate === '' ? null : parseUsDate(row.engageDate);
  if (engagedAt === null && row.engageDate !== '') return reject('bad-date', `engage_date "${row.engageDate}"`);
  const closedAt = row.closeDate === '' ? null : parseUsDate(row.closeDate);
  if (closedAt === null && row.closeDate !== '') return reject('bad-date', `close_date "${row.closeDate}"`);
  const closed = stage === 'Won' || stage === 'Lost';
  if (stage === 'Engaging' && !engagedAt) return reject('missing-date', 'Engaging without engage_date');
  if (closed && !closedAt) return reject('missing-date', `${stage} without close_date`);
  if (stage === 'Prospecting' && engagedAt) return reject('dates-contradict-stage', `Prospecting with engage_date ${row.engageDate}`);
  if (!closed && closedAt) return reject('dates-contradict-stage', `${stage} with close_date ${row.closeDate}`);
  if (engagedAt && closedAt && closedAt < engagedAt) return reject('dates-out-of-order', `engaged ${row.engageDate}, closed ${row.closeDate}`);

  // Amount: what was paid for won deals. Lost deals carry close_value 0 and open
  // ones none, so for them the product's list price is the best estimate of what
  // was at stake; it keeps open pipeline and lost value meaningful in reports.
  let amountMinor = Number(product.price.minor);
  if (stage === 'Won') {
    if (!/^\d+(\.\d{1,2})?$/.test(row.closeValue)) return reject('bad-close-value', `"${row.closeValue}"`);
    amountMinor = Math.round(Number(row.closeValue) * 100);
  }
  return {
    deal: {
      row, stage, engagedAt, closedAt,
      productSpelling: productName === row.product ? null : `"${row.product}" -> "${productName}"`,
      input: {
        title: `${company?.name ?? 'No account'} — ${product.name}`,
        pipelineId: ctx.pipeline.id,
        stage: stageKeys.Prospecting,
        ownerId: owner.id,
        companyId: company?.id ?? null,
        externalId: row.opportunityId,
        amount: { minor: amountMinor, currency: 'USD' },
        // The line carries the amount too, so a won deal's line shows the price actually paid.
        lines: [{ productId: product.id, quantity: 1, unitPriceMinor: amountMinor }],
      },
    },
  };
}

/**
 * Replays one opportunity's life through the public API: created in
 * Prospecting, moved to Engaging on its engage date, closed on its close
 * date. The caller runs it inside a transaction, so a row that fails
 * half-way leaves nothing behind.
 */
async function replay(t: TenantScope, planned: PlannedDeal): Promise<Deal> {
  const { input, stage, engagedAt, closedAt } = planned;
  // The CSV does not say when an opportunity was opened; its earliest known
  // date is the latest it can have been. Prospecting rows have no date at all.
  const enteredAt = engagedAt ?? closedAt;
  let deal = await t.deals.create(enteredAt ? { ...input, enteredAt } : input);
  if (engagedAt) deal = await t.deals.moveToStage(deal.id, stageKeys.Engaging, { at: engagedAt });
  if (stage === 'Won' && closedAt) deal = await t.deals.markWon(deal.id, { at: closedAt });
  if (stage === 'Lost' && closedAt) deal = await t.deals.markLost(deal.id, { at: closedAt });
  return deal;
}

/** Rows replayed per transaction: one commit per batch instead of one per write (the commit is most of a write's cost). */
const batchSize = 200;

/**
 * Replays a batch of rows in one transaction. When any row fails, the batch
 * rolls back and its rows are replayed one transaction each, so that only the
 * failing rows are rejected. Returns the error of each row, or null.
 */
async function replayBatch(t: TenantScope, batch: PlannedDeal[]): Promise<(unknown | null)[]> {
  try {
    await t.transaction(async (tt) => {
      for (const planned of batch) await replay(tt, planned);
    });
    return batch.map(() => null);
  } catch {
    const outcomes: (unknown | null)[] = [];
    for (const planned of batch) {
      outcomes.push(await t.transaction((tt) => replay(tt, planned)).then(() => null, (error: unknown) => error));
    }
    return outcomes;
  }
}

/**
 * Turns `sales_pipeline.csv` rows into deals with their real stage history.
 * Rows that cannot be imported are counted in `issues`; a failing row never
 * stops the import.
 */
export async function importOpportunities(
  t: TenantScope,
  rows: OpportunityRow[],
  ctx: OpportunityContext,
  issues: ImportIssues,
): Promise<OpportunityResult> {
  const dealsByStage: Record<CsvStage, number> = { Prospecting: 0, Engaging: 0, Won: 0, Lost: 0 };
  let dealsWithoutAccount = 0;
  const seenIds = new Set<string>();
  const pending: { planned: PlannedDeal; where: string }[] = [];
  const settle = async (): Promise<void> => {
    const outcomes = await replayBatch(t, pending.map((p) => p.planned));
    pending.forEach(({ planned, where }, i) => {
      const error = outcomes[i];
      if (error === null) {
        const { stage, productSpelling, input } = planned;
        dealsByStage[stage] += 1;
        if (productSpelling) issues.fixes.add('product-spelling', `${where}: ${productSpelling}`);
        if (input.companyId === null) {
          dealsWithoutAccount += 1;
          issues.notes.add('no-account', `${where}, ${stage}`);
        }
      } else {
        // CrmErrors carry a stable code; anything else is reported by name rather than ending the import.
        const code = error instanceof CrmError ? error.code : error instanceof Error ? error.name : 'unknown';
        issues.rejections.add('refused-by-crm', `${where}: ${code}: ${error instanceof Error ? error.message : String(error)}`);
      }
      ctx.onRow?.();
    });
    pending.length = 0;
  };
  for (const row of rows) {
    const where = `line ${row.line} (${row.opportunityId})`;
    const result = seenIds.has(row.opportunityId)
      ? ({ rejection: 'duplicate-opportunity', detail: 'id seen before' } as const)
      : plan(row, ctx);
    seenIds.add(row.opportunityId);
    if ('rejection' in result) {
      issues.rejections.add(result.rejection, `${where}: ${result.detail}`);
      ctx.onRow?.();
    } else {
      pending.push({ planned: result.deal, where });
      if (pending.length >= batchSize) await settle();
    }
  }
  if (pending.length > 0) await settle();
  const dealsCreated = Object.values(dealsByStage).reduce((a, b) => a + b, 0);
  return { dealsByStage, dealsCreated, dealsWithoutAccount };
}
