import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { idSchema, timestampSchema } from '../common/zod-helpers.js';

/** Task priorities, lowest first. */
export const taskPriorities = ['low', 'normal', 'high', 'urgent'] as const;
/** One of {@link taskPriorities}. */
export type TaskPriority = (typeof taskPriorities)[number];

/** Task statuses; `open` and `in_progress` tasks are in the assignee's inbox. */
export const taskStatuses = ['open', 'in_progress', 'done', 'cancelled'] as const;
/** One of {@link taskStatuses}. */
export type TaskStatus = (typeof taskStatuses)[number];

/** Records a task can be linked to. */
export const taskLinkTypes = ['contact', 'company', 'deal', 'interaction', 'case'] as const;
/** One of {@link taskLinkTypes}. */
export type TaskLinkType = (typeof taskLinkTypes)[number];

/** A link from a task to the record it is about. */
export const taskLinkSchema = z.strictObject({ type: z.enum(taskLinkTypes), id: idSchema });

/** Input of `tasks.create`. */
export const taskInputSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(100_000).nullable().optional(),
    dueAt: timestampSchema.nullable().optional(),
    remindAt: timestampSchema.nullable().optional(),
    /** @default 'normal' */
    priority: z.enum(taskPriorities).optional().default('normal'),
    assigneeId: idSchema.nullable().optional(),
    /** The record the task is about. */
    link: taskLinkSchema.nullable().optional(),
    ...ownedInputShape,
  })
  .refine((t) => !t.remindAt || !t.dueAt || t.remindAt <= t.dueAt, { message: 'remindAt must not be after dueAt', path: ['remindAt'] });
/** Input of `tasks.create`. */
export type TaskInput = z.input<typeof taskInputSchema>;

/** Input of `tasks.update`. */
export const taskPatchSchema = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  description: z.string().max(100_000).nullable().optional(),
  dueAt: timestampSchema.nullable().optional(),
  remindAt: timestampSchema.nullable().optional(),
  priority: z.enum(taskPriorities).optional(),
  status: z.enum(['open', 'in_progress', 'cancelled']).optional(),
  assigneeId: idSchema.nullable().optional(),
  ...ownedInputShape,
});
/** Input of `tasks.update`. */
export type TaskPatch = z.input<typeof taskPatchSchema>;

/** A to-do for a member, optionally about a record. */
export interface Task extends OwnedRecord {
  title: string;
  description: string | null;
  dueAt: string | null;
  remindAt: string | null;
  priority: TaskPriority;
  status: TaskStatus;
  assigneeId: string | null;
  linkedType: TaskLinkType | null;
  linkedId: string | null;
  completedAt: string | null;
}
