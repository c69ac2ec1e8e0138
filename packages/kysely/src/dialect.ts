import type { DateBucket, FieldType, Row, SortDirection, StorageCapabilities } from '@crmkit/core';
import type { RawBuilder } from 'kysely';

/** A SQL fragment built with Kysely's `sql` tag. Values inside are bound parameters. */
export type SqlFragment = RawBuilder<unknown>;

/**
 * How a JSON value is read: for a comparison as a number, a string, a boolean
 * (each `NULL` when the stored JSON value has another type, so that a number
 * never compares with a string), or as any value (only tested for `NULL`);
 * for a group key (`aggregate` grouped by `custom.plan`) as `json`: the value
 * itself in the form the dialect's `json` decoder reads (SQLite: its JSON
 * text, so `true` stays apart from `1`; Postgres: `jsonb`), `NULL` when the
 * key is missing or holds JSON null.
 */
export type JsonKind = JsonScalarKind | 'any' | 'json';

/** The kinds of {@link JsonKind} that read a JSON scalar of one type. */
export type JsonScalarKind = 'string' | 'number' | 'boolean';

/**
 * The type of the elements of a list bound as one parameter (see
 * {@link SqlDialect.inList}): a column's field type, or a value inside a JSON
 * field read as `string`, `number` or `boolean` (as {@link SqlDialect.jsonExtract} reads it).
 */
export type ListElementType = FieldType | `json:${JsonScalarKind}`;

/** Converts one field value between its JavaScript form and what the driver binds or returns. */
export type ValueCodec = (value: unknown) => unknown;

/** What a driver error means to crmkit, decided by {@link SqlDialect.classifyError}. */
export type DriverErrorKind =
  /** A unique index or primary key was broken; `columns` are its SQL columns when the driver says. */
  | { kind: 'unique'; columns: string[] }
  /** A transient failure (lock timeout, serialisation failure, lost connection): retrying may succeed. */
  | { kind: 'retryable' }
  /** Anything else. */
  | { kind: 'other' };

/** The pieces of a `claimDue` statement, each already qualified and parameterised. */
export interface ClaimDueParts {
  /** The table (`sql.table`). */
  table: SqlFragment;
  /** The `SET` assignments (lease column, version increment), unqualified columns. */
  set: SqlFragment;
  /** The due-row predicate (tenant, due, lease, extra where). */
  filter: SqlFragment;
  /** The ordering (due then id, ascending). */
  orderBy: SqlFragment;
  /** The row limit, a bound parameter. */
  limit: SqlFragment;
  /** The select list of the claimed rows (same shape as `findMany`). */
  returning: SqlFragment;
  /** The primary-key columns, `tenant_id` then `id`, for dialects that select keys instead of a rowid. */
  primaryKey: SqlFragment;
}

/** A table that is a commit-ordered log, as the {@link LogDialect} hooks see it. */
export interface LogTable {
  /** Its SQL name, unqualified, from which the names of its log objects are made. */
  readonly name: string;
  /** The table, qualified with the dialect's schema. */
  readonly table: SqlFragment;
  /** The `tenant_id` column, unqualified. */
  readonly tenantIdColumn: string;
  /** The `id` column, unqualified. */
  readonly idColumn: string;
  /**
   * An object of crmkit's next to the table (a sequence, a counter table),
   * qualified with the dialect's schema: `ref` to use in SQL, `text` for
   * functions that take a name (`nextval('...')`).
   * @throws {ValidationError} for a name that is not a plain identifier of at most 63 characters.
   */
  object(name: string): { ref: SqlFragment; text: string };
}

/** Runs one statement of a log hook (bound values, the driver's rows) and returns its rows. */
export type LogRunner = (statement: SqlFragment) => Promise<Row[]>;

/** What {@link LogDialect.read} is asked for. */
export interface LogReadParts {
  /** The select list of the requested fields, each aliased to its field name. */
  select: SqlFragment;
  /** The rows to return among those read (the caller's where-tree), qualified columns; the position still passes the others. */
  filter: SqlFragment | undefined;
  /** The position read on from, as the caller gave it (untrusted), or undefined for the beginning. */
  after: string | undefined;
  /** At most this many rows (a positive integer). */
  limit: number;
}

/**
 * How a database keeps a commit-ordered log (`Storage.readLog`). Positions
 * must follow commit order, which a plain auto-increment does not: with
 * concurrent writers a transaction can take a lower number and commit after
 * a reader went past a higher one. A single-writer database can number rows
 * in the writing transaction (`@crmkit/adapter-sqlite`); Postgres orders
 * batches by transaction snapshots (`@crmkit/adapter-postgres`).
 */
