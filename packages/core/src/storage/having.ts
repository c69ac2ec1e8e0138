import { ValidationError } from '../errors.js';
import type { AggregateFunction, AggregateMetric } from './adapter.js';
import type { FieldType, ModelDefinition } from './schema.js';
import { comparableProblem, valueError } from './values.js';
import type { Scalar, Where } from './where.js';

/** The aggregate functions, for validation. */
export const aggregateFunctions = ['count', 'sum', 'avg', 'min', 'max', 'percentile'] as const satisfies readonly AggregateFunction[];

/** The comparison operators of a {@link HavingCondition}. */
export const havingComparisons = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;

/**
 * An aggregate of one group of a sub-query compared with values: the metric
 * (as in `aggregate`, with its own `filter`) and at least one comparison, all
 * of which must hold. Comparisons read as in a where-tree: `{ eq: null }` is
 * IS NULL (a `sum` / `min` / `max` / `avg` / `percentile` whose filter leaves
 * no value), an ordering comparison with `null` never holds. Operands have the
 * metric's result type: `count` an integer, `sum` / `avg` / `percentile` a
 * number (`sum` of an integer field an integer or bigint), `min` / `max` the
 * field's own type (an ISO timestamp or a `Date` for a timestamp).
 *
 * @example
 * { fn: 'sum', field: 'totalMinor', gte: 10_000 }
 */
export interface HavingCondition extends AggregateMetric {
  /** Equal (IS NULL for `null`). */
  eq?: Scalar;
  /** Not equal; a NULL aggregate is included unless the value is null. */
  ne?: Scalar;
  /** Less than. */
  lt?: Scalar;
  /** Less than or equal. */
  lte?: Scalar;
  /** Greater than. */
  gt?: Scalar;
  /** Greater than or equal. */
  gte?: Scalar;
}

/**
 * The aggregate conditions of a sub-query (`inQuery.having`): a condition, or
 * conditions combined with `and`, `or` and `not` (each object one of them).
 *
 * @example
 * // two or more orders, and none in 2024
 * { and: [{ fn: 'count', gte: 2 }, { fn: 'max', field: 'placedAt', lt: '2024-01-01T00:00:00.000Z' }] }
 */
export type Having = HavingCondition | { and: readonly Having[] } | { or: readonly Having[] } | { not: Having };

/** Whether a having node is a condition rather than `and` / `or` / `not`. */
export function isHavingCondition(having: Having): having is HavingCondition {
  return typeof (having as { fn?: unknown }).fn === 'string';
}

const numericTypes = new Set<FieldType>(['integer', 'bigint', 'number']);

/**
 * The type of a metric's value: `count` an integer, `sum` of integer fields an
 * integer (64-bit), averages and percentiles numbers, `min` / `max` the field's type.
 */
export function metricResultType(fn: AggregateFunction, type: FieldType | undefined): FieldType {
  if (fn === 'count') return 'integer';
  if (fn === 'avg' || fn === 'percentile') return 'number';
  if (fn === 'sum') return type === 'integer' || type === 'bigint' ? 'bigint' : 'number';
  return type ?? 'number';
}

/**
 * Checks one metric against its model: a known function, a plain field of the
 * model (required except for `count`), numeric for `sum` / `avg` /
 * `percentile`, and a fraction `p` from 0 to 1 exactly for `percentile`.
 * Returns the type of the field, if any. The `filter` is left to the caller.
 *
 * @throws {ValidationError}
 */
