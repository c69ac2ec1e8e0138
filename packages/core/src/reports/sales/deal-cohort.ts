import { idSchema } from '../../common/zod-helpers.js';
import type { Where } from '../../storage/where.js';
import { boundaryInstant, boundarySchema, timeZoneSchema } from './report-period.js';

/** The options of the stage-history reports that pick the deals they follow: a cohort by creation time and owner. */
export const dealCohortShape = {
  /** Deals created at or after this instant (a date: its midnight in `timeZone`). */
  from: boundarySchema.optional(),
  /** Deals created before this instant. */
  to: boundarySchema.optional(),
  /** Only deals of this owner. */
  ownerId: idSchema.optional(),
  /** The zone `from` and `to` given as dates are read in. @default 'UTC' */
  timeZone: timeZoneSchema.optional().default('UTC'),
};

/** Parsed cohort options. */
export interface DealCohort {
  from?: string | Date | undefined;
  to?: string | Date | undefined;
  ownerId?: string | undefined;
  timeZone: string;
}

/** The where-tree on deals of a pipeline's cohort. */
export function cohortWhere(pipelineId: string, cohort: DealCohort): Where {
  const where: Where = { pipelineId };
  const createdAt: Record<string, string> = {};
  if (cohort.from) createdAt.gte = boundaryInstant(cohort.from, cohort.timeZone);
  if (cohort.to) createdAt.lt = boundaryInstant(cohort.to, cohort.timeZone);
  if (cohort.from || cohort.to) where.createdAt = createdAt;
  if (cohort.ownerId) where.ownerId = cohort.ownerId;
  return where;
}

/** The filters of the reports over closed deals (`winLoss`, `salesCycle`). */
export interface ClosedDealsFilter {
  from?: string | Date | undefined;
  to?: string | Date | undefined;
  timeZone: string;
  pipelineId?: string | undefined;
  ownerId?: string | undefined;
}

/** Won and lost deals closed in `[from, to)` (local midnights of `timeZone`), of one pipeline or owner when given. */
export function closedDealsWhere(filter: ClosedDealsFilter): Where {
  const where: Where = { status: { in: ['won', 'lost'] } };
  const closedAt: Record<string, string> = {};
  if (filter.from) closedAt.gte = boundaryInstant(filter.from, filter.timeZone);
  if (filter.to) closedAt.lt = boundaryInstant(filter.to, filter.timeZone);
  if (filter.from || filter.to) where.closedAt = closedAt;
  if (filter.pipelineId) where.pipelineId = filter.pipelineId;
  if (filter.ownerId) where.ownerId = filter.ownerId;
  return where;
}
