import { z } from 'zod';
import { type CaseChannel, type CasePriority, caseChannels, casePriorities } from '../cases/case-values.js';
import { type CaseType, caseTypes } from '../contracts/case-types.js';
import { idSchema, timestampSchema } from '../common/zod-helpers.js';
import type { GroupKey, Row } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';

/** What the case reports (`slaCompliance`, `responseTimes`) group by. */
export const caseReportDimensions = ['priority', 'channel', 'team', 'agent', 'period'] as const;
/** One of {@link caseReportDimensions}: `team` is the case's `teamId`, `agent` its `ownerId`, `period` its opening. */
export type CaseReportDimension = (typeof caseReportDimensions)[number];

/** Calendar periods of reports (UTC, weeks from Monday). */
export const reportPeriods = ['day', 'week', 'month', 'quarter', 'year'] as const;
/** One of {@link reportPeriods}. */
export type ReportPeriod = (typeof reportPeriods)[number];

const dimension = z.enum(caseReportDimensions);

/** The options every case report takes: its grouping and which cases it reads. */
export const caseReportShape = {
  /** One dimension or several (rows per combination). @default 'priority' */
  by: z.union([dimension, z.array(dimension).min(1).max(caseReportDimensions.length)]).optional().default('priority'),
  /** Period length when grouping by `period`. @default 'month' */
  period: z.enum(reportPeriods).optional().default('month'),
  /** Cases opened at or after this instant. */
  from: timestampSchema.optional(),
  /** Cases opened before this instant. */
  to: timestampSchema.optional(),
  /** Only cases of these priorities. */
  priorities: z.array(z.enum(casePriorities)).min(1).optional(),
  /** Only cases from these channels. */
  channels: z.array(z.enum(caseChannels)).min(1).optional(),
  /** Only cases of these types. */
  types: z.array(z.enum(caseTypes)).min(1).optional(),
  /** Only cases of this team. */
  teamId: idSchema.optional(),
  /** Only cases assigned to this agent. */
  ownerId: idSchema.optional(),
};

/** Which cases a report reads (parsed options). */
export interface CaseFilters {
  from?: string | undefined;
  to?: string | undefined;
  priorities?: CasePriority[] | undefined;
  channels?: CaseChannel[] | undefined;
  types?: CaseType[] | undefined;
  teamId?: string | undefined;
  ownerId?: string | undefined;
}

/** The parsed options of {@link caseReportShape}. */
export interface CaseReportScope extends CaseFilters {
  by: CaseReportDimension | CaseReportDimension[];
  period: ReportPeriod;
}

/**
 * The group of a case-report row: the keys of the dimensions it was grouped by
 * (`teamId` / `ownerId` null for cases without team or agent; `period` the
 * first day of the opening period, `YYYY-MM-DD`).
 */
export interface CaseReportKey {
  priority?: CasePriority;
  channel?: CaseChannel;
  teamId?: string | null;
  ownerId?: string | null;
  period?: string;
}

const fieldOf = { priority: 'priority', channel: 'channel', team: 'teamId', agent: 'ownerId' } as const;

/** The dimensions of a scope, in the order given, each once. */
function dimensions(scope: CaseReportScope): CaseReportDimension[] {
  return [...new Set(typeof scope.by === 'string' ? [scope.by] : scope.by)];
}

/** The storage filter of a report's case filters, over the case model, with `extra` conditions. */
export function caseScopeWhere(scope: CaseFilters, extra: Where = {}): Where {
  const where: Where = { ...extra };
  if (scope.from !== undefined || scope.to !== undefined) {
    where.openedAt = { ...(scope.from !== undefined ? { gte: scope.from } : {}), ...(scope.to !== undefined ? { lt: scope.to } : {}) };
  }
  if (scope.priorities) where.priority = { in: scope.priorities };
  if (scope.channels) where.channel = { in: scope.channels };
  if (scope.types) where.type = { in: scope.types };
  if (scope.teamId) where.teamId = scope.teamId;
  if (scope.ownerId) where.ownerId = scope.ownerId;
  return where;
}

/** The grouping keys and their ordering (every key ascending) of a scope. */
export function caseScopeGroups(scope: CaseReportScope): { groupBy: GroupKey[]; orderBy: { key: string }[] } {
  const groupBy = dimensions(scope).map((d): GroupKey => (d === 'period' ? { field: 'openedAt', bucket: scope.period, as: 'period' } : fieldOf[d]));
  return { groupBy, orderBy: groupBy.map((g) => ({ key: typeof g === 'string' ? g : g.as })) };
}

/** The group keys of an aggregate row, as a {@link CaseReportKey}. */
export function caseReportKey(scope: CaseReportScope, row: Row): CaseReportKey {
  const key: CaseReportKey = {};
  for (const d of dimensions(scope)) {
    if (d === 'priority') key.priority = row.priority as CasePriority;
    else if (d === 'channel') key.channel = row.channel as CaseChannel;
    else if (d === 'team') key.teamId = (row.teamId as string | null) ?? null;
    else if (d === 'agent') key.ownerId = (row.ownerId as string | null) ?? null;
    else key.period = row.period as string;
  }
  return key;
}

/** `part / whole`, or null when there is nothing to divide. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
