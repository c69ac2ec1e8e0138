import { ForbiddenError, NotFoundError } from '../errors.js';
import type {
  AggregateArgs, ClaimDueArgs, CountArgs, CreateArgs, CreateManyArgs, DeleteArgs, DeleteManyArgs, FindManyArgs, FindOneArgs,
  LogPage, LogPositionArgs, ReadLogArgs, Row, Storage, UpdateArgs, UpdateManyArgs,
} from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Where } from '../storage/where.js';
import type { AccessAction } from './access-levels.js';
import type { AccessPolicy } from './access-policy.js';
import { entityOfModel, protectionOf } from './protections.js';
import { assertVisible, scopedWhere, withScope } from './scoped-where.js';

/**
 * The storage every service of an acting member's scope reads and writes
 * through: it puts the member's grant into the SQL of each call, so that no
 * service can forget it.
 *
 * - `findOne`, `findMany`, `count` and `aggregate` see only rows the member
 *   may read: the scope is ANDed into `where`, and into every semi-join of it.
 * - `create` and `createMany` of an entity's records check the new rows
 *   against the `create` level (an owner the member may create for).
 * - `update` and `delete` of a record check it against the `update` or
 *   `delete` level (and `assign` when the owner changes) in one indexed count;
 *   a record the member may not even read is missing (`NotFoundError`), one
 *   they may read but not change is `ForbiddenError`.
 * - `updateMany` and `deleteMany` pass: services use them only for what a
 *   checked write implies (unlinking a deleted company's contacts), which must
 *   reach every row or leave dangling references.
 * - The outbox, queues and raw SQL pass unchanged.
 */
export class AccessStorage implements Storage {
  constructor(
    readonly inner: Storage,
    readonly policy: () => Promise<AccessPolicy>,
  ) {}

