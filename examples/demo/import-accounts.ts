import type { Company, ImportMapping, TenantScope } from '@crmkit/core';
import type { ImportIssues } from './import-issues.js';
import { importRows, listAll } from './import-rows.js';
import type { AccountRow } from './read-dataset.js';

// Misspellings found by reading accounts.csv; the source is otherwise consistent.
const sectorSpellings: Record<string, string> = { technolgy: 'technology' };
const countrySpellings: Record<string, string> = { Philipines: 'Philippines' };

/**
 * `accounts.csv`'s headers as company fields. `subsidiary_of` names a parent by
 * its name, which is linked once every company exists (below).
 */
const accountMapping: ImportMapping = {
  columns: {
    account: 'name', sector: 'sector', year_established: 'foundedYear', revenue: 'annualRevenue',
    employees: 'employees', office_location: 'country', subsidiary_of: null,
  },
};
const headers = ['account', 'sector', 'year_established', 'revenue', 'employees', 'office_location'] as const;
type FixedAccount = Record<(typeof headers)[number], string>;

/** Reads a plain decimal (`1100.04`, `2822`); anything else (`1,100`, `1e3`, `n/a`) is unreadable. */
function decimal(text: string): number | null {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

/** Cents as the `1234.56 USD` text the import reads as money. */
function usd(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} USD`;
}

/**
 * The dataset's own fixes to an account row, before the import sees it:
 * known misspellings, revenue in millions of USD as money, and numbers that
 * do not read as numbers left empty (each fix counted).
 */
function fixAccount(row: AccountRow, issues: ImportIssues): FixedAccount {
  const number = (field: 'revenue' | 'employees' | 'yearEstablished'): number | null => {
    const value = row[field] === '' ? null : decimal(row[field]);
    if (value === null && row[field] !== '') issues.fixes.add('number-unreadable', `${row.account}: ${field} "${row[field]}"`);
    return value;
  };
  const sector = sectorSpellings[row.sector] ?? row.sector;
  if (sector !== row.sector) issues.fixes.add('sector-spelling', `${row.account}: "${row.sector}" -> "${sector}"`);
  const country = countrySpellings[row.officeLocation] ?? row.officeLocation;
  if (country !== row.officeLocation) issues.fixes.add('country-spelling', `${row.account}: "${row.officeLocation}" -> "${country}"`);
  const millions = number('revenue');
  const employees = number('employees');
  const founded = number('yearEstablished');
  return {
    account: row.account, sector, office_location: country,
    // Millions of USD to cents; rounding absorbs the float error of 1100.04 * 1e8.
    revenue: millions === null ? '' : usd(Math.round(millions * 100_000_000)),
    employees: employees === null ? '' : String(Math.round(employees)),
    year_established: founded === null ? '' : String(Math.round(founded)),
  };
}

/**
 * The parent of each account, or null: links to an unknown parent or closing a
 * cycle are dropped and reported, since a company cannot be its own ancestor.
 */
function parentsOf(rows: AccountRow[], issues: ImportIssues): Map<string, string | null> {
  const byName = new Map(rows.map((row) => [row.account, row]));
  const parents = new Map<string, string | null>();
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
    parents.set(row.account, parent);
  };
  rows.forEach(visit);
  return parents;
}

/**
 * Turns `accounts.csv` into companies: the rows, fixed, go through
 * `t.imports.run` with {@link accountMapping}; then each subsidiary is linked
 * to its parent by name.
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
  const parents = parentsOf(unique, issues);
  await importRows(t, 'company', unique.map((row) => fixAccount(row, issues)), headers, accountMapping, issues);
  const companies = new Map((await listAll((o) => t.companies.list(o))).map((c) => [c.name, c]));
  for (const [name, parent] of parents) {
    const company = companies.get(name);
    const parentCompany = parent === null ? undefined : companies.get(parent);
    if (company && parentCompany) companies.set(name, await t.companies.update(company.id, { parentCompanyId: parentCompany.id }));
  }
  return companies;
}
