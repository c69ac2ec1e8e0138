import { type DateBucket, type FieldType, type StorageCapabilities, toTimestamp } from '@crmkit/core';
import type { DriverErrorKind, JsonKind, ListElementType, SqlDialect, SqlFragment, ValueCodec } from '@crmkit/kysely';
import { sql } from 'kysely';
import { classifyPostgresError } from './postgres-errors.js';
import { postgresLog } from './postgres-log.js';

const isoTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const encodeTimestamp: ValueCodec = (v) =>
  typeof v === 'string' && isoTimestamp.test(v) ? v : toTimestamp(v as string | Date | number);
const encodeDate: ValueCodec = (v) => (v instanceof Date ? toTimestamp(v).slice(0, 10) : v);
// Bound as text: pg would turn a JS array into a Postgres array literal, not JSON.
const encodeJson: ValueCodec = (v) => JSON.stringify(v);
// Both drivers accept text for int8; a bigint beyond 2^53 must not pass through a double.
const encodeBigint: ValueCodec = (v) => (typeof v === 'bigint' ? v.toString() : v);

/*
 * Both drivers parse results by type OID (type-parsers.ts): int8 and numeric arrive as number or
 * bigint, jsonb parsed, timestamps as ISO text. The decoders below only normalise, and accept the
 * text forms too, so decoding twice is harmless.
 */
const decodeBigint: ValueCodec = (v) => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  const n = Number(v);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(v as string) ? n : BigInt(v as string);
};
const decodeNumber: ValueCodec = (v) => (typeof v === 'number' ? v : Number(v));
// Already parsed by the driver. Defined all the same: a field with a decoder reads back as written in `create`.
const decodeJson: ValueCodec = (v) => v;

/** A `text[]` path literal; core validates segments to `[A-Za-z0-9_-]`, so no quoting is needed. */
function jsonPath(path: readonly string[]): SqlFragment {
  return sql.lit(`{${path.join(',')}}`);
}

/** The Postgres element type of a bound list; JSON numbers compare as numeric, like jsonExtract reads them. */
const listTypes: Record<ListElementType, string> = {
  string: 'text', text: 'text', integer: 'int8', bigint: 'int8', number: 'float8', boolean: 'bool',
  timestamp: 'timestamptz', date: 'date', json: 'jsonb', 'json:string': 'text', 'json:number': 'numeric', 'json:boolean': 'bool',
};

/**
 * A list as the text of a Postgres array literal, `{"a","b"}`, bound as one
 * parameter and cast by `inList`. Every element is quoted, so no value is ever
 * read as NULL or as array syntax; both drivers send it as plain text.
 */
