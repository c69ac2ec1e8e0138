import type { Summary } from './measure.js';

/** One line of the results: the two sides of one operation. */
export interface ResultRow {
  /** What was measured, e.g. `point read (findOne)`. */
  label: string;
  /** crmkit's figures. */
  crmkit: Summary;
  /** The raw better-sqlite3 baseline's figures. */
  raw: Summary;
  /** The lowest acceptable crmkit/raw ratio; informational rows have none. */
  target?: number;
}

const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);
const rate = (opsPerSec: number): string => Math.round(opsPerSec).toLocaleString('en-US');

/** crmkit's throughput as a fraction of the baseline's (1 = as fast, 0.5 = half as fast). */
export function ratio(row: ResultRow): number {
  return row.crmkit.opsPerSec / row.raw.opsPerSec;
}

/** Whether a row with a target meets it. */
export function passes(row: ResultRow): boolean {
  return row.target === undefined || ratio(row) >= row.target;
}

function cells(row: ResultRow): string[] {
  const r = ratio(row);
  return [
    row.label,
    rate(row.crmkit.opsPerSec),
    rate(row.raw.opsPerSec),
    r.toFixed(2),
    row.target === undefined ? 'info' : `>= ${row.target.toFixed(2)}`,
    row.target === undefined ? '-' : passes(row) ? 'PASS' : 'FAIL',
    `${mb(row.crmkit.rssPeak)} / ${mb(row.raw.rssPeak)}`,
    `${mb(row.crmkit.heapPeak)} / ${mb(row.raw.heapPeak)}`,
  ];
}

const header = ['operation', 'crmkit ops/s', 'raw ops/s', 'ratio', 'target', 'result', 'RSS +MB crmkit/raw', 'heap +MB crmkit/raw'];

/**
 * Formats the results as a plain-text table: rows with a target first, then
 * the informational rows under their own heading. Text columns are left-aligned,
 * figures right-aligned.
 */
export function formatTable(rows: readonly ResultRow[]): string {
  return renderTable(
    header,
    rows.filter((r) => r.target !== undefined).map(cells),
    rows.filter((r) => r.target === undefined).map(cells),
  );
}

/**
 * Lays out a header, the rows with a target, and the informational rows under
 * their own heading. Columns 0, 4 and 5 (name, target, result) are
 * left-aligned, the figures right-aligned.
 */
export function renderTable(header: readonly string[], targeted: readonly string[][], info: readonly string[][]): string {
  const all = [header, ...targeted, ...info];
  const widths = header.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const line = (values: readonly string[]): string =>
    values.map((v, c) => (c === 0 || c === 4 || c === 5 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), rule, ...targeted.map(line)];
  if (info.length > 0) out.push(rule, 'informational, not part of the targets:', ...info.map(line));
  return out.join('\n');
}
