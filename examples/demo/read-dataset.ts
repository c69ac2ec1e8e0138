import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** A row of `sales_teams.csv`: who sells, who manages them, from which office. */
export interface SalesTeamRow {
  agent: string;
  manager: string;
  regionalOffice: string;
}

/** A row of `accounts.csv`, as text: cleaning it is the importer's job, so it can report what it changed. */
export interface AccountRow {
  account: string;
  sector: string;
  yearEstablished: string;
  /** Millions of USD, e.g. `1100.04`. */
  revenue: string;
  employees: string;
  officeLocation: string;
  /** Name of the parent account, or empty. */
  subsidiaryOf: string;
}

/** A row of `products.csv`, as text. */
export interface ProductRow {
  product: string;
  series: string;
  /** Whole USD. */
  salesPrice: string;
}

/** A row of `sales_pipeline.csv`, as text, with its line in the file for error messages. */
export interface OpportunityRow {
  line: number;
  opportunityId: string;
  salesAgent: string;
  product: string;
  /** Empty for the open opportunities nobody attached to an account. */
  account: string;
  dealStage: string;
  /** `M/D/YYYY`, empty before engagement. */
  engageDate: string;
  /** `M/D/YYYY`, empty while open. */
  closeDate: string;
  /** Whole USD, empty while open, `0` for lost deals. */
  closeValue: string;
}

/** The four data files of the dataset. */
export interface Dataset {
  salesTeams: SalesTeamRow[];
  accounts: AccountRow[];
  products: ProductRow[];
  opportunities: OpportunityRow[];
}

/**
 * Reads a CSV file into records keyed by the given columns, renamed as the
 * `columns` map says.
 * @throws {Error} when a column is missing: the file is not the one we expect, and no row of it can be trusted
 */
async function readCsv<K extends string>(file: string, columns: Record<K, string>): Promise<(Record<K, string> & { line: number })[]> {
  const text = await readFile(file, 'utf8');
  const records = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const header = Object.keys(records[0]?.record ?? {});
  const missing = Object.values<string>(columns).filter((column) => !header.includes(column));
  if (missing.length > 0) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
  return records.map(({ record, info }) => {
    const row = { line: info.lines } as Record<K, string> & { line: number };
    for (const [key, column] of Object.entries<string>(columns)) (row as Record<string, string>)[key] = record[column] ?? '';
    return row;
  });
}

/**
 * Reads the CRM + Sales Opportunities dataset from a directory holding its CSV files.
 * @throws {Error} for a missing file or column
 * @example
 * const data = await readDataset('examples/data/crm-sales-opportunities');
 * data.opportunities.length; // 8800
 */
export async function readDataset(dataDir: string): Promise<Dataset> {
  const [salesTeams, accounts, products, opportunities] = await Promise.all([
    readCsv(join(dataDir, 'sales_teams.csv'), { agent: 'sales_agent', manager: 'manager', regionalOffice: 'regional_office' }),
    readCsv(join(dataDir, 'accounts.csv'), {
      account: 'account', sector: 'sector', yearEstablished: 'year_established', revenue: 'revenue',
      employees: 'employees', officeLocation: 'office_location', subsidiaryOf: 'subsidiary_of',
    }),
    readCsv(join(dataDir, 'products.csv'), { product: 'product', series: 'series', salesPrice: 'sales_price' }),
    readCsv(join(dataDir, 'sales_pipeline.csv'), {
      opportunityId: 'opportunity_id', salesAgent: 'sales_agent', product: 'product', account: 'account',
      dealStage: 'deal_stage', engageDate: 'engage_date', closeDate: 'close_date', closeValue: 'close_value',
    }),
  ]);
  const strip = <T extends { line: number }>(rows: T[]): Omit<T, 'line'>[] => rows.map(({ line: _line, ...rest }) => rest);
  return { salesTeams: strip(salesTeams), accounts: strip(accounts), products: strip(products), opportunities };
}
