import type { StorageCapabilities } from './capabilities.js';
import type { AggregateArgs } from './aggregate-args.js';
import type { Migration } from './migration.js';
import type { ModelDefinition } from './schema.js';
import type { Where } from './where.js';

/**
 * A row as exchanged with an adapter: field names (not column names) to values.
 * Timestamps are ISO strings, dates `YYYY-MM-DD`, booleans `boolean`, JSON fields
 * parsed values, bigint fields `number` when safe and `bigint` beyond.
 */
export type Row = Record<string, unknown>;

/** The fields `findMany` returns for a `select` of `K`: those and `id` (all of `R` without `select`). */
export type Selected<R extends object, K extends keyof R> = Pick<R, K | ('id' extends keyof R ? 'id' : never)>;

/** Sort direction. */
export type SortDirection = 'asc' | 'desc';

/** One key of an ordering. `NULL` sorts before every value (first in `asc`, last in `desc`). */
export interface OrderTerm {
  /** A field name (JSON paths are not orderable). */
  field: string;
  /** @default 'asc' */
  direction?: SortDirection;
}

/** Identifies the model and the tenant of a call. Every call carries both. `R` is the model's row type. */
export interface ModelScope<R extends object = Row> {
  /** The model definition (from core's schema or the caller's own). */
  model: ModelDefinition<R>;
  /** The tenant whose rows the call may see and change: never more. */
  tenantId: string;
}

/**
 * A row to insert: every field of `R`, except that `tenantId` (the call's),
 * `version` (1) and nullable fields (null) may be left out.
 */
export type NewRow<R extends object> = { [K in keyof R as null extends R[K] ? never : K extends 'tenantId' | 'version' ? never : K]: R[K] } & {
  [K in keyof R as null extends R[K] ? K : K extends 'tenantId' | 'version' ? K : never]?: R[K];
};

/** Arguments of {@link Storage.create}. */
export interface CreateArgs<R extends object = Row> extends ModelScope<R> {
  /** The complete row, including `id`, `createdAt`, `updatedAt` and `version` (set by core). */
  data: NewRow<R>;
}

/** Arguments of {@link Storage.createMany}. */
export interface CreateManyArgs<R extends object = Row> extends ModelScope<R> {
  /** Complete rows. All are written or, on any failure, none. */
  rows: readonly NewRow<R>[];
  /**
   * Whether to read the written rows back.
   * @default false
   */
  returnRows?: boolean;
}

/** Arguments of {@link Storage.findOne}. */
export interface FindOneArgs<R extends object = Row> extends ModelScope<R> {
  /** The record's id. */
  id: string;
  /**
   * Inside a transaction, locks the row until the transaction ends, so that a
   * read-modify-write computes what it writes from the row as it is when
   * written: a concurrent locking read of the same row waits. Databases with a
   * single writer (SQLite) already give write transactions the whole database.
   * Outside a transaction it is a plain read.
   * @default false
   */
  forUpdate?: boolean;
}

/** Arguments of {@link Storage.findMany}. */
export interface FindManyArgs<R extends object = Row> extends ModelScope<R> {
  /** Filter; see {@link Where}. */
  where?: Where;
  /**
   * Ordering. The adapter appends `id` (in the direction of the last term, `asc`
   * when there is none) so that the order is total and keyset cursors are exact.
   */
  orderBy?: readonly OrderTerm[];
  /**
   * Keyset cursor: the values of the last row of the previous page for every
   * `orderBy` field plus `id`. Rows strictly after it in the ordering are returned,
   * so rows inserted between pages are never skipped nor repeated. Anything else
   * (a missing or extra key, a value its field cannot hold, `null` for a field
   * that is not nullable) is a {@link ValidationError}.
   */
  after?: Row;
  /** Maximum number of rows. */
  limit?: number;
  /** Only these fields (plus `id`); all when omitted. */
  select?: readonly (keyof R & string)[];
}

/** Arguments of {@link Storage.count}. */
export interface CountArgs<R extends object = Row> extends ModelScope<R> {
  /** Filter; see {@link Where}. */
  where?: Where;
}

/** Arguments of {@link Storage.update}. */
export interface UpdateArgs<R extends object = Row> extends ModelScope<R> {
  /** The record's id. */
  id: string;
  /** Fields to change. `id`, `tenantId`, `createdAt` and `version` may not be set. */
  data: Partial<R>;
  /**
   * For versioned models: the update happens only if the stored version equals
   * this, else {@link ConflictError}. The version is incremented either way.
   */
  expectedVersion?: number;
}

