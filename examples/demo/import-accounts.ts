import type { Company, CompanyInput, TenantScope } from '@crmkit/core';
import type { ImportIssues } from './import-issues.js';
import type { AccountRow } from './read-dataset.js';

// Misspellings found by reading accounts.csv; the source is otherwise consistent.
const sectorSpellings: Record<string, string> = { technolgy: 'technology' };
const countrySpellings: Record<string, string> = { Philipines: 'Philippines' };

/** Reads a plain decimal (`1100.04`, `2822`); anything else (`1,100`, `1e3`, `n/a`) is unreadable. */
function decimal(text: string): number | null {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

/**
 * Orders accounts so that every parent comes before its subsidiaries, since a
 * company can only point at a parent that exists. Links to an unknown parent
 * or closing a cycle are dropped and reported.
 */
function parentsFirst(rows: AccountRow[], issues: ImportIssues): { row: AccountRow; parent: string | null }[] {
  const byName = new Map(rows.map((row) => [row.account, row]));
  const ordered: { row: AccountRow; parent: string | null }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (row: AccountRow): void => {
    if (state.has(row.account)) return;
    state.set(row.account, 'visiting');
    let parent: string | null = row.subsidiaryOf || null;
    const parentRow = parent === null ? undefined : byName.get(parent);
    if (parent !== null && parentRow === undefined) {
      issues.fixes.add('parent-not-found', `${row.account}: subsidiary of unknown "${parent}"`);
      parent = null;
    } else if (parentRow && state.get(parentRow.account) === 'visiting') {
      issues.fixes.add('parent-cycle', `${row.account} -> ${parentRow.account}`);
      parent = null;
    } else if (parentRow) {
      visit(parentRow);
    }
    state.set(row.account, 'done');
    ordered.push({ row, parent });
  };
  rows.forEach(visit);
  return ordered;
}

/** Maps an account row onto a company, fixing known misspellings. `parentCompanyId` is set by the caller. */
function toCompanyInput(row: AccountRow, issues: ImportIssues): CompanyInput {
  const number = (field: keyof AccountRow): number | null => {
    const value = row[field] === '' ? null : decimal(row[field]);
    if (value === null && row[field] !== '') issues.fixes.add('number-unreadable', `${row.account}: ${field} "${row[field]}"`);
    return value;
  };
  const sector = sectorSpellings[row.sector] ?? row.sector;
  if (sector !== row.sector) issues.fixes.add('sector-spelling', `${row.account}: "${row.sector}" -> "${sector}"`);
  const country = countrySpellings[row.officeLocation] ?? row.officeLocation;
  if (country !== row.officeLocation) issues.fixes.add('country-spelling', `${row.account}: "${row.officeLocation}" -> "${country}"`);
  const revenueMillions = number('revenue');
  const employees = number('employees');
  const foundedYear = number('yearEstablished');
  return {
    name: row.account,
    sector,
    country,
    // Millions of USD to cents; rounding absorbs the float error of 1100.04 * 1e8.
    annualRevenue: revenueMillions === null ? null : { minor: Math.round(revenueMillions * 100_000_000), currency: 'USD' },
    employees: employees === null ? null : Math.round(employees),
    foundedYear: foundedYear === null ? null : Math.round(foundedYear),
  };
}

/**
 * Turns `accounts.csv` into companies, parents before subsidiaries.
 * @returns the companies by account name
 */
export async function importAccounts(t: TenantScope, rows: AccountRow[], issues: ImportIssues): Promise<Map<string, Company>> {
  const unique: AccountRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.account)) issues.rejections.add('duplicate-account', row.account);
    else unique.push(row);
    seen.add(row.account);
  }
  const companies = new Map<string, Company>();
  for (const { row, parent } of parentsFirst(unique, issues)) {
    const parentCompanyId = parent === null ? null : (companies.get(parent)?.id ?? null);
    companies.set(row.account, await t.companies.create({ ...toCompanyInput(row, issues), parentCompanyId }));
  }
  return companies;
}