function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const text = typeof v === 'string' ? v : String(v);
    if (i > 0) out += ',';
    out += `"${text.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

const bucketUnits: Record<DateBucket, string> = { day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year' };

/** The capabilities of PostgreSQL (server or PGlite). */
export const postgresCapabilities: StorageCapabilities = Object.freeze({
  name: 'postgres',
  jsonPaths: true,
  returning: true,
  skipLocked: true,
  multipleConnections: true,
  transactionalDdl: true,
  maxParameters: 65535,
});

/**
 * crmkit's {@link SqlDialect} for PostgreSQL: `timestamptz`, `date`, `bigint`,
 * `double precision`, `boolean` and `jsonb` columns. Columns are selected as
 * they are, and the adapter's drivers (`PgDriver`, `PgliteDriver`) parse them
 * by type OID with crmkit's own parsers on every query, so a host's pool with
 * custom parsers and PGlite read back exactly what pg does. With another
 * driver, results must come in those forms (see `type-parsers.ts`). Logs are
 * read in snapshot batches (see `postgresLog`).
 */
export const postgresDialect: SqlDialect = {
  capabilities: postgresCapabilities,
  // Far above the 50 rows tuned for SQLite: a Postgres round trip costs more than a SQLite call. Not yet benchmarked.
  maxInsertRows: 500,
  columnType(type: FieldType): string {
    switch (type) {
      case 'string':
      case 'text':
        return 'text';
      // "A safe JavaScript integer" reaches 2^53: int4 would overflow.
      case 'integer':
      case 'bigint':
        return 'bigint';
      case 'number':
        return 'double precision';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'timestamptz';
      case 'date':
        return 'date';
      case 'json':
        return 'jsonb';
    }
  },
  columnDefault(type: FieldType): string {
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'number':
        return '0';
      case 'boolean':
        return 'false';
      case 'timestamp':
        return "'1970-01-01T00:00:00.000Z'";
      case 'date':
        return "'1970-01-01'";
      case 'json':
        return "'null'::jsonb";
      default:
        return "''";
    }
  },
  encoder(type: FieldType): ValueCodec | undefined {
    if (type === 'timestamp') return encodeTimestamp;
    if (type === 'date') return encodeDate;
    if (type === 'json') return encodeJson;
    if (type === 'bigint' || type === 'integer') return encodeBigint;
    return undefined;
  },
  decoder(type: FieldType): ValueCodec | undefined {
    if (type === 'json') return decodeJson;
    if (type === 'bigint') return decodeBigint;
    // Integers are int8 (and count(*) is int8); a sum of int8 is numeric, kept exact as bigint beyond 2^53.
    if (type === 'integer' || type === 'number') return decodeNumber;
    return undefined;
  },
  // Plain columns: formatting timestamps with to_char and casting jsonb to text on the server cost
  // more per row than parsing their output text in the driver (see type-parsers.ts).
  selectColumn(column: SqlFragment): SqlFragment {
    return column;
  },
  jsonExtract(column: SqlFragment, path: readonly string[], kind: JsonKind): SqlFragment {
    const p = jsonPath(path);
    switch (kind) {
      case 'any':
      case 'json':
        // A JSON null counts as missing, as the contract's isNull says.
        return sql`nullif(${column} #> ${p}, 'null'::jsonb)`;
      case 'number':
        // numeric, not double: integers in JSON beyond 2^53 still compare exactly.
        return sql`(case when jsonb_typeof(${column} #> ${p}) = 'number' then (${column} #>> ${p})::numeric end)`;
      case 'string':
        return sql`(case when jsonb_typeof(${column} #> ${p}) = 'string' then ${column} #>> ${p} end)`;
      case 'boolean':
        return sql`(case when jsonb_typeof(${column} #> ${p}) = 'boolean' then (${column} #>> ${p})::boolean end)`;
    }
  },
  jsonHas(column, path, kind, value): SqlFragment {
    const source = path.length === 0 ? column : sql`${column} #> ${jsonPath(path)}`;
    // @> on the column itself can use the GIN index on custom / tags; the typed value keeps 1 and '1' apart.
    const element =
      kind === 'number' ? sql`to_jsonb(${value}::numeric)` : kind === 'boolean' ? sql`to_jsonb(${value}::boolean)` : sql`to_jsonb(${value}::text)`;
    return sql`(jsonb_typeof(${source}) = 'array' and ${source} @> jsonb_build_array(${element}))`;
  },
  jsonRemove: (column, path) => sql`(${column} #- ${jsonPath(path)})`,
  // jsonb_array_elements raises on a scalar; ordinality counts from 1.
  jsonArrayElements: (column, alias) => ({
    from: sql`jsonb_array_elements(case when jsonb_typeof(${column}) = 'array' then ${column} else '[]'::jsonb end) with ordinality as ${sql.id(alias)}(${sql.id('value')}, ${sql.id('position')})`,
    element: sql.id(alias, 'value'),
    position: sql`(${sql.id(alias, 'position')} - 1)`,
  }),
  listParam: (values) => arrayLiteral(values),
  // = any(array) is one plan for every length, and the planner turns it into an index scan
  // over the array's elements, as it does for `in (...)`.
  inList: (expr, list, type) => sql`${expr} = any(${list}::${sql.raw(listTypes[type])}[])`,
  contains: (expr, value) => sql`strpos(${expr}, ${value}::text) > 0`,
  startsWith: (expr, value) => sql`starts_with(${expr}, ${value}::text)`,
  dateBucket(expr, type, unit, timeZone) {
    // ::text picks timezone(text, timestamptz) over its interval overload for the bound zone.
    const zone = timeZone === undefined ? sql`'UTC'` : sql`${timeZone}::text`;
    const local = type === 'timestamp' ? sql`${expr} at time zone ${zone}` : sql`${expr}::timestamp`;
    return sql`to_char(date_trunc(${sql.lit(bucketUnits[unit])}, ${local}), 'YYYY-MM-DD')`;
  },
  // extract(epoch) is numeric since Postgres 14: exact milliseconds, no float on the way.
  epochMilliseconds: (expr, type) =>
    type === 'date' ? sql`(extract(epoch from ${expr}::timestamp) * 1000)::int8` : sql`(extract(epoch from ${expr}) * 1000)::int8`,
  // The cast picks the scalar overload (percentile_cont also takes an array of fractions);
  // int8 and float8 columns are ordered as float8 by the implicit cast.
  percentile(value, fraction, filter) {
    const call = sql`percentile_cont(${fraction}::float8) within group (order by ${value})`;
    return filter === undefined ? call : sql`${call} filter (where ${filter})`;
  },
  // Postgres sorts NULL last in asc; the contract wants it first. A NOT NULL column keeps
  // the plain form so that B-tree indexes (built with the default NULL order) serve the sort.
  orderTerm(expr, direction, nullable = true) {
    if (direction === 'desc') return nullable ? sql`${expr} desc nulls last` : sql`${expr} desc`;
    return nullable ? sql`${expr} asc nulls first` : sql`${expr} asc`;
  },
  // GIN cannot lead with tenant_id without the btree_gin extension, which hosts cannot always
  // install; jsonb_path_ops serves the @> containment that `has` and JSON equality compile to.
  jsonIndex: (name, table, column, field) =>
    field === 'custom' || field === 'tags' ? sql`create index ${sql.id(name)} on ${table} using gin (${column} jsonb_path_ops)` : undefined,
  rowLock: () => sql` for update`,
  claimDue: (p) =>
    sql`update ${p.table} set ${p.set} where (${p.primaryKey}) in (select ${p.primaryKey} from ${p.table} where ${p.filter} order by ${p.orderBy} limit ${p.limit} for update skip locked) returning ${p.returning}`,
  classifyError: (error: unknown): DriverErrorKind => classifyPostgresError(error),
  log: postgresLog,
};
