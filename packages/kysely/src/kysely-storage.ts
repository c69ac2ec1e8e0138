import {
  type AggregateArgs,
  type ClaimDueArgs,
  type CountArgs,
  type CreateArgs,
  type CreateManyArgs,
  type DeleteArgs,
  type DeleteManyArgs,
  type FindManyArgs,
  type FindOneArgs,
  type ModelDefinition,
  type LogPage,
  type LogPositionArgs,
  type ReadLogArgs,
  type Row,
  type Selected,
  type Storage,
  type UpdateArgs,
  type UpdateManyArgs,
  ConflictError,
  CrmError,
  NotFoundError,
  ValidationError,
  storableProblem,
  valueError,
} from '@crmkit/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Kysely, type QueryResult, sql } from 'kysely';
import { aggregateRows, aggregateSelect, planAggregate } from './aggregate.js';
import { compileDerived, fieldsReadAfterDerive } from './derive.js';
import { planGroupStage } from './group-stage.js';
import { claimDueStatement } from './claim-due.js';
import type { SqlDialect, SqlFragment } from './dialect.js';
import { mapDriverError } from './error-mapper.js';
import type { QueryExecutor } from './executor.js';
import { keysetAfter, orderList, resolveOrder } from './keyset.js';
import { logPosition, readLog, reservePositions } from './log.js';
import { type FieldInfo, type ModelInfo, ModelRegistry, plainField } from './model-info.js';
import { decodeRows, encodeAssignments, encodeInsertRow, selectList } from './row-codec.js';
import { type Frag, type PreparedShape, ShapeBuilder, bindShape } from './shape.js';
import { WhereCompiler } from './where-compiler.js';

/** What every storage handle of one adapter shares: dialect, executor, caches. */
export interface StorageContext {
  readonly dialect: SqlDialect;
  readonly executor: QueryExecutor;
  readonly models: ModelRegistry;
  readonly where: WhereCompiler;
}

/** Builds the shared context of a storage from a dialect and an executor. */
export function createStorageContext(dialect: SqlDialect, executor: QueryExecutor): StorageContext {
  const models = new ModelRegistry(dialect);
  return { dialect, executor, models, where: new WhereCompiler(dialect, models) };
}

/** The bound tenant id of a statement, and its condition on the statement's own table. */
interface TenantFilter {
  readonly param: Frag;
  readonly condition: Frag;
}

function checkLimit(limit: number | undefined, what = 'limit'): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw ValidationError.single(`"${what}" must be a non-negative integer`, [what]);
  }
}

/**
 * The root storage whose transaction the current async context is inside.
 * A call on that root (not on the transaction handle) from inside would run
 * outside the transaction: on a single-connection database (SQLite, PGlite)
 * it would wait for the transaction it is part of, forever, and on a pool it
 * would commit on its own whatever the transaction does. It fails at once
 * instead, on every database alike.
 */
const insideTransaction = new AsyncLocalStorage<KyselyStorage>();

function misuse(): CrmError {
  return new CrmError(
    'OUTSIDE_TRANSACTION',
    'A storage call went to the adapter while a transaction of the same adapter runs in this call chain: ' +
      'use the transaction handle (tx), or run crmkit calls through crm.transaction((tx) => ...) with tx.tenant(...)',
  );
}

/**
 * The storage contract on a Kysely instance (the root or a transaction). Every
 * statement is compiled once per shape and then only re-bound; see `shape.ts`.
 */
export class KyselyStorage implements Storage {
  constructor(
    protected readonly ctx: StorageContext,
    protected readonly db: Kysely<any>,
  ) {}

  /** The Kysely instance (or transaction) this storage runs on; see `kyselyOf`. */
  get kyselyInstance(): Kysely<any> {
    return this.db;
  }

  /** Runs the statement of `key` (compiled by `build` on first use) with `b`'s values. */
  protected async run<R = Row>(info: ModelInfo, b: ShapeBuilder, build: () => SqlFragment): Promise<QueryResult<R>> {
    return this.#execute<R>(info, this.#shape(info, b.key, build), b.values);
  }

