import { join } from 'node:path';
import { readCsv } from './read-csv.js';

/** The three contract terms of the Telco data. */
export const telcoTerms = ['Month-to-month', 'One year', 'Two year'] as const;
/** One of {@link telcoTerms}. */
export type TelcoTerm = (typeof telcoTerms)[number];

/** One Telco customer, with the fields the example uses. */
export interface TelcoCustomer {
  line: number;
  customerId: string;
  /** Whole months with the company at the snapshot. */
  tenureMonths: number;
  term: TelcoTerm;
  /** Cents per month. */
  monthlyMinor: number;
  seniorCitizen: boolean;
  paperlessBilling: boolean;
  /** `DSL`, `Fiber optic` or `No`. */
  internetService: string;
  /** Left within the last month before the snapshot. */
  churned: boolean;
}

const file = 'WA_Fn-UseC_-Telco-Customer-Churn.csv';

/** Options of {@link readTelco}. */
export interface ReadTelcoOptions {
  /** Only the first `limit` customers of the file: a deterministic subset for tests. @default every customer */
  limit?: number;
}

/**
 * Reads the IBM Telco churn file. `TotalCharges` is not read: it is blank on
 * the 11 customers of tenure 0, and tenure times monthly charges carries the
 * same information.
 * @throws {Error} for a missing file or column, or a value outside what the README documents
 * @example
 * const customers = await readTelco('examples/data/telco-churn');
 */
export async function readTelco(dataDir: string, options: ReadTelcoOptions = {}): Promise<TelcoCustomer[]> {
  const rows = await readCsv(join(dataDir, file), {
    customerId: 'customerID', tenure: 'tenure', contract: 'Contract', monthly: 'MonthlyCharges', senior: 'SeniorCitizen',
    paperless: 'PaperlessBilling', internet: 'InternetService', churn: 'Churn',
  });
  const taken = options.limit === undefined ? rows : rows.slice(0, options.limit);
  return taken.map((r) => {
    const term = telcoTerms.find((t) => t === r.contract);
    const bad = (what: string) => new Error(`${file}: line ${r.line}: ${what}`);
    if (!term) throw bad(`unknown contract "${r.contract}"`);
    if (!/^\d+$/.test(r.tenure)) throw bad(`tenure "${r.tenure}"`);
    if (!/^\d+(\.\d{1,2})?$/.test(r.monthly)) throw bad(`MonthlyCharges "${r.monthly}"`);
    if (r.churn !== 'Yes' && r.churn !== 'No') throw bad(`Churn "${r.churn}"`);
    return {
      line: r.line, customerId: r.customerId, tenureMonths: Number(r.tenure), term,
      monthlyMinor: Math.round(Number(r.monthly) * 100), seniorCitizen: r.senior === '1', paperlessBilling: r.paperless === 'Yes',
      internetService: r.internet, churned: r.churn === 'Yes',
    };
  });
}
