import type { ModelScope, Row, SortDirection } from './adapter.js';
import type { DerivedValue } from './derived.js';
import type { GroupValue, Regroup } from './group-stage.js';
import type { Where } from './where.js';

/** Calendar buckets for grouping a timestamp or date field. Weeks start on Monday (ISO). */
export const dateBuckets = ['day', 'week', 'month', 'quarter', 'year'] as const;
/** One of {@link dateBuckets}. */
export type DateBucket = (typeof dateBuckets)[number];

/**
 * A timestamp or date field truncated to a calendar bucket, in a time zone.
 *
 * @example
 * // orders per local week in Paris: buckets start at Monday 00:00 Paris time
 * { field: 'placedAt', bucket: 'week', as: 'week', timeZone: 'Europe/Paris' }
 */
export interface DateBucketKey {
  /** A `timestamp` or `date` field. */
  field: string;
  /** The calendar bucket. */
  bucket: DateBucket;
  /** The key's name in the result rows. */
  as: string;
  /**
   * The IANA zone whose calendar the buckets follow: a timestamp falls in the
   * bucket of its local date there (boundaries at local midnight, local Monday,
   * the local first of the month...). The key is still that bucket's first day,
   * `YYYY-MM-DD`. A `date` field is already a calendar day and is not shifted.
   * @default 'UTC'
   * @throws {ValidationError} (from `aggregate`) for a name that is not an IANA zone (see `validateTimeZone`).
   */
  timeZone?: string;
}

/**
 * A grouping key: a field or a JSON path into a `json` field (`custom.plan`),
 * or a timestamp/date field truncated to a bucket ({@link DateBucketKey}).
 * Bucket keys come back as the bucket's first day, `YYYY-MM-DD`.
 */
export type GroupKey = string | DateBucketKey;

/**
 * Aggregate functions. `percentile` is the continuous percentile of a numeric
 * field, interpolated between the two nearest ranks like SQL's
 * `percentile_cont(p) within group (order by field)`; it needs {@link AggregateMetric.p}.
 */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'percentile';

/**
 * One computed column of an aggregate.
 *
 * @example
 * // Median and 90th percentile of resolution times, per priority
 * await storage.aggregate({ model: caseModel, tenantId, groupBy: ['priority'], metrics: {
 *   median: { fn: 'percentile', field: 'resolutionMinutes', p: 0.5 },
 *   p90: { fn: 'percentile', field: 'resolutionMinutes', p: 0.9 },
 * } });
 */
export interface AggregateMetric {
  /** The function. */
  fn: AggregateFunction;
  /**
   * The field it applies to; omitted for `count` it counts rows. `percentile`
   * takes an `integer`, `bigint` or `number` field.
   */
  field?: string;
  /**
   * The fraction of `percentile`, from 0 (the minimum) to 1 (the maximum); 0.5 is
   * the median. Required for `percentile`, refused on the other functions.
   */
  p?: number;
  /** Only rows matching this tree take part (SQL `FILTER (WHERE ...)`). */
  filter?: Where;
}

/** Arguments of {@link Storage.aggregate}. */
export interface AggregateArgs<R extends object = Row> extends ModelScope<R> {
  /** Rows taking part (and the rows the windows of `derive` see). */
  where?: Where;
  /**
   * Per-row values computed before grouping, by name: window values (`lag`,
   * `lead`, `rowNumber`) and time differences ({@link DerivedValue}). Their
   * names then read like fields of the model in `groupBy`, metric `field`s,
   * metric `filter`s and {@link derivedWhere}.
   *
   * @example
   * // median and p90 of the days between consecutive orders of each customer
   * await storage.aggregate({ model: orderModel, tenantId,
   *   derive: {
   *     previous: { fn: 'lag', field: 'placedAt', partitionBy: ['contactId'], orderBy: [{ field: 'placedAt' }] },
   *     gap: { fn: 'difference', from: 'previous', to: 'placedAt', unit: 'days' },
   *   },
   *   metrics: { median: { fn: 'percentile', field: 'gap', p: 0.5 }, p90: { fn: 'percentile', field: 'gap', p: 0.9 } },
   * });
   * @throws {ValidationError} (from `aggregate`) for a name that is a field or not an identifier,
   *   unknown fields, a `difference` of values that are not timestamps or dates, a bad unit or offset.
   */
  derive?: Readonly<Record<string, DerivedValue>>;
  /**
   * Rows taking part after `derive`: a where-tree that may name derived
   * values (`{ gap: { gte: 30 } }`), applied after the windows are computed,
   * so it does not change what `lag` / `lead` see. Only with `derive`.
   */
  derivedWhere?: Where;
  /** Grouping keys; none gives one row over all matching rows. */
  groupBy?: readonly GroupKey[];
  /**
   * Result columns by alias. `count` is a number, `sum` of integer fields a
   * number (or bigint beyond the safe range), `avg` a number, `min` and `max` the
   * field's own type, `percentile` a number (nulls ignored). Empty groups give
   * `sum` / `avg` / `min` / `max` / `percentile` null.
   * @throws {ValidationError} (from `aggregate`) for a `percentile` without a `p`
   *   from 0 to 1 or over a field that is not numeric, and for a `p` on another function.
   */
  metrics: Record<string, AggregateMetric>;
  /**
   * Values of each group computed over all the groups, by name: equal-count
   * quantile scores and positions ({@link GroupValue}). They are columns of
   * the result rows, and read like fields in `groupWhere` and `regroup`.
   */
  groupValues?: Readonly<Record<string, GroupValue>>;
  /**
   * A filter over the group rows (their keys, metrics and group values), after
   * `groupValues` are computed over all groups: keyset paging of scored groups
   * (`{ contactId: { gt: lastSeen } }` with `orderBy` on the key and `limit`),
   * or a HAVING.
   */
  groupWhere?: Where;
  /**
   * Groups the group rows again ({@link Regroup}); the result rows are then its
   * keys and metrics, and `orderBy` / `limit` apply to them.
   *
   * @example
   * // RFM cell counts, one statement
   * await storage.aggregate({ model: orderModel, tenantId, groupBy: ['contactId'],
   *   metrics: { last: { fn: 'max', field: 'placedAt' }, orders: { fn: 'count' }, revenue: { fn: 'sum', field: 'totalMinor' } },
   *   groupValues: {
   *     r: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'last' }] },
   *     f: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'orders' }] },
   *     m: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'revenue' }] },
   *   },
   *   regroup: { groupBy: ['r', 'f', 'm'], metrics: { customers: { fn: 'count' } } },
   * });
   */
  regroup?: Regroup;
  /**
   * Ordering of the result rows, by group key names or metric aliases (and
   * group value names; with `regroup`, by its keys and metrics).
   */
  orderBy?: readonly { key: string; direction?: SortDirection }[];
  /** Maximum number of result rows. */
  limit?: number;
}
