import type { Pipeline, TenantScope } from '@crmkit/core';
import { importAccounts } from './import-accounts.js';
import { ImportIssues, type IssueCount, type FixKind, type NoteKind, type RejectionKind } from './import-issues.js';
import { importOpportunities } from './import-opportunities.js';
import { importProducts } from './import-products.js';
import { importSalesTeams } from './import-sales-teams.js';
import { readDataset } from './read-dataset.js';
import { type CsvStage, createSalesPipeline } from './sales-pipeline.js';

/** Options of {@link importDataset}. */
export interface ImportOptions {
  /** Directory holding the dataset's CSV files. */
  dataDir: string;
  /**
   * Import only the first `limit` opportunities (all agents, accounts and products are imported).
   * @default every opportunity
   */
  limit?: number;
  /** Called after each opportunity, imported or rejected. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** What {@link importDataset} read, created, fixed and rejected. */
export interface ImportReport {
  /** Rows in each file, the whole file whatever `limit` says. */
  rowsRead: { salesTeams: number; accounts: number; products: number; opportunities: number };
  /** Opportunities considered (the first `limit`, or all). */
  opportunitiesConsidered: number;
  created: { members: number; teams: number; companies: number; products: number; deals: number };
  /** The `Sales` pipeline the deals were imported into. */
  pipeline: Pipeline;
  /** Deals created per CSV stage. */
  dealsByStage: Record<CsvStage, number>;
  /** Deals imported with no company because the opportunity names no account. */
  dealsWithoutAccount: number;
  fixes: IssueCount<FixKind>[];
  rejections: IssueCount<RejectionKind>[];
  notes: IssueCount<NoteKind>[];
  /** Wall time of the whole import. */
  elapsedMs: number;
}

/**
 * Imports the CRM + Sales Opportunities dataset into a tenant through the
 * public API: sales teams, accounts, products, the `Sales` pipeline, then one
 * deal per opportunity with its stage history. Expects an empty tenant.
 * @throws {Error} when a file or column is missing; bad rows are rejected and reported, never thrown
 * @example
 * const report = await importDataset(crm.tenant('demo'), { dataDir: 'examples/data/crm-sales-opportunities', limit: 500 });
 */
export async function importDataset(t: TenantScope, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const data = await readDataset(options.dataDir);
  const issues = new ImportIssues();

  const { agents, managers, teamCount } = await importSalesTeams(t, data.salesTeams, issues);
  const companies = await importAccounts(t, data.accounts, issues);
  const products = await importProducts(t, data.products, issues);
  const pipeline = await createSalesPipeline(t);

  const rows = options.limit === undefined ? data.opportunities : data.opportunities.slice(0, options.limit);
  const agentsWithDeals = new Set(data.opportunities.map((row) => row.salesAgent));
  for (const name of agents.keys()) if (!agentsWithDeals.has(name)) issues.notes.add('agent-without-opportunities', name);
  let done = 0;
  const onRow = () => options.onProgress?.({ done: ++done, total: rows.length });
  const deals = await importOpportunities(t, rows, { pipeline, agents, products, companies, onRow }, issues);

  return {
    rowsRead: {
      salesTeams: data.salesTeams.length,
      accounts: data.accounts.length,
      products: data.products.length,
      opportunities: data.opportunities.length,
    },
    opportunitiesConsidered: rows.length,
    created: { members: agents.size + managers.size, teams: teamCount, companies: companies.size, products: products.size, deals: deals.dealsCreated },
    pipeline,
    dealsByStage: deals.dealsByStage,
    dealsWithoutAccount: deals.dealsWithoutAccount,
    fixes: issues.fixes.list(),
    rejections: issues.rejections.list(),
    notes: issues.notes.list(),
    elapsedMs: performance.now() - started,
  };
}
