import { type DateBucket, type FieldType, type StorageCapabilities, toTimestamp } from '@crmkit/core';
import type { DriverErrorKind, JsonKind, ListElementType, SqlDialect, SqlFragment, ValueCodec } from '@crmkit/kysely';
import { sql } from 'kysely';
import { sqliteLog } from './sqlite-log.js';

const isoTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Checking the canonical form first skips a Date round trip for what core already normalised.
const encodeTimestamp: ValueCodec = (v) =>
  typeof v === 'string' && isoTimestamp.test(v) ? v : toTimestamp(v as string | Date | number);
const encodeDate: ValueCodec = (v) => (v instanceof Date ? toTimestamp(v).slice(0, 10) : v);
const encodeBoolean: ValueCodec = (v) => (v === true ? 1 : v === false ? 0 : v);
const encodeJson: ValueCodec = (v) => JSON.stringify(v);

const decodeBoolean: ValueCodec = (v) => v !== 0;
// Empty tags and custom objects are the common case; skipping the parser for them is measurable in bulk reads.
const decodeJson: ValueCodec = (v) => (v === '[]' ? [] : v === '{}' ? {} : JSON.parse(v as string));
/** 64-bit integers are selected as text (see selectColumn) so that none loses precision. */
const decodeBigint: ValueCodec = (v) => {
  if (typeof v !== 'string') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(v) ? n : BigInt(v);
};

/**
 * A list as the JSON array `json_each` reads. Values are already encoded (text,
 * 0/1, numbers); bigints are written as JSON integers, which SQLite reads as
 * 64-bit integers, and JSON.stringify writes every finite double exactly.
 */
function jsonList(values: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
  }
  return `${out}]`;
}

/** SQLite JSON path with every key quoted; segments are validated by core to `[A-Za-z0-9_-]`. */
function jsonPath(path: readonly string[]): SqlFragment {
  return sql.lit(`$${path.map((s) => `."${s}"`).join('')}`);
}

function bucket(expr: SqlFragment, unit: DateBucket): SqlFragment {
  // Timestamps are stored as ISO UTC text, so the first 10 characters are the UTC day.
  const day = sql`substr(${expr}, 1, 10)`;
  switch (unit) {
    case 'day':
      return day;
    case 'week':
      // 'weekday 0' moves forward to Sunday (or stays); six days back is that week's Monday.
      return sql`date(${day}, 'weekday 0', '-6 days')`;
    case 'month':
      return sql`substr(${expr}, 1, 7) || '-01'`;
    case 'quarter':
      return sql`substr(${expr}, 1, 5) || (case (cast(substr(${expr}, 6, 2) as integer) + 2) / 3 when 1 then '01' when 2 then '04' when 3 then '07' else '10' end) || '-01'`;
    case 'year':
      return sql`substr(${expr}, 1, 4) || '-01-01'`;
  }
}

function uniqueColumns(message: string): string[] {
  const match = /constraint failed: (.*)$/.exec(message);
  if (match === null || match[1]!.startsWith('index ')) return [];
  return match[1]!.split(',').map((part) => part.trim().split('.').pop()!);
}

/** The capabilities of a better-sqlite3 database. */
export const sqliteCapabilities: StorageCapabilities = Object.freeze({
  name: 'sqlite',
  jsonPaths: true,
  returning: true,
  skipLocked: false,
  multipleConnections: false,
  transactionalDdl: true,
  maxParameters: 32766,
});

/**
 * crmkit's {@link SqlDialect} for SQLite: text timestamps and dates, 0/1
 * booleans, JSON as text queried with the JSON1 functions, `claimDue` as a
 * single `UPDATE ... WHERE rowid IN (...) RETURNING`, which SQLite's single
 * writer makes atomic, and logs numbered by a counter in the writing
 * transaction (see `sqliteLog`).
 */
