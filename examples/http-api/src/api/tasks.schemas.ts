import { taskInputSchema, taskLinkTypes, taskStatuses } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

const { link: _link, ...taskFields } = taskInputSchema.shape;

/**
 * The link of a task as a request gives it. crmkit checks `type` with a
 * `z.custom` against its entity registry (which cannot be read while the
 * schema module loads) and a `z.custom` has no JSON Schema; here the
 * registry is loaded, so its `taskLinkTypes` become an enum the document lists.
 */
const taskLinkInputSchema = z
  .strictObject({
    type: z.enum(taskLinkTypes).openapi({ description: 'The entity the task is about (`taskLinkTypes`)', example: 'deal' }),
    id: z.string().min(1).max(64),
  })
  .openapi('TaskLink');

/**
 * The body of `POST /tasks`: crmkit's `taskInputSchema` (its refinements
 * kept: `remindAt` not after `dueAt`) with the link described as above.
 * `safeExtend`, since zod refuses to `extend` a schema with refinements.
 */
export const taskCreateSchema = taskInputSchema.safeExtend({ link: taskLinkInputSchema.nullable().optional() });

/** A task as the API returns it: crmkit's task fields, the link as stored and what only stored tasks have. */
export const taskSchema = recordSchema('Task', {
  ...taskFields,
  status: z.enum(taskStatuses),
  linkedType: z.string().nullable().openapi({ description: 'The entity the task is about (`link.type`)' }),
  linkedId: z.string().nullable(),
  completedAt: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
});

/** A page of tasks. */
export const taskPageSchema = pageSchema(taskSchema, 'TaskPage');
