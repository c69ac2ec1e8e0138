import { join } from 'node:path';
import { readWhitespaceTable } from './read-csv.js';

/** One CDNOW transaction: a customer bought some CDs on a day. */
export interface CdnowPurchase {
  /** Line in `CDNOW_master.txt`, for error messages. */
  line: number;
  /** The dataset's customer id, zero-padded as in the file (`00001`). */
  customerId: string;
  /** The day, `YYYY-MM-DD`; the file has no time of day. */
  day: string;
  /** 1-based position among the customer's purchases of that day, in file order: 1,774 days hold two or more. */
  seq: number;
  cds: number;
  /** Dollars in cents; 80 purchases are $0.00. */
  totalMinor: number;
}

/** Options of {@link readCdnow}. */
export interface ReadCdnowOptions {
  /**
   * Only customers whose id is at most this (ids run 1 to 23,570 without gaps,
   * in order of first purchase within Q1 1997): a deterministic subset for tests.
   * @default every customer
   */
  customers?: number;
}

/**
 * Reads `CDNOW_master.txt` (whitespace-aligned: customer id, date `YYYYMMDD`,
 * number of CDs, dollar value).
 * @throws {Error} for a missing file or a row that is not four well-formed fields
 * @example
 * const purchases = await readCdnow('examples/data/cdnow', { customers: 1000 });
 */
export async function readCdnow(dataDir: string, options: ReadCdnowOptions = {}): Promise<CdnowPurchase[]> {
  const file = join(dataDir, 'CDNOW_master.txt');
  const [header, ...records] = await readWhitespaceTable(file, 4);
  if (header?.fields.join(' ') !== 'customer_id date number_of_cds dollar_value') throw new Error(`${file}: unexpected header`);
  const seqs = new Map<string, number>();
  const purchases: CdnowPurchase[] = [];
  for (const { fields, line } of records) {
    const [customerId = '', date = '', cds = '', dollars = ''] = fields;
    const day = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (!/^\d+$/.test(customerId) || !day || !/^\d+$/.test(cds) || !/^\d+\.\d{2}$/.test(dollars)) {
      throw new Error(`${file}: line ${line} is not "id YYYYMMDD cds dollars": ${fields.join(' ')}`);
    }
    if (options.customers !== undefined && Number(customerId) > options.customers) continue;
    const key = `${customerId}-${date}`;
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    purchases.push({
      line, customerId, seq, cds: Number(cds),
      day: `${day[1]}-${day[2]}-${day[3]}`,
      totalMinor: Math.round(Number(dollars) * 100),
    });
  }
  return purchases;
}
