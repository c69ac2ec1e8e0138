import type { Company, ImportMapping, Member, Pipeline, Product, TenantScope } from '@crmkit/core';
import { stringify } from 'csv-stringify/sync';
import type { ImportIssues, RejectionKind } from './import-issues.js';
import type { OpportunityRow } from './read-dataset.js';
import { type CsvStage, csvStages, stageKeys } from './sales-pipeline.js';
import { memberEmail } from './import-sales-teams.js';
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

/**
 * The columns of the cleaned opportunities file handed to `t.imports.run`, and
 * what each is: the agent and the account are references by natural key
 * (the member's email, the company's name), the product a deal line by SKU.
 * Every deal starts in Prospecting of the `Sales` pipeline (defaults); the
 * later stages are replayed with their dates afterwards.
 */
const dealMapping = (pipeline: Pipeline): ImportMapping => ({
  columns: {
    opportunity_id: 'externalId', title: 'title', agent: 'owner.email', account: 'company.name',
    amount: 'amount', lines: 'lines', entered_at: 'enteredAt',
  },
  defaults: { pipelineId: pipeline.id, stage: stageKeys.Prospecting },
});
const headers = ['opportunity_id', 'title', 'agent', 'account', 'amount', 'lines', 'entered_at'] as const;
type DealCells = Record<(typeof headers)[number], string>;

/** A row that passed every rule of the dataset, as the cells of the file to import. */
interface PlannedDeal {
  row: OpportunityRow;
  stage: CsvStage;
  cells: DealCells;
  engagedAt: Date | null;
  closedAt: Date | null;
  /** Set when the row's product was mapped to the catalogue's spelling. */
  productSpelling: string | null;
}

type Plan = { deal: PlannedDeal } | { rejection: RejectionKind; detail: string };

