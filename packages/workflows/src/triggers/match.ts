import { type FieldFilter, isFieldFilter, type Scalar } from '@crmkit/core';

/**
 * Declarative conditions on the fields of an event payload, by dotted path
 * (`record.amount.minor`, `change.toStageId`). A plain value means `eq`; a
 * filter object uses the storage where-tree operators (`gt`, `in`, `has`...).
 * Every entry must hold.
 * @example
 * { 'record.amount.minor': { gt: 1_000_000 }, 'record.status': 'open' }
 */
export type FieldConditions = Record<string, Scalar | FieldFilter>;

/** The value at a dotted path, or undefined. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Dates compare as their ISO text, like timestamps in storage. */
function norm(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function compare(a: unknown, b: unknown): number | undefined {
  const x = norm(a);
  const y = norm(b);
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) {
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  return undefined;
}

function equals(a: unknown, b: unknown): boolean {
  if (b === null) return a === null || a === undefined;
  return compare(a, b) === 0 || norm(a) === norm(b);
}

/** Whether one value passes one filter object (SQL-like: a missing value fails every comparison). */
function passes(value: unknown, filter: FieldFilter): boolean {
  const ordered = (op: (c: number) => boolean, operand: Scalar | undefined) => {
    if (operand === undefined) return true;
    const c = compare(value, operand);
    return c !== undefined && op(c);
  };
  return (
    (filter.eq === undefined || equals(value, filter.eq)) &&
    (filter.ne === undefined || !equals(value, filter.ne)) &&
    ordered((c) => c < 0, filter.lt) &&
    ordered((c) => c <= 0, filter.lte) &&
    ordered((c) => c > 0, filter.gt) &&
    ordered((c) => c >= 0, filter.gte) &&
    (filter.in === undefined || filter.in.some((v) => equals(value, v))) &&
    (filter.notIn === undefined || !filter.notIn.some((v) => equals(value, v))) &&
    (filter.contains === undefined || (typeof value === 'string' && value.includes(filter.contains))) &&
    (filter.startsWith === undefined || (typeof value === 'string' && value.startsWith(filter.startsWith))) &&
    (filter.has === undefined || (Array.isArray(value) && value.includes(filter.has))) &&
    (filter.isNull === undefined || (value === null || value === undefined) === filter.isNull)
  );
}

/** Whether a payload satisfies every condition. @internal */
export function matchesConditions(payload: unknown, conditions: FieldConditions): boolean {
  return Object.entries(conditions).every(([path, condition]) => {
    const value = at(payload, path);
    return isFieldFilter(condition) ? passes(value, condition) : equals(value, condition);
  });
}
