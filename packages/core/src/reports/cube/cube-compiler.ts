import { memberModel } from '../../members/member.model.js';
import type { AggregateArgs, AggregateMetric, GroupKey } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { catalogueOf, type CubeFunction } from './cube-catalogue.js';
import type { ParsedCubeOptions } from './cube.schema.js';

/** One measure as compiled: its public name and how to read its value back. */
export interface CompiledMeasure {
  /** As the caller wrote it: `count`, `amount.sum`. */
  readonly name: string;
  readonly fn: CubeFunction | 'count';
  /** Minor units of the row's currency. */
  readonly money: boolean;
}

/** One grouping key as compiled: the public dimension name and the aggregate column holding it. */
export interface CompiledKey {
  readonly name: string;
  readonly column: string;
}

/**
 * A bucket of the `team` dimension read through the owner: a team (its
 * members' records), or `null` for the records whose owner is in none of
 * the tenant's teams (or who have no owner).
 */
export interface TeamBucket {
  readonly teamId: string | null;
  /** Prefix of the metric aliases computed for the bucket. */
  readonly prefix: string;
}

/** What the compiler hands to the runner and the shaper. */
export interface CubePlan {
  /** The grouped aggregate that makes the cells (with `limit + 1` groups, to tell truncation). */
  readonly cells: AggregateArgs<object>;
  /** The aggregate of the totals row(s), when asked for. */
  readonly totals: AggregateArgs<object> | undefined;
  /** The grouping keys in the order of the result's keys (team aside). */
  readonly keys: readonly CompiledKey[];
  /** The team buckets, when `team` is read through owners; undefined otherwise. */
  readonly teams: readonly TeamBucket[] | undefined;
  readonly measures: readonly CompiledMeasure[];
  readonly limit: number;
}

const fractions = { median: 0.5, p90: 0.9 } as const;

function metricOf(measure: string, entry: ReturnType<typeof catalogueOf>, filter: Where | undefined): { metric: AggregateMetric; compiled: CompiledMeasure } {
  const withFilter = (metric: AggregateMetric): AggregateMetric => (filter === undefined ? metric : { ...metric, filter });
  if (measure === 'count') return { metric: withFilter({ fn: 'count' }), compiled: { name: measure, fn: 'count', money: false } };
  const dot = measure.lastIndexOf('.');
  const { field, money } = entry.measures[measure.slice(0, dot)]!;
  const fn = measure.slice(dot + 1) as CubeFunction;
  const metric: AggregateMetric = fn === 'median' || fn === 'p90' ? { fn: 'percentile', field, p: fractions[fn] } : { fn, field };
  return { metric: withFilter(metric), compiled: { name: measure, fn, money } };
}

/** The member semi-join "the owner is a member of one of these teams". */
const ownerInTeams = (teamIds: readonly string[]): Where => ({
  ownerId: { inQuery: { model: memberModel, field: 'id', where: teamIds.length === 1 ? { teamIds: { has: teamIds[0]! } } : { or: teamIds.map((id) => ({ teamIds: { has: id } })) } } },
});

/**
 * Compiles parsed cube options into aggregates over the source's model.
 * Dimensions become group keys (custom fields as JSON paths, periods as
 * zoned date buckets, `currency` added for money measures), measures become
 * metrics. A `team` read through owners is not a group key: the records of
 * one owner may belong to several teams, so each team is a set of metrics
 * filtered by a semi-join on the members of that team, all in the same
 * grouped query, and the shaper turns each set into a row. That keeps
 * medians and percentiles exact per team, which merging per-owner groups
 * after the query could not.
 *
 * @param teamIds the tenant's team ids, ascending, when the `team` dimension is read through owners.
 */
export function compileCube(opts: ParsedCubeOptions, tenantId: string, teamIds: readonly string[]): CubePlan {
  const entry = catalogueOf(opts.source);
  const model = entry.model;
  const groupBy: GroupKey[] = [];
  const keys: CompiledKey[] = [];
  for (const dimension of opts.dimensions) {
    if (dimension === 'team' && entry.team === 'owner') continue;
    const column = dimension === 'team' ? 'teamId' : (entry.dimensions[dimension] ?? dimension);
    groupBy.push(column);
    keys.push({ name: dimension, column });
  }
  Object.entries(opts.periods).forEach(([field, bucket], i) => {
    const column = `p${i}`;
    groupBy.push({ field, bucket, as: column, timeZone: opts.timeZone });
    keys.push({ name: field, column });
  });
  const measured = opts.measures.map((m) => metricOf(m, entry, undefined));
  const money = measured.some((m) => m.compiled.money);
  if (money && !opts.dimensions.includes('currency')) {
    groupBy.push('currency');
    keys.push({ name: 'currency', column: 'currency' });
  }
  const where = opts.filters;
  const scope = { model, tenantId, ...(where === undefined ? {} : { where }) };
  // Team last, however it is read: through owners it cannot be a SQL key, and a cube orders the same either way.
  const orderBy = [...keys.filter((k) => k.name !== 'team'), ...keys.filter((k) => k.name === 'team')].map((k) => ({ key: k.column }));

  let metrics: Record<string, AggregateMetric> = {};
  let teams: TeamBucket[] | undefined;
  if (opts.dimensions.includes('team') && entry.team === 'owner') {
    const buckets: { teamId: string | null; filter: Where | undefined }[] = [
      { teamId: null, filter: teamIds.length === 0 ? undefined : { not: ownerInTeams(teamIds) } },
      ...teamIds.map((teamId) => ({ teamId, filter: ownerInTeams([teamId]) })),
    ];
    teams = buckets.map((bucket, j) => {
      const prefix = `b${j}`;
      metrics[`${prefix}n`] = bucket.filter === undefined ? { fn: 'count' } : { fn: 'count', filter: bucket.filter };
      opts.measures.forEach((m, i) => {
        metrics[`${prefix}m${i}`] = metricOf(m, entry, bucket.filter).metric;
      });
      return { teamId: bucket.teamId, prefix };
    });
  } else {
    metrics = Object.fromEntries(measured.map((m, i) => [`m${i}`, m.metric]));
  }
  const cells: AggregateArgs<object> = { ...scope, groupBy, metrics, orderBy, limit: opts.limit + 1 };
  const totals: AggregateArgs<object> | undefined = opts.totals
    ? {
        ...scope,
        groupBy: money ? ['currency'] : [],
        metrics: Object.fromEntries(measured.map((m, i) => [`m${i}`, m.metric])),
        ...(money ? { orderBy: [{ key: 'currency' }] } : {}),
      }
    : undefined;
  return { cells, totals, keys, teams, measures: measured.map((m) => m.compiled), limit: opts.limit };
}