export interface LogDialect {
  /**
   * The DDL of an `addLog` migration: the log columns, indexes and counters,
   * and positions for the rows the table already holds, in id order.
   */
  enable(table: LogTable): SqlFragment[];
  /** The log columns every insert into the table sets, in the order of {@link values}. */
  readonly columns: readonly string[];
  /**
   * A statement run before the rows of one `create` / `createMany` call are
   * inserted, in their transaction, reserving `count` (a bound parameter)
   * consecutive positions: one row whose `first` is the first of them.
   * @default none: {@link values} needs no reservation
   */
  reserve?(table: LogTable, count: SqlFragment): SqlFragment;
  /**
   * The values of {@link columns} for one inserted row: `tenantId` is the
   * row's bound tenant, `position` its reserved position (a bound parameter)
   * when {@link reserve} is given.
   */
  values(table: LogTable, tenantId: SqlFragment, position: SqlFragment | undefined): SqlFragment[];
  /**
   * Reads a page: the rows (aliased as in `select`, nothing else) and the
   * position after them, with the guarantees of `Storage.readLog`.
   * @throws {ValidationError} for a position it did not make.
   */
  read(table: LogTable, parts: LogReadParts, run: LogRunner): Promise<{ rows: Row[]; position: string }>;
  /** The position after every row committed now. */
  end(table: LogTable, run: LogRunner): Promise<string>;
}

/**
 * Everything that differs between the databases crmkit runs on. `@crmkit/kysely`
 * builds every statement from these hooks and Kysely's own query compiler
 * (identifier quoting, placeholders), so a new database needs one object
 * implementing this interface, not a fork of the storage code.
 *
 * Hooks that build SQL receive fragments (column references, bound
 * parameters) and must not interpolate anything else than fixed SQL text and
 * the validated JSON path segments they are given. They may use a fragment
 * several times: parameters are tracked by identity, not by position.
 */
