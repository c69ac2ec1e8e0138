import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

/** A CSV row as text, keyed by the caller's names, with its line in the file for error messages. */
export type CsvRow<K extends string> = Record<K, string> & { line: number };

/**
 * Reads a CSV file with a header into records keyed by the given columns,
 * renamed as the `columns` map says (`{ customerId: 'customerID' }`). Text is
 * left as-is, trimmed: cleaning it is each importer's job.
 * @throws {Error} when a column is missing: the file is not the one we expect, and no row of it can be trusted
 * @example
 * const rows = await readCsv('examples/data/olist/olist_closed_deals_dataset.csv', { leadId: 'mql_id', wonAt: 'won_date' });
 */
export async function readCsv<K extends string>(file: string, columns: Record<K, string>): Promise<CsvRow<K>[]> {
  const text = await readFile(file, 'utf8');
  const records = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const header = Object.keys(records[0]?.record ?? {});
  const missing = Object.values<string>(columns).filter((column) => !header.includes(column));
  if (missing.length > 0) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
  return records.map(({ record, info }) => {
    const row = { line: info.lines } as CsvRow<K>;
    for (const [key, column] of Object.entries<string>(columns)) (row as Record<string, string>)[key] = record[column] ?? '';
    return row;
  });
}

/**
 * Reads a file of whitespace-aligned columns (CDNOW's `.txt` files), header
 * line included, as arrays of fields. csv-parse splits on every single space,
 * so runs of spaces give empty fields; they are dropped per record. `line` is
 * the record's position counting from 1, which is its line in a file without
 * blank lines (as CDNOW's are).
 * @throws {Error} when a record does not have `width` fields
 */
export async function readWhitespaceTable(file: string, width: number): Promise<{ fields: string[]; line: number }[]> {
  const text = await readFile(file, 'utf8');
  const records = parse(text, { delimiter: ' ', skip_empty_lines: true, relax_column_count: true }).map((record, i) => ({
    fields: record.filter((field) => field !== ''),
    line: i + 1,
  }));
  const bad = records.find((r) => r.fields.length !== width);
  if (bad) throw new Error(`${file}: line ${bad.line} has ${bad.fields.length} fields, expected ${width}`);
  return records;
}
