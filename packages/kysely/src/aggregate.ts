import {
  type AggregateArgs,
  type AggregateMetric,
  type FieldType,
  type Row,
  ValidationError,
  dateBuckets,
  resolveFieldRef,
} from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect, SqlFragment, ValueCodec } from './dialect.js';
import type { ModelInfo } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';
import type { WhereCompiler } from './where-compiler.js';

const functions = new Set(['count', 'sum', 'avg', 'min', 'max', 'percentile']);
const numericTypes = new Set<FieldType>(['integer', 'bigint', 'number']);

/** One output column of an aggregate: internal SQL alias, public name, decoder. */
interface Output {
  readonly alias: string;
  readonly name: string;
  readonly select: Frag;
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
        return { alias, name: key, select: () => dialect.jsonExtract(field.ref, ref.path, 'any'), decode: undefined };
      }
      return { alias, name: key, select: () => dialect.selectColumn(field.ref, field.type), decode: field.decode };
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
    b.key += `g(${key.field}/${key.bucket})`;
    return { alias, name: key.as, select: () => dialect.dateBucket(field.ref, type, key.bucket), decode: undefined };
  });

  const metrics = Object.entries(args.metrics).map(([name, metric], i): Output => {
    if (!functions.has(metric.fn)) throw ValidationError.single(`Unknown aggregate function ${JSON.stringify(metric.fn)}`, ['metrics', name]);
    const field = metric.field === undefined ? undefined : info.byName.get(resolveFieldRef(info.model, metric.field).field);
    if (metric.field !== undefined && metric.field.includes('.')) {
      throw ValidationError.single(`Aggregates take plain fields, not JSON paths`, ['metrics', name]);
    }
    if (field === undefined && metric.fn !== 'count') {
      throw ValidationError.single(`"${metric.fn}" needs a field`, ['metrics', name]);
    }
    const fraction = metric.fn === 'percentile' ? b.bind(checkFraction(info, name, metric, field?.type)) : undefined;
    if (metric.fn !== 'percentile' && metric.p !== undefined) {
      throw ValidationError.single(`"p" is only taken by "percentile", not "${metric.fn}"`, ['metrics', name, 'p']);
    }
    b.key += `m(${metric.fn} ${metric.field ?? '*'}`;
    const filter = where.compile(info, metric.filter, b, tenant);
    b.key += ')';
    const value: Frag = () => {
      const target = field === undefined ? sql`1` : field.ref;
      return filter === undefined ? target : sql`case when ${filter()} then ${target} end`;
    };
    const type: FieldType = resultType(metric.fn, field?.type);
    const fn = sql.raw(metric.fn);
    const call: Frag =
      fraction !== undefined
        ? () => dialect.percentile(field!.ref, fraction(), filter?.())
        : metric.fn === 'count' && field === undefined && filter === undefined
          ? () => sql`count(*)`
          : () => sql`${fn}(${value()})`;
    return {
      alias: `__m${i}`,
      name,
      select: () => dialect.selectColumn(call(), type),
      decode: dialect.decoder(type),
    };
  });

  const names = new Map<string, string>();
  for (const o of [...keys, ...metrics]) {
    if (names.has(o.name)) throw ValidationError.single(`Duplicate aggregate column ${JSON.stringify(o.name)}`);
    names.set(o.name, o.alias);
  }
  let orderBy: Frag | undefined;
  if (args.orderBy !== undefined && args.orderBy.length > 0) {
    const terms = args.orderBy.map((term) => {
      const alias = names.get(term.key);
      if (alias === undefined) throw ValidationError.single(`Cannot order by ${JSON.stringify(term.key)}: not a group key or metric`, ['orderBy']);
      const direction = term.direction ?? 'asc';
      b.key += `o(${alias} ${direction})`;
      return { alias, direction };
    });
    orderBy = () => sql.join(terms.map((t) => dialect.orderTerm(sql.ref(t.alias), t.direction)));
  }
  return { keys, metrics, orderBy };
}

/**
 * The fraction of a `percentile` metric over a numeric field.
 * @throws {ValidationError} for a missing fraction or one outside 0..1, or a field that is not numeric.
 */
function checkFraction(info: ModelInfo, name: string, metric: AggregateMetric, type: FieldType | undefined): number {
  const p: unknown = metric.p;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw ValidationError.single(`"percentile" needs a fraction "p" from 0 to 1`, ['metrics', name, 'p']);
  }
  if (type !== undefined && !numericTypes.has(type)) {
    throw ValidationError.single(`"percentile" takes a numeric field; ${info.model.name}.${metric.field} is a ${type} field`, ['metrics', name, 'field']);
  }
  return p;
}

/** The type a metric's value is read as: sums of integers stay exact, averages and percentiles are floats. */
function resultType(fn: string, type: FieldType | undefined): FieldType {
  if (fn === 'count') return 'integer';
  if (fn === 'avg' || fn === 'percentile') return 'number';
  if (fn === 'sum') return type === 'integer' || type === 'bigint' ? 'bigint' : 'number';
  return type ?? 'number';
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