export interface SqlDialect {
  /** The capabilities reported by adapters built on this dialect. */
  readonly capabilities: StorageCapabilities;
  /**
   * The schema (namespace) holding crmkit's tables, indexes and migration
   * table. An adapter offering a schema option makes one dialect per instance
   * (`{ ...dialect, schema }`).
   * @default unqualified names: the connection's default schema (Postgres `search_path`)
   */
  readonly schema?: string;
  /**
   * Most rows in one multi-row INSERT of `createMany` (fewer when
   * `capabilities.maxParameters` says so).
   * @default 50
   */
  readonly maxInsertRows?: number;
  /** The DDL type of a column (`TEXT`, `INTEGER`, `jsonb`...). */
  columnType(type: FieldType): string;
  /** A SQL literal used as the default when a non-nullable field is added to an existing table. */
  columnDefault(type: FieldType): string;
  /**
   * The function turning a JavaScript value of this field type into a bindable
   * value (booleans to 0/1, `Date` to ISO text, JSON to text), or `undefined`
   * when values are bound as they are. Receives only non-null values.
   */
  encoder(type: FieldType): ValueCodec | undefined;
  /**
   * The function turning what the driver returns for this field type (as
   * selected by {@link selectColumn}) into crmkit's form, or `undefined` when
   * the driver's value is already right. Receives only non-null values.
   */
  decoder(type: FieldType): ValueCodec | undefined;
  /** The select expression of a column, e.g. a cast that keeps 64-bit integers exact. */
  selectColumn(column: SqlFragment, type: FieldType): SqlFragment;
  /**
   * The value at `path` inside a JSON column, typed as `kind` (see {@link JsonKind}).
   * Binds no parameter (write constants with `sql.lit`): migration data steps print it into scripts.
   */
  jsonExtract(column: SqlFragment, path: readonly string[], kind: JsonKind): SqlFragment;
  /** A predicate: the JSON array at `path` (the column itself when empty) has an element of this kind equal to `value`. */
  jsonHas(column: SqlFragment, path: readonly string[], kind: JsonScalarKind, value: SqlFragment): SqlFragment;
  /**
   * The value binding a whole `in` / `notIn` list as ONE parameter of
   * {@link inList}, e.g. a Postgres array literal or a JSON array for SQLite's
   * `json_each`. `values` are never null and already encoded: by
   * {@link encoder} for a column, and for a JSON path as strings, numbers,
   * bigints or booleans encoded by the `boolean` encoder. Implement both hooks
   * or neither: one shape then serves lists of every length, and a list is not
   * limited by `capabilities.maxParameters`.
   * @default none: one parameter per value, lists limited by `capabilities.maxParameters`
   */
  listParam?(values: readonly unknown[], type: ListElementType): unknown;
  /**
   * A predicate: `expr` equals an element of the list bound as `list` (the
   * value {@link listParam} made), e.g. Postgres `expr = any(list::text[])`,
   * SQLite `expr in (select value from json_each(list))`.
   */
  inList?(expr: SqlFragment, list: SqlFragment, type: ListElementType): SqlFragment;
  /** A predicate: `expr` contains the string `value`, case-sensitive, no wildcards. */
  contains(expr: SqlFragment, value: SqlFragment): SqlFragment;
  /** A predicate: `expr` starts with the string `value`, case-sensitive, no wildcards. */
  startsWith(expr: SqlFragment, value: SqlFragment): SqlFragment;
  /**
   * The first day (`YYYY-MM-DD`, weeks from Monday) of the bucket holding a
   * timestamp or date. `timeZone`, when given, is a bound IANA zone name
   * (already validated by `validateTimeZone`, never `UTC`): a timestamp is
   * bucketed by its local date in that zone, as Postgres'
   * `date_trunc(bucket, expr at time zone zone)` does. It is only given for
   * timestamps; without it the bucket is the UTC one. Conformance part
   * `zonedBuckets` checks every bucket in zones with DST and odd offsets.
   */
  dateBucket(expr: SqlFragment, type: 'timestamp' | 'date', bucket: DateBucket, timeZone?: SqlFragment): SqlFragment;
  /**
   * The instant of a timestamp (or the midnight UTC of a date) as exact
   * integer milliseconds since 1970-01-01T00:00:00Z, NULL for NULL: what
   * `AggregateArgs.derive`'s `difference` subtracts. Postgres:
   * `(extract(epoch from expr) * 1000)::int8`; SQLite computes it from the ISO text.
   */
  epochMilliseconds(expr: SqlFragment, type: 'timestamp' | 'date'): SqlFragment;
  /**
   * The continuous percentile aggregate of `value` over a group, like SQL's
   * `percentile_cont(fraction) within group (order by value)`: the non-null
   * values sorted, position `fraction * (n - 1)`, linear interpolation between
   * the two values around it (`lo + (hi - lo) * (position - floor(position))`),
   * as a double; NULL when no value takes part. `fraction` is a bound parameter
   * already checked to lie in 0..1. `filter`, when given, is a predicate
   * restricting the rows that take part (a metric filter: `FILTER (WHERE ...)`).
   * Postgres: `percentile_cont` natively; SQLite: its `percentile_cont(value, fraction)`
   * (the percentile extension, compiled into better-sqlite3).
   */
  percentile(value: SqlFragment, fraction: SqlFragment, filter: SqlFragment | undefined): SqlFragment;
  /**
   * One ORDER BY term; `NULL` must sort first in `asc` and last in `desc`.
   * `nullable` is false when `expr` is a NOT NULL column, so that a dialect whose
   * default NULL order differs may leave it out and keep index order usable.
   */
  orderTerm(expr: SqlFragment, direction: SortDirection, nullable?: boolean): SqlFragment;
  /**
   * The statement that leases due rows atomically and returns them. SQLite
   * updates `WHERE rowid IN (SELECT ... LIMIT n)`; Postgres would select the
   * keys `FOR UPDATE SKIP LOCKED` so that concurrent workers never wait.
   */
  claimDue(parts: ClaimDueParts): SqlFragment;
  /**
   * A statement run first in the transaction that creates the migration table
   * and in each migration's transaction, serialising concurrent migrators
   * (Postgres: `pg_advisory_xact_lock`). Only used with `transactionalDdl`.
   * @default none: the database serialises DDL itself (SQLite's single writer)
   */
  migrationLock?(): SqlFragment;
  /**
   * A JSON column's value without the key at `path` (migration data steps),
   * binding no parameter. Segments are validated to `[A-Za-z0-9_-]`.
   * @default none: data steps that remove JSON keys are refused
   */
  jsonRemove?(column: SqlFragment, path: readonly string[]): SqlFragment;
  /**
   * A FROM item (a table function, implicitly lateral) yielding one row per
   * element of the JSON array in `column`, named `alias`; a value that is not
   * an array yields none. `element` is the element as a JSON value that
   * {@link jsonExtract} reads paths of, `position` its integer index from 0.
   * Binds no parameter (migration data steps print it into scripts).
   * SQLite: `json_each`; Postgres: `jsonb_array_elements ... with ordinality`.
   * @default none: `expandRows` data steps are refused
   */
  jsonArrayElements?(column: SqlFragment, alias: string): { from: SqlFragment; element: SqlFragment; position: SqlFragment };
  /**
   * The clause a single-row read ends with to lock the row until the
   * transaction ends (`FindOneArgs.forUpdate`), e.g. Postgres `for update`.
   * @default none: the database has one writer, and its write transactions already exclude each other
   */
  rowLock?(): SqlFragment;
  /**
   * An extra index for a `json` field (`name` is the index name to use), or
   * `undefined` for none. Created with the table or when the field is added
   * (Postgres: a GIN index on `custom` and `tags` for containment queries).
   * @default none
   */
  jsonIndex?(name: string, table: SqlFragment, column: SqlFragment, field: string): SqlFragment | undefined;
  /** Classifies a driver error so that it can be mapped to crmkit's typed errors. */
  classifyError(error: unknown): DriverErrorKind;
  /** How models with `log: true` keep their commit order; see {@link LogDialect}. */
  readonly log: LogDialect;
}