export function validateMetric(model: ModelDefinition<object>, metric: AggregateMetric, path: PropertyKey[]): FieldType | undefined {
  if (!(aggregateFunctions as readonly unknown[]).includes(metric.fn)) {
    throw ValidationError.single(`Unknown aggregate function ${JSON.stringify(metric.fn)}`, [...path, 'fn']);
  }
  let type: FieldType | undefined;
  if (metric.field !== undefined) {
    if (typeof metric.field !== 'string' || !Object.hasOwn(model.fields, metric.field)) {
      const plain = typeof metric.field === 'string' && metric.field.includes('.');
      throw ValidationError.single(
        plain ? 'Aggregates take plain fields, not JSON paths' : `${model.name} has no field ${JSON.stringify(metric.field)}`,
        [...path, 'field'],
      );
    }
    type = model.fields[metric.field]!.type;
  } else if (metric.fn !== 'count') {
    throw ValidationError.single(`"${metric.fn}" needs a field`, [...path, 'field']);
  }
  if ((metric.fn === 'sum' || metric.fn === 'avg' || metric.fn === 'percentile') && type !== undefined && !numericTypes.has(type)) {
    throw ValidationError.single(`"${metric.fn}" takes a numeric field; ${model.name}.${metric.field} is a ${type} field`, [...path, 'field']);
  }
  if ((metric.fn === 'min' || metric.fn === 'max') && type === 'json') {
    throw ValidationError.single(`"${metric.fn}" cannot compare JSON values`, [...path, 'field']);
  }
  if (metric.fn === 'percentile') {
    const p: unknown = metric.p;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw ValidationError.single(`"percentile" needs a fraction "p" from 0 to 1`, [...path, 'p']);
    }
  } else if (metric.p !== undefined) {
    throw ValidationError.single(`"p" is only taken by "percentile", not "${metric.fn}"`, [...path, 'p']);
  }
  return type;
}

/** Hooks {@link validateHaving} needs from the where-tree walk: filters and the condition count. */
export interface HavingWalk {
  /** Validates a metric's filter against the sub-query's model. */
  filter(where: Where, path: PropertyKey[]): void;
  /** Counts one condition towards `storageLimits.maxWhereConditions`. */
  count(): void;
}

const metricKeys = new Set(['fn', 'field', 'p', 'filter', ...havingComparisons]);

/**
 * Checks a {@link Having} tree against the sub-query's model.
 * @throws {ValidationError}
 */
export function validateHaving(model: ModelDefinition<object>, having: unknown, walk: HavingWalk, path: PropertyKey[], depth = 0): void {
  if (typeof having !== 'object' || having === null || Array.isArray(having)) {
    throw ValidationError.single('"having" takes a condition or { and }, { or }, { not }', path);
  }
  if (depth > 8) throw ValidationError.single('"having" is nested too deeply (more than 8 levels)', path);
  walk.count();
  const node = having as Record<string, unknown>;
  if (!isHavingCondition(node as Having)) {
    const keys = Object.keys(node).filter((k) => node[k] !== undefined);
    const [key] = keys;
    if (keys.length !== 1 || (key !== 'and' && key !== 'or' && key !== 'not')) {
      throw ValidationError.single('A "having" node is a condition (with "fn") or exactly one of and, or, not', path);
    }
    if (key === 'not') return validateHaving(model, node.not, walk, [...path, 'not'], depth + 1);
    const children = node[key];
    if (!Array.isArray(children)) throw ValidationError.single(`"${key}" takes a list of conditions`, [...path, key]);
    children.forEach((child, i) => validateHaving(model, child, walk, [...path, key, i], depth + 1));
    return;
  }
  for (const key of Object.keys(node)) {
    if (!metricKeys.has(key)) throw ValidationError.single(`A having condition has no option ${JSON.stringify(key)}`, [...path, key]);
  }
  const condition = node as unknown as HavingCondition;
  const type = validateMetric(model, condition, path);
  if (condition.filter !== undefined) walk.filter(condition.filter, [...path, 'filter']);
  const result = metricResultType(condition.fn, type);
  const target = result === 'bigint' ? 'integer' : result;
  let compared = 0;
  for (const op of havingComparisons) {
    const operand = condition[op];
    if (operand === undefined) continue;
    compared += 1;
    if (operand === null) continue;
    if (typeof operand === 'object' && !(operand instanceof Date)) throw ValidationError.single(`Cannot compare with an object`, [...path, op]);
    const found = comparableProblem(target, operand);
    if (found !== undefined) throw valueError(`The operand of having.${op}`, found, [...path, op]);
  }
  if (compared === 0) throw ValidationError.single('A having condition needs a comparison (eq, ne, lt, lte, gt, gte)', path);
}
