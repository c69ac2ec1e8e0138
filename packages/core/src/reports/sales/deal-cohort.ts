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