export const sqliteDialect: SqlDialect = {
  capabilities: sqliteCapabilities,
  // One cached single-row INSERT per row inside the transaction: on the
  // 29-column contact table it ran at 16-17.5k rows/s against 11k for 50-row
  // statements (npm run bench, docs/performance.md).
  maxInsertRows: 1,
  columnType(type: FieldType): string {
    if (type === 'integer' || type === 'bigint' || type === 'boolean') return 'integer';
    if (type === 'number') return 'real';
    return 'text';
  },
  columnDefault(type: FieldType): string {
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'number':
      case 'boolean':
        return '0';
      case 'timestamp':
        return "'1970-01-01T00:00:00.000Z'";
      case 'date':
        return "'1970-01-01'";
      case 'json':
        return "'null'";
      default:
        return "''";
    }
  },
  encoder(type: FieldType): ValueCodec | undefined {
    if (type === 'boolean') return encodeBoolean;
    if (type === 'timestamp') return encodeTimestamp;
    if (type === 'date') return encodeDate;
    if (type === 'json') return encodeJson;
    return undefined;
  },
  decoder(type: FieldType): ValueCodec | undefined {
    if (type === 'boolean') return decodeBoolean;
    if (type === 'json') return decodeJson;
    if (type === 'bigint') return decodeBigint;
    return undefined;
  },
  selectColumn(column: SqlFragment, type: FieldType): SqlFragment {
    return type === 'bigint' ? sql`cast(${column} as text)` : column;
  },
  jsonExtract(column: SqlFragment, path: readonly string[], kind: JsonKind): SqlFragment {
    const p = jsonPath(path);
    switch (kind) {
      case 'any':
        return sql`json_extract(${column}, ${p})`;
      case 'json':
        // The value as JSON text (so true stays true, not 1), JSON null as NULL like a missing key.
        return sql`nullif(${column} -> ${p}, 'null')`;
      case 'number':
        return sql`(case when json_type(${column}, ${p}) in ('integer', 'real') then json_extract(${column}, ${p}) end)`;
      case 'string':
        return sql`(case when json_type(${column}, ${p}) = 'text' then json_extract(${column}, ${p}) end)`;
      case 'boolean':
        return sql`(case json_type(${column}, ${p}) when 'true' then 1 when 'false' then 0 end)`;
    }
  },
  jsonHas(column, path, kind, value): SqlFragment {
    const source = path.length === 0 ? sql`json_each(${column})` : sql`json_each(${column}, ${jsonPath(path)})`;
    const type =
      kind === 'number' ? sql`type in ('integer', 'real')` : kind === 'boolean' ? sql`type in ('true', 'false')` : sql`type = 'text'`;
    return sql`exists (select 1 from ${source} where ${type} and value = ${value})`;
  },
  jsonRemove: (column, path) => sql`json_remove(${column}, ${jsonPath(path)})`,
  // json_each of a scalar yields the scalar itself: anything but an array expands to nothing.
  jsonArrayElements: (column, alias) => ({
    from: sql`json_each(case when json_type(${column}) = 'array' then ${column} else '[]' end) as ${sql.id(alias)}`,
    element: sql.id(alias, 'value'),
    position: sql.id(alias, 'key'),
  }),
  listParam: (values: readonly unknown[], _type: ListElementType) => jsonList(values),
  // json_each yields each element with its SQLite type (text, integer, real), so the comparison
  // is the one `expr = ?` makes; SQLite materialises the list once and probes it, or seeks an index with it.
  inList: (expr, list) => sql`${expr} in (select value from json_each(${list}))`,
  contains: (expr, value) => sql`instr(${expr}, ${value}) > 0`,
  // substr and length count characters, not bytes, so this is right for any unicode text.
  startsWith: (expr, value) => sql`substr(${expr}, 1, length(${value})) = ${value}`,
  // SQLite has no time-zone database: zoned buckets call crmkit_zoned_bucket, a deterministic
  // JavaScript function the adapter registers on its connection (sqlite-functions.ts).
  dateBucket: (expr, _type, unit, timeZone) =>
    timeZone === undefined ? bucket(expr, unit) : sql`crmkit_zoned_bucket(${expr}, ${sql.lit(unit)}, ${timeZone})`,
  // Timestamps are stored as canonical ISO text (YYYY-MM-DDTHH:MM:SS.sssZ), dates as YYYY-MM-DD
  // (julianday reads them as midnight). SQLite keeps a julian day as integer milliseconds and
  // returns it as a double, whose error near 2.46e6 days is about 1e-5 ms: rounding gives the
  // exact millisecond (checked on a million random instants of years 1 to 9999), and the cast
  // keeps the integer the contract promises. Twice as fast as strftime('%s') plus the ms digits.
  epochMilliseconds: (expr) => sql`cast(round((julianday(${expr}) - 2440587.5) * 86400000) as integer)`,
  // SQLite's percentile extension (SQLITE_ENABLE_PERCENTILE, compiled into better-sqlite3 12)
  // interpolates exactly as Postgres does; it reads the fraction from 0 to 1 like the standard.
  percentile(value, fraction, filter) {
    const call = sql`percentile_cont(${value}, ${fraction})`;
    return filter === undefined ? call : sql`${call} filter (where ${filter})`;
  },
  // SQLite already sorts NULL first in asc and last in desc, as the contract wants.
  orderTerm: (expr, direction) => (direction === 'desc' ? sql`${expr} desc` : sql`${expr} asc`),
  claimDue: (p) =>
    sql`update ${p.table} set ${p.set} where rowid in (select rowid from ${p.table} where ${p.filter} order by ${p.orderBy} limit ${p.limit}) returning ${p.returning}`,
  classifyError(error: unknown): DriverErrorKind {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return { kind: 'other' };
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return { kind: 'unique', columns: uniqueColumns((error as Error).message) };
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'retryable' };
    return { kind: 'other' };
  },
  log: sqliteLog,
};
