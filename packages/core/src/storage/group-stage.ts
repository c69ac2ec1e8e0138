import type { AggregateMetric, SortDirection } from './adapter.js';

/**
 * A value of each group computed over all groups (a window over the grouped
 * rows): its position in an order of the groups (`rowNumber`, from 1), or its
 * equal-count quantile (`quantile`): with the groups sorted by `orderBy`,
 * ties broken by the group keys ascending, position i from 0 to n - 1,
 * score = floor(tiles * i / n) + 1.
 *
 * @example
 * // RFM recency score: oldest last order first, ties by customer id
 * { fn: 'quantile', tiles: 5, orderBy: [{ key: 'lastOrder' }] }
 */
export interface GroupValue {
  /** `quantile` (a score from 1 to `tiles`) or `rowNumber`. */
  fn: 'quantile' | 'rowNumber';
  /** Group keys or metric aliases of the aggregate, 1 to 8 terms; `NULL` first ascending, as in `orderBy`. */
  orderBy: readonly { key: string; direction?: SortDirection }[];
  /** The number of quantiles, 1 to 1,000; only for `quantile`. */
  tiles?: number;
}

/**
 * A second grouping over the group rows of an aggregate (its keys, metrics and
 * group values read like fields): aggregates over aggregates, in the same
 * statement.
 *
 * @example
 * // how many customers in each R, F, M cell
 * { groupBy: ['r', 'f', 'm'], metrics: { customers: { fn: 'count' } } }
 */
export interface Regroup {
  /** Names of group keys, metrics or group values. @default one row over all groups */
  groupBy?: readonly string[];
  /** Metrics over the group rows, their `field`s and `filter`s naming group columns. */
  metrics: Record<string, AggregateMetric>;
}
