import type { Member, Money, TenantScope, WinRateRow } from '@crmkit/core';
import type { ImportReport } from './import-dataset.js';
import type { IssueCount } from './import-issues.js';

const formatters = new Map<string, Intl.NumberFormat>();

/** `{ minor: 123456, currency: 'USD' }` -> `$1,234.56`. */
export function formatMoney(money: Money): string {
  let format = formatters.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency });
    formatters.set(money.currency, format);
  }
  return format.format(Number(money.minor) / 100);
}

/** Lays out rows as left-aligned text columns, numbers right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-$\d.,%]+$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function issues(title: string, list: IssueCount[]): string[] {
  if (list.length === 0) return [`${title}: none`];
  return [`${title}:`, ...table(['kind', 'count', 'first example'], list.map((i) => [i.kind, String(i.count), i.example])).map((l) => `  ${l}`)];
}

/** Every member of the tenant by id, following pages. */
async function memberNames(t: TenantScope): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await t.members.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    page.items.forEach((m: Member) => names.set(m.id, m.name));
    cursor = page.nextCursor;
  } while (cursor);
  return names;
}

/**
 * Writes what an import did and what the crm now reports about it: fixes and
 * rejections, the pipeline summary, and the best agents by win rate and by won
 * revenue.
 */
export async function printReport(t: TenantScope, report: ImportReport, out: (line: string) => void = console.log): Promise<void> {
  // One argument at a time: console.log given forEach's (line, index, array) would print all three.
  const write = (...lines: string[]) => lines.forEach((line) => out(line));
  const { rowsRead: read, created } = report;
  write('== Import');
  write(`read      ${read.salesTeams} sales agents, ${read.accounts} accounts, ${read.products} products, ${read.opportunities} opportunities`);
  write(`imported  ${report.opportunitiesConsidered} of ${read.opportunities} opportunities considered`);
  write(`created   ${created.members} members, ${created.teams} teams, ${created.companies} companies, ${created.products} products, ${created.deals} deals`);
  write(`deals     ${Object.entries(report.dealsByStage).map(([stage, n]) => `${stage} ${n}`).join(', ')}; ${report.dealsWithoutAccount} without account`);
  write('');
  write('== Fixed, rejected, noted');
  write(...issues('Fixes', report.fixes), ...issues('Rejections', report.rejections), ...issues('Notes', report.notes));
  write('');

  const summary = await t.reports.pipelineSummary(report.pipeline.id);
  write(`== Pipeline summary: ${summary.pipelineName} (${summary.currency})`);
  const stageRows = summary.stages.map((s) => [s.name, s.category, `${s.probability}%`, String(s.count), formatMoney(s.amount), formatMoney(s.weightedAmount)]);
  stageRows.push(['Open total', '', '', String(summary.open.count), formatMoney(summary.open.amount), formatMoney(summary.open.weightedAmount)]);
  write(...table(['stage', 'category', 'prob.', 'deals', 'amount', 'weighted'], stageRows));
  write('');

  const names = await memberNames(t);
  const agentRows = (rows: WinRateRow[]) =>
    rows.map((r, i) => [String(i + 1), names.get(r.ownerId ?? '') ?? '(no owner)', `${(r.winRate * 100).toFixed(1)}%`, String(r.won), String(r.closed), formatMoney(r.wonAmount!)]);
  const header = ['#', 'agent', 'win rate', 'won', 'closed', 'won revenue'];
  const byRate = await t.reports.winRate({ by: 'owner', pipelineId: summary.pipelineId, currency: summary.currency, orderBy: 'winRate', limit: 10 });
  write('== Top 10 agents by win rate');
  write(...table(header, agentRows(byRate)));
  write('');
  const byRevenue = await t.reports.winRate({ by: 'owner', pipelineId: summary.pipelineId, currency: summary.currency, orderBy: 'wonAmount', limit: 10 });
  write('== Top 10 agents by won revenue');
  write(...table(header, agentRows(byRevenue)));
  write('');
  write(`Imported in ${(report.elapsedMs / 1000).toFixed(1)} s`);
}
