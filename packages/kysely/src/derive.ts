import { type AggregateArgs, type DerivedValue, type FieldType, type Where, type WindowValue, derivedModel, differenceUnits } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect, SqlFragment } from './dialect.js';
import { type ModelInfo, buildModelInfo, plainField } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';

/** The alias of the derived rows' sub-query: what the rest of the aggregate reads from. */
const derivedAlias = '__w';

/** The rows of an aggregate with their derived values: a model to read them as, and the FROM item. */
export interface DerivedRows {
  /** `model` plus the derived values as fields, every reference qualified with the sub-query's alias. */
  readonly info: ModelInfo;
  /** `(select <fields>, <derived> from <table> where <filter>) as "__w"`. */
  readonly from: Frag;
}

/**
 * Compiles `AggregateArgs.derive`: one sub-query selecting the `used` fields
 * (see {@link fieldsReadAfterDerive}) of the rows matching `filter` (tenant and
 * `where`) plus each derived value as the column `__d<i>`, window functions
 * computed over exactly those rows.
 *
 * @throws {ValidationError} (from `derivedModel`) for bad derived values.
 */
export function compileDerived(
  info: ModelInfo,
  derive: Readonly<Record<string, DerivedValue>>,
  dialect: SqlDialect,
  filter: Frag,
  used: ReadonlySet<string>,
  b: ShapeBuilder,
): DerivedRows {
  const model = derivedModel(info.model, derive);
  const derivedInfo = buildModelInfo({ ...model, table: derivedAlias }, dialect);
  const windows = new Map<string, { expr: Frag; type: FieldType }>();
  // Only the fields the rest of the statement reads: the windows sort these rows, and on a
  // million orders carrying every column through the sort costs far more than the sort.
  // `id` always, so that the select list is never empty (`derive: {}` and count(*) only).
  const read = info.fields.filter((f) => used.has(f.name) || f.name === 'id');
  const columns: Frag[] = read.map((f) => () => sql`${f.ref} as ${sql.id(f.column)}`);
  b.key += `u(${read.map((f) => f.name).join(',')})`;
  Object.entries(derive).forEach(([name, value], i) => {
    let expr: Frag;
    if (value.fn === 'difference') {
      b.key += `d(${name}:diff ${value.from} ${value.to} ${value.unit})`;
      const from = operand(info, windows, value.from, dialect);
      const to = operand(info, windows, value.to, dialect);
      const unit = sql.lit(differenceUnits[value.unit]);
      // Exact integer milliseconds, then one double division: the same double as (to - from) / unit in JavaScript.
      expr = () => sql`cast((${to()} - ${from()}) as double precision) / ${unit}`;
    } else {
      b.key += `d(${name}:${value.fn} ${value.field ?? ''} ${value.offset ?? 1} p[${(value.partitionBy ?? []).join(',')}] o[${value.orderBy.map((t) => `${t.field} ${t.direction ?? 'asc'}`).join(',')}])`;
      const over = windowClause(info, value, dialect);
      if (value.fn === 'rowNumber') {
        expr = () => sql`row_number() over (${over()})`;
      } else {
        const field = plainField(info, value.field!);
        const call = sql.raw(value.fn);
        const offset = sql.lit(value.offset ?? 1);
        // first_value's default frame (partition start to the current row) always holds the first row.
        expr =
          value.fn === 'first'
            ? () => sql`first_value(${field.ref}) over (${over()})`
            : () => sql`${call}(${field.ref}, ${offset}) over (${over()})`;
        windows.set(name, { expr, type: field.type });
      }
    }
    columns.push(() => sql`${expr()} as ${sql.id(`__d${i}`)}`);
  });
  return {
    info: derivedInfo,
    from: () => sql`(select ${sql.join(columns.map((c) => c()))} from ${info.table} where ${filter()}) as ${sql.id(derivedAlias)}`,
  };
}

/** `partition by ... order by ...`, the order made total by `id` in the last term's direction. */
function windowClause(info: ModelInfo, value: WindowValue, dialect: SqlDialect): Frag {
  const partition = (value.partitionBy ?? []).map((f) => plainField(info, f));
  const terms = value.orderBy.map((t) => ({ field: plainField(info, t.field), direction: t.direction ?? 'asc' }));
  terms.push({ field: plainField(info, 'id'), direction: terms.at(-1)!.direction });
  return () => {
    const order = sql.join(terms.map((t) => dialect.orderTerm(t.field.ref, t.direction, t.field.nullable)));
    return partition.length === 0
      ? sql`order by ${order}`
      : sql`partition by ${sql.join(partition.map((f) => f.ref))} order by ${order}`;
  };
}

/** The epoch milliseconds of a difference's operand: a field, or a `lag` / `lead` computed inline. */
function operand(info: ModelInfo, windows: ReadonlyMap<string, { expr: Frag; type: FieldType }>, name: string, dialect: SqlDialect): Frag {
  const window = windows.get(name);
  if (window !== undefined) return () => dialect.epochMilliseconds(window.expr() as SqlFragment, window.type as 'timestamp' | 'date');
  const field = plainField(info, name);
  return () => dialect.epochMilliseconds(field.ref, field.type as 'timestamp' | 'date');
}

/**
 * The model fields an aggregate reads from its derived rows: group keys,
 * metric fields, and every field named in metric filters and `derivedWhere`
 * (JSON paths by their field; `inQuery` sub-trees read their own model).
 * Conservative: a name that is not a field is simply never selected.
 */
export function fieldsReadAfterDerive(args: AggregateArgs<object>): Set<string> {
  const used = new Set<string>();
  const tree = (where: Where | undefined): void => {
    if (where === undefined || where === null || typeof where !== 'object') return;
    for (const [key, value] of Object.entries(where)) {
      if (key === 'and' || key === 'or') (Array.isArray(value) ? value : []).forEach((w) => tree(w as Where));
      else if (key === 'not') tree(value as Where);
      else used.add(key.split('.')[0]!);
    }
  };
  for (const key of args.groupBy ?? []) used.add((typeof key === 'string' ? key : key.field).split('.')[0]!);
  for (const metric of Object.values(args.metrics ?? {})) {
    if (typeof metric?.field === 'string') used.add(metric.field);
    tree(metric?.filter);
  }
  tree(args.derivedWhere);
  return used;
}
