import { isFieldFilter, isHavingCondition } from '@crmkit/core';
import type { AggregateMetric, FieldFilter, Having, ModelDefinition, OrderTerm, Row, Scalar, SubQuery, Where } from '@crmkit/core';

/**
 * A small in-JS implementation of the documented where and ordering semantics.
 * Property tests compare the adapter against it; it is deliberately naive
 * (two-valued logic, NULL handling spelled out per operator) so it can be read
 * as the specification.
 */

/** Reads a field or a JSON path (`custom.a.b`) from a row; missing keys and non-objects give null. */
export function valueAt(row: Row, key: string): unknown {
  const [field = '', ...path] = key.split('.');
  let value: unknown = row[field];
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return value === undefined ? null : value;
}

function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Compares two non-null values of one type: numbers numerically, strings by code unit, false before true. */
export function compareValues(a: unknown, b: unknown): number {
  const x = normalise(a);
  const y = normalise(b);
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) {
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  return Number.NaN;
}

function equals(value: unknown, operand: Scalar): boolean {
  if (operand === null) return value === null;
  return value !== null && compareValues(value, operand) === 0;
}

function ordered(value: unknown, operand: Scalar, test: (c: number) => boolean): boolean {
  if (value === null || operand === null) return false;
  const c = compareValues(value, operand);
  return !Number.isNaN(c) && test(c);
}

/**
 * The rows a sub-query (`inQuery`) reads: every row of `model` in the tenant
 * of the query. Property tests pass the rows they wrote.
 */
export type RowsOf = (model: ModelDefinition<object>) => readonly Row[];

const noRows: RowsOf = () => [];

/**
 * `inQuery`: a non-null value equal to the non-null `field` of some row of the
 * sub-query and, with `having`, whose group (the taking-part rows with that
 * value) passes the having tree.
 */
function inSubQuery(value: unknown, sub: SubQuery, rowsOf: RowsOf): boolean {
  if (value === null) return false;
  const group = rowsOf(sub.model).filter((row) => {
    const inner = valueAt(row, sub.field);
    return inner !== null && compareValues(value, inner) === 0 && matchesWhere(row, sub.where, rowsOf);
  });
  if (group.length === 0) return false;
  return sub.having === undefined || matchesHaving(group, sub.having, rowsOf);
}

/**
 * The value of an aggregate metric over rows, as SQL computes it: `count` of
 * rows (or of non-null values of its field), `sum` / `avg` / `min` / `max` /
 * `percentile` of the non-null values, null when there are none; only rows
 * passing the metric's filter. Sums and averages are computed in doubles.
 */
export function aggregateValue(rows: readonly Row[], metric: AggregateMetric, rowsOf: RowsOf = noRows): unknown {
  const taking = rows.filter((row) => matchesWhere(row, metric.filter, rowsOf));
  if (metric.field === undefined) return taking.length;
  const values = taking.map((row) => valueAt(row, metric.field!)).filter((v) => v !== null);
  if (metric.fn === 'count') return values.length;
  if (values.length === 0) return null;
  switch (metric.fn) {
    case 'sum':
      return values.reduce((a: number, v) => a + Number(v), 0);
    case 'avg':
      return values.reduce((a: number, v) => a + Number(v), 0) / values.length;
    case 'min':
    case 'max': {
      const sorted = [...values].sort(compareValues);
      return metric.fn === 'min' ? sorted[0] : sorted[sorted.length - 1];
    }
    case 'percentile':
      return percentileCont(values, metric.p!);
    default:
      throw new Error(`unknown aggregate function ${String(metric.fn)}`);
  }
}

/** Whether a group of rows passes a having tree (each comparison as in a where-tree, `not` the complement). */
export function matchesHaving(rows: readonly Row[], having: Having, rowsOf: RowsOf = noRows): boolean {
  if (!isHavingCondition(having)) {
    if ('not' in having) return !matchesHaving(rows, having.not, rowsOf);
    if ('and' in having) return having.and.every((child) => matchesHaving(rows, child, rowsOf));
    return (having as { or: readonly Having[] }).or.some((child) => matchesHaving(rows, child, rowsOf));
  }
  const { fn: _fn, field: _field, p: _p, filter: _filter, ...comparisons } = having;
  return matchesFilter(aggregateValue(rows, having, rowsOf), comparisons, rowsOf);
}

