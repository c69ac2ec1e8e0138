import { type AggregateArgs, type FieldType, type Row, ValidationError, dateBuckets, resolveFieldRef, validateTimeZone } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect, SqlFragment, ValueCodec } from './dialect.js';
import { compileMetric } from './metric.js';
import type { ModelInfo } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';
import type { WhereCompiler } from './where-compiler.js';


/** One output column of an aggregate: internal SQL alias, public name, decoder. */
export interface Output {
  readonly alias: string;
  readonly name: string;
  readonly select: Frag;
  /** The expression before `selectColumn`, for statements that read the column again (group stages). */
  readonly raw: Frag;
  /** The column's type as group stages read it; undefined for JSON path keys, which they refuse. */
  readonly type: FieldType | undefined;
  readonly decode: ValueCodec | undefined;
}

/** A compiled aggregate: the statement parts and how to turn its rows into result rows. */
export interface AggregatePlan {
  readonly keys: readonly Output[];
  readonly metrics: readonly Output[];
  readonly orderBy: Frag | undefined;
}

/**
 * Compiles the grouping keys, metrics and ordering of an aggregate. Columns get
 * internal aliases (`__k0`, `__m0`) so that no caller-chosen name ever reaches SQL.
 * `tenant` is the statement's bound tenant id, scoping sub-queries of metric filters.
 *
 * @throws {ValidationError} for unknown fields, functions, buckets or order keys.
 */
export function planAggregate(
  info: ModelInfo,
  args: AggregateArgs<object>,
  dialect: SqlDialect,
  where: WhereCompiler,
  b: ShapeBuilder,
  tenant: Frag,
): AggregatePlan {
  const keys = (args.groupBy ?? []).map((key, i): Output => {
    const alias = `__k${i}`;
    if (typeof key === 'string') {
      const ref = resolveFieldRef(info.model, key);
      const field = info.byName.get(ref.field)!;
      b.key += `g(${key})`;
      if (ref.path.length > 0) {
        const raw: Frag = () => dialect.jsonExtract(field.ref, ref.path, 'json');
        return { alias, name: key, select: raw, raw, type: undefined, decode: dialect.decoder('json') };
      }
      return { alias, name: key, select: () => dialect.selectColumn(field.ref, field.type), raw: () => field.ref, type: field.type, decode: field.decode };
    }
    const ref = resolveFieldRef(info.model, key.field);
    const field = info.byName.get(ref.field)!;
    if (ref.path.length > 0 || (field.type !== 'timestamp' && field.type !== 'date')) {
      throw ValidationError.single(`${info.model.name}.${key.field} is not a timestamp or date field`, ['groupBy', i]);
    }
    if (!(dateBuckets as readonly string[]).includes(key.bucket)) {
      throw ValidationError.single(`Unknown date bucket ${JSON.stringify(key.bucket)}`, ['groupBy', i]);
    }
    const type = field.type;
    const zone = key.timeZone === undefined ? 'UTC' : validateTimeZone(key.timeZone, ['groupBy', i, 'timeZone']);
    // UTC keeps the plain bucket (no zone conversion per row); a date is a calendar day in every zone.
    const timeZone = zone === 'UTC' || type === 'date' ? undefined : b.bind(zone);
    b.key += `g(${key.field}/${key.bucket}${timeZone === undefined ? '' : '/tz'})`;
    const raw: Frag = () => dialect.dateBucket(field.ref, type, key.bucket, timeZone?.());
    return { alias, name: key.as, select: raw, raw, type: 'string', decode: undefined };
  });

  const metrics = Object.entries(args.metrics).map(([name, metric], i): Output => {
    const { call, type } = compileMetric(info, metric, dialect, (filter) => where.compile(info, filter, b, tenant), b, ['metrics', name]);
    return {
      alias: `__m${i}`,
      name,
      select: () => dialect.selectColumn(call(), type),
      raw: call,
      type,
      decode: dialect.decoder(type),
    };
  });

  const names = new Map<string, Output>();
  for (const o of [...keys, ...metrics]) {
    if (names.has(o.name)) throw ValidationError.single(`Duplicate aggregate column ${JSON.stringify(o.name)}`);
    names.set(o.name, o);
  }
  let orderBy: Frag | undefined;
  if (args.orderBy !== undefined && args.orderBy.length > 0) {
    const terms = args.orderBy.map((term) => {
      const output = names.get(term.key);
      if (output === undefined) throw ValidationError.single(`Cannot order by ${JSON.stringify(term.key)}: not a group key or metric`, ['orderBy']);
      const direction = term.direction ?? 'asc';
      b.key += `o(${output.alias} ${direction})`;
      return { output, direction };
    });
    // A column the dialect selects in another type (SQLite selects 64-bit integers and sums as
    // text to keep their precision) is ordered by its raw expression, else it would sort as text.
    // Keys selected as they are (date buckets, JSON paths) are ordered by alias: their expression
    // binds parameters, and Postgres only matches an ORDER BY to the GROUP BY expression textually.
    orderBy = () => sql.join(terms.map((t) => dialect.orderTerm(t.output.select === t.output.raw ? sql.ref(t.output.alias) : t.output.raw(), t.direction)));
  }
  return { keys, metrics, orderBy };
}

/** The select list of a plan. */
export function aggregateSelect(plan: AggregatePlan): SqlFragment {
  const outputs = [...plan.keys, ...plan.metrics];
  return sql.join(outputs.map((o) => sql`${o.select()} as ${sql.id(o.alias)}`));
}

/** Renames the internal aliases of result rows to the caller's names and decodes values. */
export function aggregateRows(plan: AggregatePlan, rows: readonly Row[]): Row[] {
  const outputs = [...plan.keys, ...plan.metrics];
  return rows.map((raw) => {
    const row: Row = {};
    for (const o of outputs) {
      const value = raw[o.alias];
      row[o.name] = value === null || value === undefined ? null : o.decode === undefined ? value : o.decode(value);
    }
    return row;
  });
}