  async findOne<R extends object>(args: FindOneArgs<R>): Promise<R | undefined> {
    const policy = await this.policy();
    const scope = policy.scope(args.model.name, 'read');
    if (scope === null) return this.inner.findOne(args);
    if (args.forUpdate === true) {
      // Lock first, as the caller asked, then ask whether the member may see it.
      const row = await this.inner.findOne(args);
      if (row === undefined) return undefined;
      return (await this.#matches(args.model, args.tenantId, args.id, scope)) ? row : undefined;
    }
    const [row] = await this.inner.findMany({ model: args.model, tenantId: args.tenantId, where: { and: [{ id: args.id }, scope] }, limit: 1 });
    return row;
  }

  findMany<R extends object>(args: FindManyArgs<R> & { select?: undefined }): Promise<R[]>;
  findMany<R extends object, K extends keyof R & string>(args: FindManyArgs<R> & { select: readonly K[] }): Promise<Pick<R, K | ('id' extends keyof R ? 'id' : never)>[]>;
  async findMany<R extends object>(args: FindManyArgs<R>): Promise<unknown[]> {
    const policy = await this.policy();
    for (const term of args.orderBy ?? []) assertVisible(policy, args.model.name, term.field);
    for (const field of args.select ?? []) assertVisible(policy, args.model.name, field);
    const where = withScope(policy, args.model.name, args.where, policy.scope(args.model.name, 'read'));
    return this.inner.findMany({ ...args, ...(where === undefined ? {} : { where }) } as FindManyArgs<R> & { select?: undefined });
  }

  async count<R extends object>(args: CountArgs<R>): Promise<number> {
    const policy = await this.policy();
    const where = withScope(policy, args.model.name, args.where, policy.scope(args.model.name, 'read'));
    return this.inner.count({ ...args, ...(where === undefined ? {} : { where }) });
  }

  async aggregate<R extends object>(args: AggregateArgs<R>): Promise<Row[]> {
    const policy = await this.policy();
    const name = args.model.name;
    for (const key of args.groupBy ?? []) assertVisible(policy, name, typeof key === 'string' ? key : key.field);
    for (const metric of Object.values(args.metrics)) {
      if (metric.field !== undefined) assertVisible(policy, name, metric.field);
    }
    const where = withScope(policy, name, args.where, policy.scope(name, 'read'));
    // A metric's own filter may hold semi-joins ("has a won deal"): they are scoped like `where`.
    const metrics = Object.fromEntries(
      Object.entries(args.metrics).map(([key, m]) => [key, m.filter === undefined ? m : { ...m, filter: scopedWhere(policy, name, m.filter)! }]),
    );
    return this.inner.aggregate({ ...args, metrics, ...(where === undefined ? {} : { where }) });
  }

  async create<R extends object>(args: CreateArgs<R>): Promise<R> {
    await this.#checkNew(args.model, [args.data as Record<string, unknown>]);
    return this.inner.create(args);
  }

  async createMany<R extends object>(args: CreateManyArgs<R>): Promise<R[]> {
    await this.#checkNew(args.model, args.rows as Record<string, unknown>[]);
    return this.inner.createMany(args);
  }

  async update<R extends object>(args: UpdateArgs<R>): Promise<R> {
    const data = args.data as Record<string, unknown>;
    await this.#checkExisting(args.model, args.tenantId, args.id, 'update');
    if (administrativeFields(args.model.name).some((f) => data[f] !== undefined)) await this.#checkAdministrative(args.model, 'update', args.id);
    // Changing who owns it (owner, a task's assignee, a case's team) is `assign`: the member may reassign this record (to anyone).
    if (ownershipFields(args.model.name).some((f) => data[f] !== undefined)) await this.#checkExisting(args.model, args.tenantId, args.id, 'assign');
    return this.inner.update(args);
  }

  async delete<R extends object>(args: DeleteArgs<R>): Promise<void> {
    await this.#checkExisting(args.model, args.tenantId, args.id, 'delete');
    return this.inner.delete(args);
  }

  updateMany<R extends object>(args: UpdateManyArgs<R>): Promise<number> {
    return this.inner.updateMany(args);
  }

  deleteMany<R extends object>(args: DeleteManyArgs<R>): Promise<number> {
    return this.inner.deleteMany(args);
  }

  claimDue<R extends object>(args: ClaimDueArgs<R>): Promise<R[]> {
    return this.inner.claimDue(args);
  }

  readLog(args: ReadLogArgs): Promise<LogPage> {
    return this.inner.readLog(args);
  }

  logPosition(args: LogPositionArgs): Promise<string> {
    return this.inner.logPosition(args);
  }

  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(new AccessStorage(tx, this.policy)));
  }

  executeSql(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
    if (this.inner.executeSql === undefined) throw new TypeError('This storage does not run SQL');
    return this.inner.executeSql(strings, ...values);
  }

  /**
   * New records of an entity must fall inside the `create` level: owned by the
   * member (`own`), by someone of their teams (`team`), anyone (`all`).
   */
  async #checkNew(model: ModelDefinition<object>, rows: Record<string, unknown>[]): Promise<void> {
    const entity = entityOfModel(model.name);
    if (entity === undefined) return;
    if (administrativeFields(model.name).length > 0) await this.#checkAdministrative(model, 'create', null);
    const policy = await this.policy();
    for (const row of rows) {
      if (!policy.allowsRow(entity, 'create', row)) throw new ForbiddenError(entity, 'create', typeof row.id === 'string' ? row.id : null);
    }
  }

  /**
   * Refuses an action on an existing record outside the member's grant: for
   * the actions that are not a write of the record itself (`export`, `merge`,
   * sharing it). Rows of models that are not an entity's pass.
   * @throws {NotFoundError} when the member may not read it (or it does not exist) @throws {ForbiddenError}
   */
  check(model: ModelDefinition<object>, tenantId: string, id: string, action: AccessAction): Promise<void> {
    return this.#checkExisting(model, tenantId, id, action);
  }

  /**
   * A member's roles and teams, and where a team sits, decide what members may
   * do: writing them is administration, which takes the `all` level of the
   * action on the entity. Else a rep owning their own member row could make
   * themselves admin, or a manager widen their team.
   */
  async #checkAdministrative(model: ModelDefinition<object>, action: 'create' | 'update', id: string | null): Promise<void> {
    const entity = entityOfModel(model.name)!;
    if ((await this.policy()).level(entity, action) !== 'all') throw new ForbiddenError(entity, action, id);
  }

  async #checkExisting(model: ModelDefinition<object>, tenantId: string, id: string, action: AccessAction): Promise<void> {
    const entity = entityOfModel(model.name);
    if (entity === undefined) return;
    const policy = await this.policy();
    const scope = policy.scope(model.name, action);
    if (scope === null || (await this.#matches(model, tenantId, id, scope))) return;
    // Missing and unreadable look alike: what the member may not read does not exist for them.
    if (!(await this.#matches(model, tenantId, id, policy.scope(model.name, 'read') ?? {}))) throw new NotFoundError(model.name, id);
    throw new ForbiddenError(entity, action, id);
  }

  async #matches(model: ModelDefinition<object>, tenantId: string, id: string, scope: Where): Promise<boolean> {
    return (await this.inner.count({ model, tenantId, where: { and: [{ id }, scope] } })) > 0;
  }
}

/** The fields of a model that only administrators write (see `#checkAdministrative`). */
function administrativeFields(modelName: string): readonly string[] {
  return modelName === 'member' ? ['role', 'roles', 'teamIds'] : modelName === 'team' ? ['parentTeamId'] : [];
}

/** The fields that say whose a record is: changing one is `assign`. */
function ownershipFields(modelName: string): readonly string[] {
  const protection = protectionOf(modelName);
  return protection?.kind === 'record' ? [...protection.ownerFields, ...protection.teamFields] : [];
}