  /** The compiled statement of `key`, checked against the dialect's parameter limit. */
  #shape(info: ModelInfo, key: string, build: () => SqlFragment): PreparedShape {
    const shape = info.shapes.get(this.db, key, build);
    // Checked here, on the compiled statement, because only the dialect knows how many
    // placeholders a tree becomes (lists bound one value each where it has no array binding).
    const max = this.ctx.dialect.capabilities.maxParameters;
    if (shape.recipe.length > max) {
      throw ValidationError.single(
        `${info.model.name}: this statement needs ${shape.recipe.length} bound parameters and ${this.ctx.dialect.capabilities.name} takes at most ${max}; use fewer conditions or shorter lists`,
      );
    }
    return shape;
  }

  /** Runs a compiled statement with its slot values, driver errors mapped to crmkit's. */
  async #execute<R = Row>(info: ModelInfo, shape: PreparedShape, values: readonly unknown[]): Promise<QueryResult<R>> {
    if (!this.db.isTransaction && insideTransaction.getStore() === this) throw misuse();
    try {
      return await this.ctx.executor.execute(this.db, bindShape<R>(shape, values));
    } catch (error) {
      throw mapDriverError(error, this.ctx.dialect, info);
    }
  }

  #tenant(info: ModelInfo, tenantId: string, b: ShapeBuilder): TenantFilter {
    if (typeof tenantId !== 'string' || tenantId === '') throw ValidationError.single('tenantId must be a non-empty string', ['tenantId']);
    const found = storableProblem('string', tenantId);
    if (found !== undefined) throw valueError('tenantId', found, ['tenantId']);
    const param = b.bind(tenantId);
    const ref = plainField(info, 'tenantId').ref;
    return { param, condition: () => sql`${ref} = ${param()}` };
  }

  #byId(info: ModelInfo, tenantId: string, id: string, b: ShapeBuilder): Frag {
    const tenant = this.#tenant(info, tenantId, b);
    // An id no row can have (NUL, a lone surrogate, not a string) is refused, not looked up:
    // Postgres would fail on it and SQLite find nothing.
    const found = storableProblem('string', id);
    if (found !== undefined) throw valueError('id', found, ['id']);
    const param = b.bind(id);
    const ref = plainField(info, 'id').ref;
    return () => sql`${tenant.condition()} and ${ref} = ${param()}`;
  }

  async create<R extends object>(args: CreateArgs<R>): Promise<R> {
    const info = this.ctx.models.get(args.model);
    // Reserved log positions and the row they number commit together or not at all.
    if (this.#reserves(info) && !this.db.isTransaction) return this.transaction((tx) => tx.create(args));
    const b = new ShapeBuilder();
    b.key = 'create';
    const out: Row = {};
    encodeInsertRow(info, args.tenantId, args.data as Row, b.values, 0, out);
    if (this.#reserves(info)) b.values.push(await reservePositions(this.ctx, this.db, info, 1));
    await this.run(info, b, () => this.#insert(info, 1));
    return out as R;
  }

  /** Whether inserts into the model first reserve log positions (the dialect's `log.reserve`). */
  #reserves(info: ModelInfo): boolean {
    return info.log !== undefined && this.ctx.dialect.log.reserve !== undefined;
  }

  /**
   * The INSERT of `rows` rows: one slot per field of each row, then (when the
   * dialect reserves log positions) one position slot per row. A log model's
   * rows also get the dialect's log columns.
   */
  #insert(info: ModelInfo, rows: number): SqlFragment {
    const width = info.fields.length;
    const slots = new ShapeBuilder();
    const params: Frag[] = [];
    for (let i = 0; i < rows * width; i++) params.push(slots.bind(undefined));
    const log = info.log;
    const positions = this.#reserves(info) ? Array.from({ length: rows }, () => slots.bind(undefined)) : undefined;
    const tenant = info.fields.findIndex((f) => f.name === 'tenantId');
    const tuples: SqlFragment[] = [];
    for (let r = 0; r < rows; r++) {
      const values = params.slice(r * width, (r + 1) * width).map((p) => p());
      if (log !== undefined) values.push(...this.ctx.dialect.log.values(log, params[r * width + tenant]!(), positions?.[r]!()));
      tuples.push(sql`(${sql.join(values)})`);
    }
    const names = [...info.fields.map((f) => f.column), ...(log === undefined ? [] : this.ctx.dialect.log.columns)];
    return sql`insert into ${info.table} (${sql.join(names.map((name) => sql.id(name)))}) values ${sql.join(tuples)}`;
  }

  async createMany<R extends object>(args: CreateManyArgs<R>): Promise<R[]> {
    const info = this.ctx.models.get(args.model);
    const rows = args.rows as readonly Row[];
    if (rows.length === 0) return [];
    const width = info.fields.length;
    // Rows per INSERT: bounded by the bind-parameter limit, and by the dialect's
    // preference (50 by default, a guess not yet compared against other sizes).
    const maxRows = this.ctx.dialect.maxInsertRows ?? 50;
    const perStatement = Math.max(1, Math.min(maxRows, Math.floor(this.ctx.dialect.capabilities.maxParameters / width)));
    const out: Row[] = args.returnRows === true ? new Array<Row>(rows.length) : [];
    const reserves = this.#reserves(info);
    const write = async (storage: KyselyStorage): Promise<void> => {
      // One reservation for the whole call: a statement per call, not per row.
      let position = reserves ? await reservePositions(storage.ctx, storage.db, info, rows.length) : 0;
      // The shape is looked up once per statement size, not once per statement: SQLite
      // inserts one row per statement, so the per-statement key, builder and lookup
      // were paid for every row of every bulk write (contacts, their audit and outbox rows).
      let shape: PreparedShape | undefined;
      let shapeRows = 0;
      for (let start = 0; start < rows.length; start += perStatement) {
        const count = Math.min(perStatement, rows.length - start);
        if (count !== shapeRows) {
          shape = storage.#shape(info, `createMany ${count}`, () => storage.#insert(info, count));
          shapeRows = count;
        }
        const values = new Array<unknown>(count * width + (reserves ? count : 0));
        for (let r = 0; r < count; r++) {
          const row = rows[start + r]!;
          const copy = args.returnRows === true ? (out[start + r] = {}) : undefined;
          encodeInsertRow(info, args.tenantId, row, values, r * width, copy);
          if (reserves) values[count * width + r] = position++;
        }
        await storage.#execute(info, shape!, values);
      }
    };
    if (this.db.isTransaction || (rows.length <= perStatement && !reserves)) await write(this);
    else await this.transaction((tx) => write(tx as KyselyStorage));
    return out as R[];
  }

  async findOne<R extends object>(args: FindOneArgs<R>): Promise<R | undefined> {
    const info = this.ctx.models.get(args.model);
    const b = new ShapeBuilder();
    b.key = 'findOne';
    const where = this.#byId(info, args.tenantId, args.id, b);
    const lock = args.forUpdate === true && this.db.isTransaction ? this.ctx.dialect.rowLock?.() : undefined;
    if (lock !== undefined) b.key += 'u';
    const result = await this.run(info, b, () => sql`select ${selectList(info.fields, this.ctx.dialect)} from ${info.table} where ${where()}${lock ?? sql``}`);
    const row = result.rows[0];
    return row === undefined ? undefined : (decodeRows([row], info.decoded)[0] as R);
  }

  findMany<R extends object>(args: FindManyArgs<R> & { select?: undefined }): Promise<R[]>;
  findMany<R extends object, K extends keyof R & string>(args: FindManyArgs<R> & { select: readonly K[] }): Promise<Selected<R, K>[]>;
  async findMany<R extends object>(args: FindManyArgs<R>): Promise<Row[]> {
    const info = this.ctx.models.get(args.model);
    checkLimit(args.limit);
    if (args.limit === 0) return [];
    const b = new ShapeBuilder();
    b.key = 'findMany';
    let fields: readonly FieldInfo[] = info.fields;
    let decoded = info.decoded;
    if (args.select !== undefined) {
      const names = new Set(['id', ...args.select]);
      fields = info.fields.filter((f) => names.has(f.name));
      for (const name of names) plainField(info, name);
      decoded = fields.filter((f) => f.decode !== undefined);
      b.key += `s(${fields.map((f) => f.name).join(',')})`;
    }
    const tenant = this.#tenant(info, args.tenantId, b);
    const where = this.ctx.where.compile(info, args.where, b, tenant.param);
    const terms = resolveOrder(info, args.orderBy, b);
    const after = args.after === undefined ? undefined : keysetAfter(terms, args.after, b);
    const limit = args.limit === undefined ? undefined : b.bind(args.limit);
    b.key += limit === undefined ? '' : 'l';
    const result = await this.run(info, b, () => {
      const conditions = [tenant.condition, ...(where ? [where] : []), ...(after ? [after] : [])];
      return sql`select ${selectList(fields, this.ctx.dialect)} from ${info.table} where ${sql.join(
        conditions.map((c) => c()),
        sql` and `,
      )} order by ${orderList(terms, this.ctx.dialect)()}${limit === undefined ? sql`` : sql` limit ${limit()}`}`;
    });
    return decodeRows(result.rows, decoded);
  }

  #filtered(info: ModelInfo, tenant: TenantFilter, where: FindManyArgs['where'], b: ShapeBuilder): Frag {
    const filter = this.ctx.where.compile(info, where, b, tenant.param);
    return filter === undefined ? tenant.condition : () => sql`${tenant.condition()} and ${filter()}`;
  }

  async count<R extends object>(args: CountArgs<R>): Promise<number> {
    const info = this.ctx.models.get(args.model);
    const b = new ShapeBuilder();
    b.key = 'count';
    const where = this.#filtered(info, this.#tenant(info, args.tenantId, b), args.where, b);
    const result = await this.run<{ n: unknown }>(info, b, () => sql`select count(*) as ${sql.id('n')} from ${info.table} where ${where()}`);
    return Number(result.rows[0]?.n ?? 0);
  }

  #set(info: ModelInfo, data: Row, b: ShapeBuilder): Frag | undefined {
    const assignments = encodeAssignments(info, data);
    b.key += `set(${assignments.map((a) => a.field.name).join(',')})`;
    const parts = assignments.map((a) => {
      const param = b.bind(a.value);
      return () => sql`${sql.id(a.field.column)} = ${param()}`;
    });
    if (info.model.versioned) {
      const version = sql.id(plainField(info, 'version').column);
      parts.push(() => sql`${version} = ${version} + 1`);
    }
    if (parts.length === 0) return undefined;
    return () => sql.join(parts.map((p) => p()));
  }

  async update<R extends object>(args: UpdateArgs<R>): Promise<R> {
    const info = this.ctx.models.get(args.model);
    const b = new ShapeBuilder();
    b.key = 'update';
    const set = this.#set(info, args.data as Row, b);
    const where = this.#byId(info, args.tenantId, args.id, b);
    const guard = this.#versionGuard(info, args.expectedVersion, b);
    if (set === undefined) {
      const row = await this.findOne(args);
      if (row === undefined) throw new NotFoundError(info.model.name, args.id);
      return row;
    }
    const result = await this.run(info, b, () => {
      const returning = selectList(info.fields, this.ctx.dialect);
      return sql`update ${info.table} set ${set()} where ${where()}${guard ? sql` and ${guard()}` : sql``} returning ${returning}`;
    });
    const row = result.rows[0];
    if (row === undefined) return this.#missing(info, args.tenantId, args.id, args.expectedVersion);
    return decodeRows([row], info.decoded)[0] as R;
  }

  #versionGuard(info: ModelInfo, expected: number | undefined, b: ShapeBuilder): Frag | undefined {
    if (expected === undefined || !info.model.versioned) return undefined;
    if (!Number.isSafeInteger(expected)) throw ValidationError.single('expectedVersion must be an integer', ['expectedVersion']);
    b.key += 'v';
    const param = b.bind(expected);
    const ref = plainField(info, 'version').ref;
    return () => sql`${ref} = ${param()}`;
  }

  /** Explains why a guarded single-row write touched nothing. */
  async #missing(info: ModelInfo, tenantId: string, id: string, expected: number | undefined): Promise<never> {
    const current = await this.findOne({ model: info.model as ModelDefinition, tenantId, id });
    if (current === undefined || expected === undefined) throw new NotFoundError(info.model.name, id);
    throw new ConflictError(info.model.name, id, expected, Number(current.version));
  }

  async updateMany<R extends object>(args: UpdateManyArgs<R>): Promise<number> {
    const info = this.ctx.models.get(args.model);
    if (args.where === undefined) throw ValidationError.single('updateMany needs a where clause', ['where']);
    const b = new ShapeBuilder();
    b.key = 'updateMany';
    const set = this.#set(info, args.data, b);
    const where = this.#filtered(info, this.#tenant(info, args.tenantId, b), args.where, b);
    if (set === undefined) return this.count(args);
    const result = await this.run(info, b, () => sql`update ${info.table} set ${set()} where ${where()}`);
    return Number(result.numAffectedRows ?? 0n);
  }

  async delete<R extends object>(args: DeleteArgs<R>): Promise<void> {
    const info = this.ctx.models.get(args.model);
    const b = new ShapeBuilder();
    b.key = 'delete';
    const where = this.#byId(info, args.tenantId, args.id, b);
    const guard = this.#versionGuard(info, args.expectedVersion, b);
    const result = await this.run(info, b, () => sql`delete from ${info.table} where ${where()}${guard ? sql` and ${guard()}` : sql``}`);
    if (Number(result.numAffectedRows ?? 0n) === 0) await this.#missing(info, args.tenantId, args.id, args.expectedVersion);
  }

  async deleteMany<R extends object>(args: DeleteManyArgs<R>): Promise<number> {
    const info = this.ctx.models.get(args.model);
    if (args.where === undefined) throw ValidationError.single('deleteMany needs a where clause', ['where']);
    const b = new ShapeBuilder();
    b.key = 'deleteMany';
    const where = this.#filtered(info, this.#tenant(info, args.tenantId, b), args.where, b);
    const result = await this.run(info, b, () => sql`delete from ${info.table} where ${where()}`);
    return Number(result.numAffectedRows ?? 0n);
  }

  async aggregate<R extends object>(args: AggregateArgs<R>): Promise<Row[]> {
    const info = this.ctx.models.get(args.model);
    checkLimit(args.limit);
    const b = new ShapeBuilder();
    b.key = 'aggregate';
    const tenant = this.#tenant(info, args.tenantId, b);
    let where: Frag | undefined = this.#filtered(info, tenant, args.where, b);
    let rows = info;
    let from: Frag = () => info.table;
    if (args.derive !== undefined) {
      const derived = compileDerived(info, args.derive, this.ctx.dialect, where, fieldsReadAfterDerive(args), b);
      rows = derived.info;
      from = derived.from;
      where = this.ctx.where.compile(rows, args.derivedWhere, b, tenant.param);
    } else if (args.derivedWhere !== undefined) {
      throw ValidationError.single('"derivedWhere" needs "derive"', ['derivedWhere']);
    }
    if (args.groupValues !== undefined || args.groupWhere !== undefined || args.regroup !== undefined) {
      const first = planAggregate(rows, { ...args, orderBy: undefined }, this.ctx.dialect, this.ctx.where, b, tenant.param);
      const stage = planGroupStage(first, args, this.ctx.dialect, this.ctx.where, b, tenant.param);
      const filter = where;
      const staged = await this.run(info, b, () => stage.statement(from, filter));
      return stage.rows(staged.rows);
    }
    const plan = planAggregate(rows, args, this.ctx.dialect, this.ctx.where, b, tenant.param);
    const limit = args.limit === undefined ? undefined : b.bind(args.limit);
    b.key += limit === undefined ? '' : 'l';
    const result = await this.run(info, b, () => {
      const groupBy = plan.keys.length === 0 ? sql`` : sql` group by ${sql.join(plan.keys.map((k) => sql.ref(k.alias)))}`;
      const orderBy = plan.orderBy === undefined ? sql`` : sql` order by ${plan.orderBy()}`;
      const filter = where === undefined ? sql`` : sql` where ${where()}`;
      return sql`select ${aggregateSelect(plan)} from ${from()}${filter}${groupBy}${orderBy}${limit ? sql` limit ${limit()}` : sql``}`;
    });
    return aggregateRows(plan, result.rows);
  }

  async claimDue<R extends object>(args: ClaimDueArgs<R>): Promise<R[]> {
    const info = this.ctx.models.get(args.model);
    checkLimit(args.limit);
    if (args.limit === 0) return [];
    const b = new ShapeBuilder();
    b.key = 'claimDue';
    const build = claimDueStatement(info, args, this.ctx, b);
    const result = await this.run(info, b, build);
    const due = plainField(info, args.dueField).name;
    const rows = decodeRows(result.rows, info.decoded);
    // RETURNING order is unspecified; callers expect earliest due first.
    return rows.sort((x, y) => compare(x[due], y[due]) || compare(x.id, y.id)) as R[];
  }

  readLog(args: ReadLogArgs): Promise<LogPage> {
    return readLog(this.ctx, this.db, args);
  }

  logPosition(args: LogPositionArgs): Promise<string> {
    return logPosition(this.ctx, this.db, args);
  }

  async executeSql(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
    if (!this.db.isTransaction && insideTransaction.getStore() === this) throw misuse();
    try {
      const result = await this.ctx.executor.execute(this.db, sql<Row>(strings, ...values).compile(this.db));
      return result.rows;
    } catch (error) {
      throw mapDriverError(error, this.ctx.dialect);
    }
  }

  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    if (insideTransaction.getStore() === this) throw misuse();
    let thrown: { error: unknown } | undefined;
    try {
      return await this.db.transaction().execute(async (trx) => {
        try {
          return await insideTransaction.run(this, () => fn(new KyselyStorage(this.ctx, trx)));
        } catch (error) {
          thrown = { error };
          throw error;
        }
      });
    } catch (error) {
      // The caller's own error is rethrown as is; begin/commit failures are the driver's.
      if (thrown !== undefined && thrown.error === error) throw error;
      throw mapDriverError(error, this.ctx.dialect);
    }
  }
}

function compare(a: unknown, b: unknown): number {
  return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
}
