/**
 * The table of the workflow benchmark. Its targets are absolute (events per
 * second, KiB, milliseconds), not ratios to a baseline as in `report.ts`.
 */

/** One line of the workflow results. */
export interface WorkflowRow {
  /** What was measured. */
  label: string;
  /** The measured figure, formatted with its unit. */
  value: string;
  /** A comparison figure (the in-memory XState actor, a hand-written baseline), when there is one. */
  baseline?: string;
  /** value / baseline, when both are rates. */
  ratio?: number;
  /** The target as text (`>= 10,000/s`), absent for informational rows. */
  target?: string;
  /** Whether the target is met; `skipped` when the row could not run. */
  result?: 'PASS' | 'FAIL' | 'skipped';
}

/** A rate with thousands separators: `12,345/s`. */
export const perSecond = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')}/s`;

const header = ['measurement', 'crmkit', 'baseline', 'ratio', 'target', 'result'];

function cells(row: WorkflowRow): string[] {
  return [
    row.label,
    row.value,
    row.baseline ?? '-',
    row.ratio === undefined ? '-' : row.ratio < 0.01 ? row.ratio.toFixed(4) : row.ratio.toFixed(2),
    row.target ?? 'info',
    row.result ?? '-',
  ];
}

/** Rows with a target (or skipped) first, then the informational ones under their own heading. */
export function formatWorkflowTable(rows: readonly WorkflowRow[]): string {
  const targeted = rows.filter((r) => r.target !== undefined || r.result === 'skipped').map(cells);
  const info = rows.filter((r) => r.target === undefined && r.result !== 'skipped').map(cells);
  const all = [header, ...targeted, ...info];
  const widths = header.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const line = (values: string[]): string =>
    values.map((v, c) => (c === 0 || c === 4 || c === 5 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), rule, ...targeted.map(line)];
  if (info.length > 0) out.push(rule, 'informational, not part of the targets:', ...info.map(line));
  return out.join('\n');
}
