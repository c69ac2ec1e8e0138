// A complete crmkit storage adapter for PostgreSQL in one file: a SqlDialect for
// @crmkit/kysely on Kysely's own PostgresDialect. It passes the whole conformance
// suite (see packages/adapters-postgres/test/writing-an-adapter.test.ts).
import { type StorageAdapter, ValidationError } from '@crmkit/core';
import { type LogDialect, type LogTable, type SqlDialect, createKyselyStorage } from '@crmkit/kysely';
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

// The commit-ordered log (Storage.readLog): numbers from a sequence taken under one
// transaction-level advisory lock, held until commit. The writers of a log thus commit one at a
// time, in number order, and a reader reads on from the last number it saw. Simple, but it
// serialises every writing transaction; @crmkit/adapter-postgres reads snapshot batches instead.
const seq = sql.id('crmkit_log_seq');
const sequence = (t: LogTable) => t.object(`${t.name}_log_sequence`);
const committed = async (t: LogTable, run: Parameters<LogDialect['end']>[1]) =>
  String((await run(sql`select coalesce(max(${seq}), 0)::text as n from ${t.table}`))[0]!.n);
const log: LogDialect = {
  columns: ['crmkit_log_seq'],
  enable: (t) => [
    sql`alter table ${t.table} add column ${seq} bigint`,
    sql`create sequence ${sequence(t).ref}`,
    sql`update ${t.table} set ${seq} = o.n from (select tenant_id, id, row_number() over (order by id, tenant_id) as n from ${t.table}) o
      where ${sql.id(t.name, 'tenant_id')} = o.tenant_id and ${sql.id(t.name, 'id')} = o.id`,
    sql`select setval(${sql.lit(sequence(t).text)}, (select coalesce(max(${seq}), 0) + 1 from ${t.table}), false)`,
    sql`alter table ${t.table} alter column ${seq} set not null`,
    sql`create unique index ${sql.id(`${t.name}_log_seq`)} on ${t.table} (${seq})`,
  ],
  values: (t) => [sql`(select nextval(${sql.lit(sequence(t).text)}) from (select pg_advisory_xact_lock(${sql.lit(0x63726d6c)})) l)`],
  async read(t, { select, filter, after, limit }, run) {
    if (after !== undefined && !/^\d{1,19}$/.test(after)) throw ValidationError.single('"after" is not a log position', ['after']);
    // Every number up to the highest visible one is committed (or rolled back): its writer held the lock after them.
    const end = await committed(t, run);
    const rows = await run(sql`select ${select}, ${seq}::text as _seq from ${t.table} where ${seq} > ${after ?? '0'}::bigint and ${seq} <= ${end}::bigint
      ${filter ? sql`and ${filter}` : sql``} order by ${seq} limit ${limit}`);
    const position = rows.length === limit ? String(rows.at(-1)!._seq) : end;
    for (const row of rows) delete row._seq;
    return { rows, position };
  },
  end: committed,
};

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
      // As text, the form its json decoder parses.
      : kind === 'json' ? sql`(nullif(${c} #> ${path(p)}, 'null'))::text`
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
  dateBucket: (e, type, unit, zone) =>
    sql`to_char(date_trunc(${sql.lit(unit)}, ${type === 'date' ? sql`${e}::timestamp` : sql`${e} at time zone ${zone === undefined ? sql`'UTC'` : sql`${zone}::text`}`}), 'YYYY-MM-DD')`,
  epochMilliseconds: (e, type) => sql`(extract(epoch from ${type === 'date' ? sql`${e}::timestamp` : e}) * 1000)::int8`,
  percentile: (e, p, filter) => sql`percentile_cont(${p}::float8) within group (order by ${e})${filter ? sql` filter (where ${filter})` : sql``}`,
  // For the expandRows migration step: one row per element of a JSON array, with its 0-based position.
  jsonArrayElements: (c, alias) => ({
    from: sql`jsonb_array_elements(case when jsonb_typeof(${c}) = 'array' then ${c} else '[]'::jsonb end) with ordinality as ${sql.id(alias)}(${sql.id('value')}, ${sql.id('position')})`,
    element: sql.id(alias, 'value'),
    position: sql`(${sql.id(alias, 'position')} - 1)`,
  }),
  orderTerm: (e, direction) => (direction === 'desc' ? sql`${e} desc nulls last` : sql`${e} asc nulls first`),
  rowLock: () => sql` for update`,
  claimDue: (p) => sql`update ${p.table} set ${p.set} where (${p.primaryKey}) in (select ${p.primaryKey} from ${p.table} where ${p.filter} order by ${p.orderBy} limit ${p.limit} for update skip locked) returning ${p.returning}`,
  classifyError: (error) => {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === '23505') return { kind: 'unique', columns: /^Key \((.+?)\)=/.exec(detail ?? '')?.[1]!.split(', ') ?? [] };
    return code === '40001' || code === '40P01' ? { kind: 'retryable' } : { kind: 'other' };
  },
  log,
};

/** A crmkit storage adapter on a pg pool; `close()` ends the pool. */
export function minimalPostgresAdapter(pool: Pool): StorageAdapter {
  return createKyselyStorage({ db: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), dialect });
}
