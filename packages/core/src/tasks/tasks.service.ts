import type { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, assertLink, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { checkText } from '../common/text-limits.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { StateError, ValidationError } from '../errors.js';
import { scheduleReminder } from './reminders.js';
import { taskEntity } from './task.entity.js';
import { taskModel } from './task.model.js';
import { type Task, type TaskInput, taskInputSchema, type TaskPatch, taskPatchSchema } from './task.schema.js';

type ParsedTask = z.output<typeof taskInputSchema>;

/** Tasks and each member's inbox. Reached as `crm.tenant(id).tasks`. */
export class TasksService extends RecordService<NonNullable<(typeof taskModel)['rowType']>, Task> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, taskEntity);
  }

  /**
   * Creates a task, optionally about a record (`link`: any entity the registry
   * lets tasks link to, see `taskLinkTypes`). A `remindAt` makes
   * `crm.deliverReminders()` emit `task.reminderDue` once it is due. With an
   * `idempotencyKey`, a repeated call returns the task the first one made.
   * @throws {ValidationError} for a link to an entity tasks cannot link to @throws {NotFoundError} for an unknown assignee, owner or linked record
   * @example
   * await t.tasks.create({ title: 'Send proposal', assigneeId: rep.id, dueAt: '2026-12-01T09:00:00Z', priority: 'high', link: { type: 'deal', id: deal.id } });
   */
  async create(input: TaskInput, options?: CreateOptions): Promise<Task> {
    const data = parseInput(taskInputSchema, input, 'task');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    checkText(this.ctx, data.description, ['description']);
    return createOnce(this.store, idempotencyKey, async (w) => {
      await this.#checkReferences(w.tx, data);
      const task = await this.store.insert(w, {
        title: data.title,
        description: data.description ?? null,
        dueAt: data.dueAt ?? null,
        remindAt: data.remindAt ?? null,
        priority: data.priority,
        status: 'open',
        assigneeId: data.assigneeId ?? null,
        linkedType: data.link?.type ?? null,
        linkedId: data.link?.id ?? null,
        completedAt: null,
        idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'task', data),
      });
      if (task.remindAt !== null) await scheduleReminder(w, task);
      w.emit('task.created', { record: task });
      return task;
    });
  }

  async #checkReferences(tx: TenantContext['storage'], data: Pick<ParsedTask, 'assigneeId' | 'ownerId'> & { link?: ParsedTask['link'] }): Promise<void> {
    await assertExists(tx, this.ctx, 'member', data.assigneeId);
    await assertExists(tx, this.ctx, 'member', data.ownerId);
    if (data.link) await assertLink(tx, this.ctx, data.link, (entity) => entity.taskLinkable, ['link']);
  }

  /**
   * A member's prioritised inbox: open and in-progress tasks, most urgent
   * priority first, then earliest due (undated last), then oldest.
   */
  async inbox(memberId: string, options?: Pick<ListOptions, 'limit' | 'cursor'>): Promise<Page<Task>> {
    const assigneeId = parseInput(idSchema, memberId, 'member id');
    const { limit, cursor } = parseInput(listOptionsSchema, options, 'list options');
    return this.store.list(
      { orderBy: [{ priorityRank: 'desc' }, { inboxDueAt: 'asc' }], ...defined({ limit, cursor }) },
      { assigneeId, status: { in: ['open', 'in_progress'] } },
    );
  }

  /**
   * Changes a task. A changed `remindAt` is reminded of again, once, when it
   * is due; `remindAt` may not fall after `dueAt` (as stored after the change).
   * A new `assigneeId` needs the `assign` action on the task, like a new `ownerId`.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {StateError} for a completed task
   */
  async update(id: string, patch: TaskPatch, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const data = parseInput(taskPatchSchema, patch, 'task patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    checkText(this.ctx, data.description, ['description']);
    return this.ctx.write(async (w) => {
      await this.#checkReferences(w.tx, data);
      const { after, changes } = await this.store.patch(w, taskId, async (before) => {
        if (before.status === 'done') throw new StateError('A completed task cannot be changed; reopen it first');
        // The assignee owns a task as much as its owner does (it is in their inbox and their `own` level):
        // handing it to someone else is `assign`, like changing `ownerId` (which the storage checks).
        if (data.assigneeId !== undefined && data.assigneeId !== before.assigneeId) await this.ctx.assertAllowed(taskModel, taskId, 'assign', w.systemTx);
        const dueAt = data.dueAt === undefined ? before.dueAt : data.dueAt;
        const remindAt = data.remindAt === undefined ? before.remindAt : data.remindAt;
        if (remindAt !== null && dueAt !== null && remindAt > dueAt) throw ValidationError.single('remindAt must not be after dueAt', ['remindAt']);
        return defined({ ...data, custom: mergedCustom(this.ctx, 'task', before.custom, data.custom) });
      }, expectedVersion);
      // A new remindAt is reminded of once more; a task cancelled or reopened cancels or re-arms its reminder.
      const remindAtChanged = changes.some((c) => c.field === 'remindAt');
      if (remindAtChanged || changes.some((c) => c.field === 'status')) await scheduleReminder(w, after, !remindAtChanged);
      if (changes.length > 0) w.emit('task.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Marks a task done; its pending reminder, if any, is not sent.
   * @throws {NotFoundError} @throws {ConflictError} @throws {StateError} when it is already done or cancelled
   */
  async complete(id: string, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { after } = await this.store.patch(w, taskId, (before) => {
        if (before.status === 'done' || before.status === 'cancelled') throw new StateError(`The task is already ${before.status}`);
        return { status: 'done', completedAt: w.now };
      }, expectedVersion);
      await scheduleReminder(w, after);
      w.emit('task.completed', { record: after });
      return after;
    });
  }

  /**
   * Opens a completed or cancelled task again; its reminder comes back if `remindAt` is still ahead.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async reopen(id: string, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { after, changes } = await this.store.patch(w, taskId, () => ({ status: 'open', completedAt: null }), expectedVersion);
      if (changes.length > 0) {
        await scheduleReminder(w, after, true);
        w.emit('task.updated', { record: after, changes });
      }
      return after;
    });
  }
}