/** Arguments of {@link Storage.updateMany}. */
export interface UpdateManyArgs<R extends object = Row> extends ModelScope<R> {
  /** Rows to change (required: an accidental update of a whole tenant needs `{}` spelled out). */
  where: Where;
  /** Fields to change; versioned rows get `version + 1`. */
  data: Partial<R>;
}

/** Arguments of {@link Storage.delete}. */
export interface DeleteArgs<R extends object = Row> extends ModelScope<R> {
  /** The record's id. */
  id: string;
  /** As in {@link UpdateArgs.expectedVersion}. */
  expectedVersion?: number;
}

/** Arguments of {@link Storage.deleteMany}. */
export interface DeleteManyArgs<R extends object = Row> extends ModelScope<R> {
  /** Rows to delete (required, as in {@link UpdateManyArgs.where}). */
  where: Where;
}

export {
  dateBuckets,
  type DateBucket,
  type DateBucketKey,
  type GroupKey,
  type AggregateFunction,
  type AggregateMetric,
  type AggregateArgs,
} from './aggregate-args.js';

/** Arguments of {@link Storage.claimDue}. */
export interface ClaimDueArgs<R extends object = Row> {
  /** The model holding due rows (timers, outbox). */
  model: ModelDefinition<R>;
  /** Restricts to one tenant; omitted, workers claim across tenants. */
  tenantId?: string;
  /** The timestamp field holding when a row is due. */
  dueField: string;
  /** The nullable timestamp field holding until when a row is leased. */
  leaseField: string;
  /** Now, as ISO string: rows with due <= now and (no lease or lease <= now) are due. */
  now: string;
  /** Lease end, as ISO string, written into `leaseField` of every claimed row. */
  leaseUntil: string;
  /** At most this many rows, earliest due first. */
  limit: number;
  /** Further filter on the due rows. */
  where?: Where;
}

/** Arguments of {@link Storage.readLog}. */
export interface ReadLogArgs {
  /** A model with `log: true` (see {@link ModelDefinition.log}). */
  model: ModelDefinition;
  /**
   * Where to read on from: the `position` of an earlier {@link LogPage}, or of
   * {@link Storage.logPosition}. Opaque: only the adapter that made it reads it.
   * @default the beginning of the log
   */
  after?: string;
  /** At most this many rows (a positive integer). */
  limit: number;
  /**
   * Only rows matching this tree are returned; the position still moves past
   * the others, so a filtered reader never reads them again.
   */
  where?: Where;
  /** Only these fields (plus `tenantId` and `id`); all when omitted. */
  select?: readonly string[];
}

/** One page of a log, see {@link Storage.readLog}. */
export interface LogPage {
  /**
   * The rows, of every tenant, in commit order: per tenant exactly in the
   * order their transactions committed; across tenants, a row comes after the
   * rows of every transaction that had committed before it was written (only
   * transactions of different tenants that ran at the same time may come in
   * either order). Rows of one transaction come in the order they were
   * inserted. Each row carries its `tenantId`.
   */
  rows: Row[];
  /** The position after this page: pass it as `after` to read on. */
  position: string;
}

/** Arguments of {@link Storage.logPosition}. */
export interface LogPositionArgs {
  /** A model with `log: true`. */
  model: ModelDefinition;
}

/**
 * The data operations of the storage contract. Every method is scoped to one
 * tenant (except {@link claimDue}, which workers use across tenants, and the
 * log reads {@link readLog} and {@link logPosition}), validates
 * field names against the model, and throws crmkit's typed errors, never a raw
 * driver error. Every method throws {@link ValidationError}, before any write,
 * for a value no supported database holds exactly (`storableProblem`), a bad
 * where-tree (`validateWhere`) and inputs beyond `storageLimits`.
 */
