/**
 * The table of the workflow benchmark. Its targets are absolute (events per
 * second, KiB, milliseconds), not ratios to a baseline as in `report.ts`.
 */
import { renderTable } from './report.js';

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
  const targeted = (r: WorkflowRow) => r.target !== undefined || r.result === 'skipped';
  return renderTable(header, rows.filter(targeted).map(cells), rows.filter((r) => !targeted(r)).map(cells));
}
