import { z } from 'zod';
import type { EntitiesWhere } from '../entities/registry.js';
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

/** The entities a task can be about: those the registry marks `taskLinkable` (see `taskLinkTypes`). */
export type TaskLinkType = EntitiesWhere<'taskLinkable'>;

/**
 * A link from a task to the record it is about. The type is checked against
 * the entity registry when the task is written (the registry imports this
 * module's entity, so the list cannot be read here at load time).
 */
export const taskLinkSchema = z.strictObject({
  type: z.custom<TaskLinkType>((value) => typeof value === 'string' && /^[a-zA-Z]{1,64}$/.test(value), 'Expected an entity name'),
  id: idSchema,
});

/** Input of `tasks.create`. */
export const taskInputSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(500),
    /** Long text, up to the host's `limits.textLength`. */
    description: z.string().max(10_000_000).nullable().optional(),
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
  description: z.string().max(10_000_000).nullable().optional(),
  dueAt: timestampSchema.nullable().optional(),
  remindAt: timestampSchema.nullable().optional(),
  priority: z.enum(taskPriorities).optional(),
  status: z.enum(['open', 'in_progress', 'cancelled']).optional(),
  assigneeId: idSchema.nullable().optional(),
  ...ownedInputShape,
})
  // The stored dueAt / remindAt are checked too, when the task is written.
  .refine((t) => !t.remindAt || !t.dueAt || t.remindAt <= t.dueAt, { message: 'remindAt must not be after dueAt', path: ['remindAt'] });
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
  /** The entity the task is about (one of `taskLinkTypes`), with `linkedId`. */
  linkedType: string | null;
  linkedId: string | null;
  completedAt: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
