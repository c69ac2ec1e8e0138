import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, parseInput } from '../../common/zod-helpers.js';
import { interactionModel } from '../../interactions/interaction.model.js';
import type { Row } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { taskModel } from '../../tasks/task.model.js';
import { compareKeys, Groups } from './report-rows.js';
import { boundaryInstant, boundarySchema, periodGroup, periodShape } from './report-period.js';

/** Options of `reports.activity`. */
export const activityOptionsSchema = z
  .strictObject({
    ...periodShape,
    /** Activity at or after this instant (a date: its midnight in `timeZone`). */
    from: boundarySchema.optional(),
    /** Activity before this instant. */
    to: boundarySchema.optional(),
    /** Only these members. */
    memberIds: z.array(idSchema).min(1).max(1000).optional(),
  })
  .optional()
  .default({ period: 'month', timeZone: 'UTC' });
/** Options of `reports.activity`. */
export type ActivityOptions = z.input<typeof activityOptionsSchema>;

/** What one member did in one period. */
export interface ActivityRow {
  /** The member: the interaction's owner, the task's assignee (null: nobody's). */
  memberId: string | null;
  /** First day of the period, `YYYY-MM-DD` in the report's zone. */
  period: string;
  /** Interactions of type `call` that occurred in the period. */
  calls: number;
  /** Interactions of type `email`. */
  emails: number;
  /** Interactions of type `meeting`. */
  meetings: number;
  /** Every other interaction (sms, chat, social, visit, note). */
  otherInteractions: number;
  /** Tasks completed in the period (status `done`, by `completedAt`). */
  tasksCompleted: number;
}

/**
 * Calls, emails, meetings and completed tasks per member and period: one SQL
 * aggregate over interactions (by owner and `occurredAt`), one over tasks (by
 * assignee and `completedAt`). Rows are ordered by member (nobody's last), then period.
 */
export async function activity(ctx: TenantContext, options?: ActivityOptions): Promise<ActivityRow[]> {
  const opts = parseInput(activityOptionsSchema, options, 'report options');
  const range: Record<string, string> = {};
  if (opts.from) range.gte = boundaryInstant(opts.from, opts.timeZone);
  if (opts.to) range.lt = boundaryInstant(opts.to, opts.timeZone);
  const bounded = opts.from !== undefined || opts.to !== undefined;
  const interactions: Where = bounded ? { occurredAt: range } : {};
  const tasks: Where = { status: 'done', completedAt: bounded ? range : { ne: null } };
  if (opts.memberIds) {
    interactions.ownerId = { in: opts.memberIds };
    tasks.assigneeId = { in: opts.memberIds };
  }
  const [logged, done] = await Promise.all([
    ctx.storage.aggregate({
      model: interactionModel,
      tenantId: ctx.tenantId,
      where: interactions,
      groupBy: ['ownerId', periodGroup('occurredAt', opts)],
      metrics: {
        calls: { fn: 'count', filter: { type: 'call' } },
        emails: { fn: 'count', filter: { type: 'email' } },
        meetings: { fn: 'count', filter: { type: 'meeting' } },
        other: { fn: 'count', filter: { type: { notIn: ['call', 'email', 'meeting'] } } },
      },
    }),
    ctx.storage.aggregate({
      model: taskModel,
      tenantId: ctx.tenantId,
      where: tasks,
      groupBy: ['assigneeId', periodGroup('completedAt', opts)],
      metrics: { completed: { fn: 'count' } },
    }),
  ]);
  const groups = new Groups((key): ActivityRow => {
    const [memberId, period] = JSON.parse(key) as [string | null, string];
    return { memberId, period, calls: 0, emails: 0, meetings: 0, otherInteractions: 0, tasksCompleted: 0 };
  });
  const keyOf = (member: unknown, row: Row) => JSON.stringify([(member as string | null) ?? null, row.period as string]);
  for (const row of logged) {
    const group = groups.of(keyOf(row.ownerId, row));
    group.calls += Number(row.calls);
    group.emails += Number(row.emails);
    group.meetings += Number(row.meetings);
    group.otherInteractions += Number(row.other);
  }
  for (const row of done) groups.of(keyOf(row.assigneeId, row)).tasksCompleted += Number(row.completed);
  return groups.values().sort((a, b) => compareKeys([a.memberId, a.period], [b.memberId, b.period]));
}