function matchesFilter(value: unknown, filter: FieldFilter, rowsOf: RowsOf): boolean {
  for (const [op, operand] of Object.entries(filter) as [keyof FieldFilter, unknown][]) {
    if (operand === undefined) continue;
    const ok = (() => {
      switch (op) {
        case 'eq': return equals(value, operand as Scalar);
        case 'ne': return !equals(value, operand as Scalar);
        case 'lt': return ordered(value, operand as Scalar, (c) => c < 0);
        case 'lte': return ordered(value, operand as Scalar, (c) => c <= 0);
        case 'gt': return ordered(value, operand as Scalar, (c) => c > 0);
        case 'gte': return ordered(value, operand as Scalar, (c) => c >= 0);
        case 'in': return (operand as Scalar[]).some((item) => equals(value, item));
        case 'notIn': return !(operand as Scalar[]).some((item) => equals(value, item));
        case 'contains': return typeof value === 'string' && value.includes(operand as string);
        case 'startsWith': return typeof value === 'string' && value.startsWith(operand as string);
        case 'has': return Array.isArray(value) && value.some((element) => element === operand);
        case 'isNull': return (value === null) === operand;
        case 'inQuery': return inSubQuery(value, operand as SubQuery, rowsOf);
        default: throw new Error(`unknown operator ${String(op)}`);
      }
    })();
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether a row matches a where-tree: all keys hold, `and`/`or`/`not` combine,
 * `not` is the complement. `rowsOf` gives the rows sub-queries read (none by default).
 */
export function matchesWhere(row: Row, where: Where | undefined, rowsOf: RowsOf = noRows): boolean {
  if (where === undefined) return true;
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === 'and') {
      if (!(value as Where[]).every((child) => matchesWhere(row, child, rowsOf))) return false;
    } else if (key === 'or') {
      if (!(value as Where[]).some((child) => matchesWhere(row, child, rowsOf))) return false;
    } else if (key === 'not') {
      if (matchesWhere(row, value as Where, rowsOf)) return false;
    } else {
      const filter = isFieldFilter(value) ? (value as FieldFilter) : { eq: value as Scalar };
      if (!matchesFilter(valueAt(row, key), filter, rowsOf)) return false;
    }
  }
  return true;
}

/**
 * Compares rows as `findMany` orders them: each term in its direction with NULL
 * before every value, then `id` in the direction of the last term.
 */
export function compareRows(a: Row, b: Row, orderBy: readonly OrderTerm[] = []): number {
  const terms = [...orderBy, { field: 'id', direction: orderBy.at(-1)?.direction ?? 'asc' }];
  for (const term of terms) {
    const x = valueAt(a, term.field);
    const y = valueAt(b, term.field);
    let c = x === null && y === null ? 0 : x === null ? -1 : y === null ? 1 : compareValues(x, y);
    if (term.direction === 'desc') c = -c;
    if (c !== 0) return c;
  }
  return 0;
}

/** The page `findMany` must return for these rows, ordering, cursor and limit. */
export function expectedPage(rows: readonly Row[], orderBy: readonly OrderTerm[], after: Row | undefined, limit: number): Row[] {
  return rows
    .filter((row) => after === undefined || compareRows(row, after, orderBy) > 0)
    .sort((a, b) => compareRows(a, b, orderBy))
    .slice(0, limit);
}

/** The keyset cursor of a row: its value of every order field plus `id`. */
export function cursorOf(row: Row, orderBy: readonly OrderTerm[]): Row {
  const cursor: Row = { id: row.id };
  for (const term of orderBy) cursor[term.field] = row[term.field] ?? null;
  return cursor;
}

/**
 * The contract's `percentile` (SQL `percentile_cont`): the non-null values
 * sorted, position `p * (n - 1)`, linear interpolation between the values
 * around it, written as Postgres and SQLite compute it so that doubles agree
 * to the bit; null without values. Integers and bigints are read as doubles.
 */
export function percentileCont(values: readonly unknown[], p: number): number | null {
  const sorted = values.filter((v) => v !== null && v !== undefined).map(Number).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const position = p * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const low = sorted[lo]!;
  return hi === lo ? low : low + (sorted[hi]! - low) * (position - lo);
}
