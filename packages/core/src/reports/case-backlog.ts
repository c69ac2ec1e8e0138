import { z } from 'zod';
import { caseModel } from '../cases/case.model.js';
import type { CasePriority, CaseStatus } from '../cases/case-values.js';
import type { TenantContext } from '../common/context.js';
import { parseInput, timestampSchema } from '../common/zod-helpers.js';
import type { AggregateMetric } from '../storage/adapter.js';
import { caseReportShape, caseScopeWhere } from './case-groups.js';

/** The statuses of a case still waiting for resolution. */
export const openCaseStatuses = ['new', 'open', 'pending', 'on_hold'] as const satisfies readonly CaseStatus[];

const dayMs = 86_400_000;

/** Options of `reports.caseBacklog`. */
export const caseBacklogOptionsSchema = z
  .strictObject({
    /** The instant ages are measured at. @default now (the CRM clock) */
    at: timestampSchema.optional(),
    /**
     * Bounds of the age buckets in days, ascending: `[1, 3, 7, 30]` gives
     * under 1 day, 1 to 3, 3 to 7, 7 to 30 and 30 days or more.
     * @default [1, 3, 7, 30]
     */
    ageDays: z
      .array(z.number().positive().max(36_500))
      .min(1)
      .max(20)
      .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]!), { message: 'Age bounds must be ascending' })
      .optional()
      .default([1, 3, 7, 30]),
    channels: caseReportShape.channels,
    types: caseReportShape.types,
    teamId: caseReportShape.teamId,
    ownerId: caseReportShape.ownerId,
  })
  .optional()
  .default({ ageDays: [1, 3, 7, 30] });
/** Options of `reports.caseBacklog`. */
export type CaseBacklogOptions = z.input<typeof caseBacklogOptionsSchema>;

/** Open cases of one age range: opened at least `fromDays` and less than `toDays` ago. */
export interface CaseAgeBucket {
  fromDays: number;
  /** Null for the last, open-ended bucket. */
  toDays: number | null;
  count: number;
}

/** One row of a backlog report: the open cases of one status and priority. */
export interface CaseBacklogRow {
  status: CaseStatus;
  priority: CasePriority;
  /** Open cases. */
  open: number;
  /** Of them, those whose resolution is past due at `at`. */
  overdue: number;
  /** When the oldest of them was opened. */
  oldestOpenedAt: string;
  /** The open cases by age, every bucket present (zero counts included). */
  ages: CaseAgeBucket[];
}

/**
 * Open cases (new, open, pending, on hold) by status and priority, with their
 * ages from `openedAt` in buckets: one SQL aggregate whose age counts are
 * filtered counts over `openedAt`. Rows are ordered by status, then priority (most urgent first).
 */
export async function caseBacklog(ctx: TenantContext, options?: CaseBacklogOptions): Promise<CaseBacklogRow[]> {
  const opts = parseInput(caseBacklogOptionsSchema, options, 'report options');
  const at = opts.at ?? ctx.now();
  const atMs = Date.parse(at);
  const before = (days: number) => new Date(atMs - days * dayMs).toISOString();
  const bounds = [0, ...opts.ageDays];
  const buckets = bounds.map((fromDays, i) => ({ fromDays, toDays: bounds[i + 1] ?? null }));
  const metrics: Record<string, AggregateMetric> = {
    open: { fn: 'count' },
    overdue: { fn: 'count', filter: { resolutionDueAt: { lt: at } } },
    oldestOpenedAt: { fn: 'min', field: 'openedAt' },
  };
  buckets.forEach((b, i) => {
    const openedAt = { lte: before(b.fromDays), ...(b.toDays === null ? {} : { gt: before(b.toDays) }) };
    metrics[`age${i}`] = { fn: 'count', filter: { openedAt } };
  });
  const rows = await ctx.storage.aggregate({
    model: caseModel,
    tenantId: ctx.tenantId,
    // Cases opened after `at` do not exist yet at `at`.
    where: caseScopeWhere(opts, { status: { in: [...openCaseStatuses] }, openedAt: { lte: at } }),
    groupBy: ['status', 'priority'],
    metrics,
  });
  const rank = (list: readonly string[], value: unknown) => list.indexOf(value as string);
  const statusOrder: readonly string[] = openCaseStatuses;
  const priorityOrder: readonly string[] = ['urgent', 'high', 'normal', 'low'];
  return rows
    .map((row) => ({
      status: row.status as CaseStatus,
      priority: row.priority as CasePriority,
      open: Number(row.open),
      overdue: Number(row.overdue),
      oldestOpenedAt: row.oldestOpenedAt as string,
      ages: buckets.map((b, i) => ({ ...b, count: Number(row[`age${i}`]) })),
    }))
    .sort((a, b) => rank(statusOrder, a.status) - rank(statusOrder, b.status) || rank(priorityOrder, a.priority) - rank(priorityOrder, b.priority));
}
