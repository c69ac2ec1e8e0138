// A complete crmkit storage adapter for PostgreSQL in one file: a SqlDialect for
// @crmkit/kysely on Kysely's own PostgresDialect. It passes the whole conformance
// suite (see packages/adapters-postgres/test/writing-an-adapter.test.ts).
import type { StorageAdapter } from '@crmkit/core';
import { type SqlDialect, createKyselyStorage } from '@crmkit/kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Pool } from 'pg';

const types: Record<string, string> = {
  string: 'text', text: 'text', integer: 'bigint', bigint: 'bigint', number: 'double precision',
  boolean: 'boolean', timestamp: 'timestamptz', date: 'date', json: 'jsonb',
};
const listTypes: Record<string, string> = { ...types, integer: 'int8', bigint: 'int8', 'json:string': 'text', 'json:number': 'numeric', 'json:boolean': 'boolean' };
const toNumber = (v: unknown) => Number(v);
const toBigint = (v: unknown) => (Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v as string));
const path = (p: readonly string[]) => sql.lit(`{${p.join(',')}}`);

const dialect: SqlDialect = {
  capabilities: { name: 'minimal-postgres', jsonPaths: true, returning: true, skipLocked: true, multipleConnections: true, transactionalDdl: true, maxParameters: 65535 },
  columnType: (type) => types[type]!,
  columnDefault: (type) => ({ timestamp: "'1970-01-01Z'", date: "'1970-01-01'", json: "'null'", boolean: 'false', string: "''", text: "''" })[type as string] ?? '0',
  encoder: (type) => (type === 'json' ? (v) => JSON.stringify(v) : type === 'bigint' || type === 'integer' ? (v) => String(v) : undefined),
  decoder: (type) => (type === 'json' ? (v) => JSON.parse(v as string) : type === 'bigint' ? toBigint : type === 'integer' || type === 'number' ? toNumber : undefined),
  selectColumn: (c, type) =>
    type === 'timestamp' ? sql`to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : type === 'date' ? sql`to_char(${c}, 'YYYY-MM-DD')` : type === 'bigint' || type === 'json' ? sql`${c}::text` : c,
  jsonExtract: (c, p, kind) =>
    kind === 'any' ? sql`nullif(${c} #> ${path(p)}, 'null')`
      : sql`(case when jsonb_typeof(${c} #> ${path(p)}) = ${sql.lit(kind)} then (${c} #>> ${path(p)})::${sql.raw(kind === 'number' ? 'numeric' : kind === 'boolean' ? 'boolean' : 'text')} end)`,
  jsonHas: (c, p, kind, value) => {
    const cast = sql.raw(kind === 'number' ? 'numeric' : kind === 'boolean' ? 'boolean' : 'text');
    const source = p.length === 0 ? c : sql`${c} #> ${path(p)}`;
    return sql`(jsonb_typeof(${source}) = 'array' and ${source} @> jsonb_build_array(to_jsonb(${value}::${cast})))`;
  },
  jsonRemove: (c, p) => sql`(${c} #- ${path(p)})`,
  // A whole in-list as one array parameter (pg serialises a JS array), so any length fits one statement.
  listParam: (values) => values.map(String),
  inList: (e, list, type) => sql`${e} = any(${list}::${sql.raw(listTypes[type]!)}[])`,
  contains: (e, v) => sql`strpos(${e}, ${v}::text) > 0`,
  startsWith: (e, v) => sql`starts_with(${e}, ${v}::text)`,
  dateBucket: (e, type, unit) => sql`to_char(date_trunc(${sql.lit(unit)}, ${type === 'date' ? sql`${e}::timestamp` : sql`${e} at time zone 'UTC'`}), 'YYYY-MM-DD')`,
  orderTerm: (e, direction) => (direction === 'desc' ? sql`${e} desc nulls last` : sql`${e} asc nulls first`),
  rowLock: () => sql` for update`,
  claimDue: (p) => sql`update ${p.table} set ${p.set} where (${p.primaryKey}) in (select ${p.primaryKey} from ${p.table} where ${p.filter} order by ${p.orderBy} limit ${p.limit} for update skip locked) returning ${p.returning}`,
  classifyError: (error) => {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === '23505') return { kind: 'unique', columns: /^Key \((.+?)\)=/.exec(detail ?? '')?.[1]!.split(', ') ?? [] };
    return code === '40001' || code === '40P01' ? { kind: 'retryable' } : { kind: 'other' };
  },
};

/** A crmkit storage adapter on a pg pool; `close()` ends the pool. */
export function minimalPostgresAdapter(pool: Pool): StorageAdapter {
  return createKyselyStorage({ db: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), dialect });
}