const usd = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} USD`;

/** Applies the dataset's rules to a row: references known, US dates real and in order, amounts readable. */
function plan(row: OpportunityRow, ctx: OpportunityContext): Plan {
  const reject = (rejection: RejectionKind, detail: string): Plan => ({ rejection, detail });
  if (!ctx.agents.has(row.salesAgent)) return reject('unknown-agent', `"${row.salesAgent}"`);
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
  // The CSV does not say when an opportunity was opened; its earliest known
  // date is the latest it can have been. Prospecting rows have no date at all.
  const enteredAt = engagedAt ?? closedAt;
  return {
    deal: {
      row, stage, engagedAt, closedAt,
      productSpelling: productName === row.product ? null : `"${row.product}" -> "${productName}"`,
      cells: {
        opportunity_id: row.opportunityId,
        title: `${company?.name ?? 'No account'} — ${product.name}`,
        agent: memberEmail(row.salesAgent),
        account: row.account,
        amount: usd(amountMinor),
        // The line carries the amount too, so a won deal's line shows the price actually paid.
        lines: JSON.stringify([{ sku: product.sku ?? product.name, quantity: 1, unitPriceMinor: amountMinor }]),
        entered_at: enteredAt?.toISOString() ?? '',
      },
    },
  };
}

/** Rows replayed per transaction: one commit per batch instead of one per write (the commit is most of a write's cost). */
const batchSize = 200;

/**
 * Moves the imported deals through their later stages at the CSV dates, a batch
 * per transaction; when a batch fails, its rows are replayed one transaction
 * each so that only the failing rows are reported. Returns each row's error, or null.
 */
async function replayStages(t: TenantScope, batch: { planned: PlannedDeal; dealId: string }[]): Promise<(unknown | null)[]> {
  const replay = async (tt: TenantScope, { planned, dealId }: { planned: PlannedDeal; dealId: string }) => {
    const { stage, engagedAt, closedAt } = planned;
    if (engagedAt) await tt.deals.moveToStage(dealId, stageKeys.Engaging, { at: engagedAt });
    if (stage === 'Won' && closedAt) await tt.deals.markWon(dealId, { at: closedAt });
    if (stage === 'Lost' && closedAt) await tt.deals.markLost(dealId, { at: closedAt });
  };
  try {
    await t.transaction(async (tt) => {
      for (const item of batch) await replay(tt, item);
    });
    return batch.map(() => null);
  } catch {
    const outcomes: (unknown | null)[] = [];
    for (const item of batch) outcomes.push(await t.transaction((tt) => replay(tt, item)).then(() => null, (error: unknown) => error));
    return outcomes;
  }
}

/** The ids of the deals with these external ids, 500 per query. */
async function dealIds(t: TenantScope, externalIds: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let at = 0; at < externalIds.length; at += 500) {
    const chunk = externalIds.slice(at, at + 500);
    const page = await t.deals.list({ where: { externalId: { in: chunk } }, limit: chunk.length });
    for (const deal of page.items) if (deal.externalId !== null) ids.set(deal.externalId, deal.id);
  }
  return ids;
}

/**
 * Turns `sales_pipeline.csv` rows into deals with their real stage history:
 * the dataset's rules pick the rows, `t.imports.run('deal', ...)` creates the
 * deals from a cleaned file with {@link dealMapping}, then each deal is moved
 * through Engaging and closed at its CSV dates. Rows that cannot be imported
 * are counted in `issues`; a failing row never stops the import.
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
  const planned: PlannedDeal[] = [];
  const where = (row: OpportunityRow) => `line ${row.line} (${row.opportunityId})`;
  for (const row of rows) {
    const result = seenIds.has(row.opportunityId) ? ({ rejection: 'duplicate-opportunity', detail: 'id seen before' } as const) : plan(row, ctx);
    seenIds.add(row.opportunityId);
    if ('rejection' in result) {
      issues.rejections.add(result.rejection, `${where(row)}: ${result.detail}`);
      ctx.onRow?.();
    } else {
      planned.push(result.deal);
    }
  }

  // Row n of the cleaned file is planned[n - 1]; the import reports refused rows by that number.
  const refused = new Map<PlannedDeal, string>();
  const csv = stringify(planned.map((p) => p.cells), { header: true, columns: headers as unknown as string[] });
  await t.imports.run('deal', csv, {
    mapping: dealMapping(ctx.pipeline),
    onIssue: (issue) => {
      const deal = planned[issue.row - 1];
      if (deal && !refused.has(deal)) refused.set(deal, `${issue.code}: ${issue.message}`);
    },
  });
  const created = planned.filter((p) => !refused.has(p));
  const ids = await dealIds(t, created.map((p) => p.cells.opportunity_id));

  const settle = (deal: PlannedDeal, error: unknown | null) => {
    if (error === null) {
      dealsByStage[deal.stage] += 1;
      if (deal.productSpelling) issues.fixes.add('product-spelling', `${where(deal.row)}: ${deal.productSpelling}`);
      if (deal.row.account === '') {
        dealsWithoutAccount += 1;
        issues.notes.add('no-account', `${where(deal.row)}, ${deal.stage}`);
      }
    } else {
      issues.rejections.add('refused-by-crm', `${where(deal.row)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    ctx.onRow?.();
  };
  for (const [deal, message] of refused) settle(deal, message);
  const moving = created.filter((p) => p.stage !== 'Prospecting');
  for (const deal of created) if (deal.stage === 'Prospecting') settle(deal, null);
  for (let at = 0; at < moving.length; at += batchSize) {
    const batch = moving.slice(at, at + batchSize).map((planned) => ({ planned, dealId: ids.get(planned.cells.opportunity_id)! }));
    const outcomes = await replayStages(t, batch);
    batch.forEach(({ planned }, i) => settle(planned, outcomes[i] ?? null));
  }
  const dealsCreated = Object.values(dealsByStage).reduce((a, b) => a + b, 0);
  return { dealsByStage, dealsCreated, dealsWithoutAccount };
}
