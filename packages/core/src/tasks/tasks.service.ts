import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { RecordService } from '../common/record-service.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { companyModel } from '../companies/company.model.js';
import { contactModel } from '../contacts/contact.model.js';
import { dealModel } from '../deals/deal.model.js';
import { StateError } from '../errors.js';
import { interactionModel } from '../interactions/interaction.model.js';
import { memberModel } from '../members/member.model.js';
import type { Row } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import { taskModel } from './task.model.js';
import { type Task, type TaskInput, taskInputSchema, type TaskLinkType, type TaskPatch, taskPatchSchema, taskPriorities } from './task.schema.js';

/** Tasks without a due date sort after every dated one in the inbox. */
const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';

const linkModels: Partial<Record<TaskLinkType, ModelDefinition>> = {
  contact: contactModel, company: companyModel, deal: dealModel, interaction: interactionModel,
};

function toTask(row: Row): Task {
  const { priorityRank: _rank, inboxDueAt: _due, ...task } = row;
  return task as unknown as Task;
}

/** The inbox ordering columns follow priority and due date. */
function toTaskRow(task: Partial<Task>): Row {
  const row: Row = { ...task };
  if (task.priority !== undefined) row.priorityRank = taskPriorities.indexOf(task.priority);
  if (task.dueAt !== undefined) row.inboxDueAt = task.dueAt ?? NO_DUE_DATE;
  return row;
}

/** Tasks and each member's inbox. Reached as `crm.tenant(id).tasks`. */
export class TasksService extends RecordService<Task> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, new EntityStore<Task>(ctx, taskModel, toTask, toTaskRow));
  }

  /**
   * Creates a task, optionally about a record.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown assignee or linked record
   * @example
   * await t.tasks.create({ title: 'Send proposal', assigneeId: rep.id, dueAt: '2026-12-01T09:00:00Z', priority: 'high', link: { type: 'deal', id: deal.id } });
   */
  async create(input: TaskInput): Promise<Task> {
    const data = parseInput(taskInputSchema, input, 'task');
    return this.ctx.write((w) => this.createIn(w, data));
  }

  /** @internal Creates a task inside a running write. */
  async createIn(w: WriteScope, data: ReturnType<typeof taskInputSchema.parse>): Promise<Task> {
    await assertExists(w.tx, this.ctx, memberModel, data.assigneeId);
    await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
    const linkModel = data.link ? linkModels[data.link.type] : undefined;
    if (data.link && linkModel) await assertExists(w.tx, this.ctx, linkModel, data.link.id);
    const task = await this.store.insert(w, toTaskRow({
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
      ...ownedDefaults(this.ctx, 'task', data),
    }));
    w.emit('task.created', { record: task });
    return task;
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

  /** Changes a task. @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {StateError} for a closed task */
  async update(id: string, patch: TaskPatch, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const data = parseInput(taskPatchSchema, patch, 'task patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, memberModel, data.assigneeId);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
      const { after, changes } = await this.store.patch(w, taskId, (before) => {
        if (before.status === 'done') throw new StateError('A completed task cannot be changed; reopen it first');
        return defined({ ...data, custom: mergedCustom(this.ctx, 'task', before.custom, data.custom) });
      }, expectedVersion);
      if (changes.length > 0) w.emit('task.updated', { record: after, changes });
      return after;
    });
  }

  /** Marks a task done. @throws {NotFoundError} @throws {ConflictError} @throws {StateError} when it is already done or cancelled */
  async complete(id: string, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { after } = await this.store.patch(w, taskId, (before) => {
        if (before.status === 'done' || before.status === 'cancelled') throw new StateError(`The task is already ${before.status}`);
        return { status: 'done', completedAt: w.now };
      }, expectedVersion);
      w.emit('task.completed', { record: after });
      return after;
    });
  }

  /** Opens a completed or cancelled task again. @throws {NotFoundError} @throws {ConflictError} */
  async reopen(id: string, options?: WriteOptions): Promise<Task> {
    const taskId = parseInput(idSchema, id, 'task id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { after, changes } = await this.store.patch(w, taskId, () => ({ status: 'open', completedAt: null }), expectedVersion);
      if (changes.length > 0) w.emit('task.updated', { record: after, changes });
      return after;
    });
  }
}