export interface Storage {
  /**
   * Inserts one row.
   * @throws {DuplicateError} when a unique index would be broken.
   */
  create<R extends object>(args: CreateArgs<R>): Promise<R>;
  /**
   * Inserts many rows in batches (multi-row INSERT or COPY), atomically: one bad
   * row and nothing is written. Returns the rows when `returnRows` is set, else
   * an empty array.
   * @throws {DuplicateError}
   */
  createMany<R extends object>(args: CreateManyArgs<R>): Promise<R[]>;
  /** Reads one row by id, or `undefined`. */
  findOne<R extends object>(args: FindOneArgs<R>): Promise<R | undefined>;
  /** Reads rows by filter, ordering, keyset cursor and limit. */
  findMany<R extends object>(args: FindManyArgs<R> & { select?: undefined }): Promise<R[]>;
  /** Reads only the `select`ed fields (and `id`) of the rows. */
  findMany<R extends object, K extends keyof R & string>(args: FindManyArgs<R> & { select: readonly K[] }): Promise<Selected<R, K>[]>;
  /** Counts rows matching a filter. */
  count<R extends object>(args: CountArgs<R>): Promise<number>;
  /**
   * Updates one row and returns it as stored.
   * @throws {NotFoundError} when no such row exists in the tenant.
   * @throws {ConflictError} when `expectedVersion` is stale.
   * @throws {DuplicateError}
   */
  update<R extends object>(args: UpdateArgs<R>): Promise<R>;
  /** Updates every matching row; returns how many. */
  updateMany<R extends object>(args: UpdateManyArgs<R>): Promise<number>;
  /**
   * Deletes one row.
   * @throws {NotFoundError}
   * @throws {ConflictError}
   */
  delete<R extends object>(args: DeleteArgs<R>): Promise<void>;
  /** Deletes every matching row; returns how many. */
  deleteMany<R extends object>(args: DeleteManyArgs<R>): Promise<number>;
  /** Groups and aggregates in the database; rows are keyed by group key and metric alias. */
  aggregate<R extends object>(args: AggregateArgs<R>): Promise<Row[]>;
  /**
   * Atomically leases up to `limit` due rows and returns them. Two concurrent
   * callers never receive the same row while its lease runs.
   */
  claimDue<R extends object>(args: ClaimDueArgs<R>): Promise<R[]>;
  /**
   * Reads a commit-ordered log (a model with `log: true`) across tenants: up
   * to `limit` committed rows after `after`, in commit order, and the position
   * to read on from. Following the positions from any start reads every row
   * committed after it exactly once, whatever the concurrency of the writers
   * (also in other processes): a row whose transaction commits late comes in a
   * later page, never before a position already handed out. Fewer rows than
   * `limit` means the page reached the end of what was committed when it was
   * read. Rows written by `create` and `createMany` get their position in the
   * writing transaction; rows rolled back never appear. Updating a row does
   * not move it; deleting one never frees its position for another.
   * @example
   * let position = await storage.logPosition({ model: eventModel });
   * for (;;) {
   *   const page = await storage.readLog({ model: eventModel, after: position, limit: 200 });
   *   for (const row of page.rows) handle(row);
   *   position = page.position;
   *   if (page.rows.length < 200) break;
   * }
   * @throws {ValidationError} for a model that is not a log, a position this adapter did not make,
   * a `limit` that is not a positive integer, and on a transaction handle (a log is read from committed rows only).
   */
  readLog(args: ReadLogArgs): Promise<LogPage>;
  /**
   * The position at the end of a log now: reading from it returns only rows
   * committed later. Where a consumer that must not replay the past starts.
   * @throws {ValidationError} for a model that is not a log, and on a transaction handle.
   */
  logPosition(args: LogPositionArgs): Promise<string>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it
   * throws (the error is rethrown). Inside, use only the `tx` handle. A call on a
   * transaction handle joins the running transaction.
   */
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T>;
  /**
   * Escape hatch for SQL that the contract cannot express, such as enqueueing
   * into a job engine that lives in the same database (graphile-worker's
   * `add_job`) inside the caller's transaction. Called as a tagged template:
   * every interpolated value becomes a bound parameter in the database's own
   * placeholder syntax, never SQL text. Rows come back as the driver returns
   * them (column names, driver types), not decoded like the other methods.
   * Optional: adapters without SQL leave it out, so callers test for it first.
   * @example
   * if (tx.executeSql) await tx.executeSql`select graphile_worker.remove_job(${key})`;
   * @throws {StorageError} (or a subclass) for a failing statement, the driver error as `cause`.
   */
  executeSql?(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]>;
}

/**
 * What an adapter gives crmkit: the data operations plus lifecycle. Adapters
 * are created by their package's factory (`sqliteAdapter()`, `postgresAdapter()`).
 */
export interface StorageAdapter extends Storage {
  /** What the database can do. */
  readonly capabilities: StorageCapabilities;
  /**
   * Applies the migrations not yet recorded in the adapter's `crmkit_migration`
   * table, in id order, each in its own transaction where DDL allows it. Safe to
   * call on every start. Returns the ids applied now.
   */
  migrate(migrations: readonly Migration[]): Promise<string[]>;
  /** The SQL `migrate` would run for these migrations on an empty database. */
  compileMigrations(migrations: readonly Migration[]): string[];
  /** Releases connections and file handles. */
  close(): Promise<void>;
}
