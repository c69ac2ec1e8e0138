import { z } from 'zod';
import { currencySchema, timestampSchema } from '../common/zod-helpers.js';
import { orderStatuses } from '../orders/order-status.js';
import { type RfmSegment, rfmSegments } from '../reports/customers/rfm-segments.js';
import type { FieldFilter, Scalar } from '../storage/where.js';

/** Segment kinds: `dynamic` (a saved rule, re-evaluated by `refresh`) or `static` (an explicit list). */
export const segmentKinds = ['dynamic', 'static'] as const;
/** One of {@link segmentKinds}. */
export type SegmentKind = (typeof segmentKinds)[number];

/**
 * A point in time in a metric condition: an ISO timestamp, or `{ daysAgo: n }`,
 * n days before the moment the segment is evaluated (so a scheduled segment's
 * "ordered in the last 30 days" moves with time).
 */
export type TimeBound = string | Date | { daysAgo: number };

/** Comparisons of a time metric; every one given must hold. */
export interface TimeComparison {
  /** At or after. */
  gte?: TimeBound;
  /** After. */
  gt?: TimeBound;
  /** Before; a contact with none (never ordered...) does not match. */
  lt?: TimeBound;
  /** At or before; a contact with none does not match. */
  lte?: TimeBound;
  /** `true`: the contact has none (never ordered...); `false`: it has one. */
  isNull?: boolean;
}

/** Comparisons of a number; every one given must hold. */
export interface NumberComparison {
  /** Equal. */
  eq?: number;
  /** At least. */
  gte?: number;
  /** More than. */
  gt?: number;
  /** Less than (a contact with no rows has 0). */
  lt?: number;
  /** At most (a contact with no rows has 0). */
  lte?: number;
}

/** The order statuses that count as purchases unless a condition says otherwise: not cancelled or returned ones. */
export const purchaseStatuses = ['placed', 'paid', 'fulfilled'] as const;

/**
 * A computed metric of a contact, compared. Each compiles to a SQL semi-join
 * (`inQuery`) on the contact's id, so a segment is one query however many
 * orders, interactions or cases there are.
 *
 * - `lastOrderAt`: when the contact's last counted order was placed.
 * - `orderCount`: how many counted orders it placed (`since`: only those placed at or after).
 * - `lifetimeValue`: the sum of its counted orders' totals in one `currency`, minor units (never converted).
 * - `lastInteractionAt`: when its last interaction (call, email, meeting...) occurred.
 * - `openCases`: how many of its cases are not resolved or closed.
 * - `nps` / `csat`: its latest NPS (0-10) or CSAT (1-5) answer, kept on the contact by surveys.
 * - `rfm`: its RFM scores as `customers.refreshRfmScores` last stored them (see {@link RfmCondition}).
 *
 * Counted orders have a status in `statuses` (default {@link purchaseStatuses}).
 * A contact without orders has an order count and lifetime value of 0.
 */
export type MetricCondition =
  | ({ metric: 'lastOrderAt'; statuses?: string[] } & TimeComparison)
  | ({ metric: 'orderCount'; since?: TimeBound; statuses?: string[] } & NumberComparison)
  | ({ metric: 'lifetimeValue'; currency: string; since?: TimeBound; statuses?: string[] } & NumberComparison)
  | ({ metric: 'lastInteractionAt' } & TimeComparison)
  | ({ metric: 'openCases' } & NumberComparison)
  | ({ metric: 'nps' | 'csat' } & NumberComparison & { isNull?: boolean })
  | RfmCondition;

/**
 * The contact's stored RFM scores (`customers.refreshRfmScores`), compared;
 * every part given must hold. A contact the last refresh did not score (no
 * counted order before its reference date, or created since) has no scores:
 * it matches no `segment`, `cell`, `r`, `f` nor `m` condition, only
 * `isNull: true` (and the `not` of a condition). The scores are those of the
 * last refresh, not of the orders now: refresh them before the segment.
 * @example
 * { metric: 'rfm', segment: ['champions', 'loyal'] }
 * { metric: 'rfm', r: { lte: 2 }, m: { gte: 4 } } // big spenders slipping away
 */
export interface RfmCondition {
  metric: 'rfm';
  /** Its named segment is one of these (see `rfmSegments`). */
  segment?: RfmSegment[];
  /** Its cell is one of these: `'555'`, three scores from 1 to 5, R F M. */
  cell?: string[];
  /** Its recency score (1 to 5; 5 is the most recent). */
  r?: ScoreComparison;
  /** Its frequency score (1 to 5). */
  f?: ScoreComparison;
  /** Its monetary score (1 to 5). */
  m?: ScoreComparison;
  /** `true`: the contact has no stored scores; `false`: it has. */
  isNull?: boolean;
}

/** Comparisons of an RFM score from 1 to 5; every one given must hold. */
export type ScoreComparison = Pick<NumberComparison, 'eq' | 'gte' | 'gt' | 'lt' | 'lte'>;

/**
 * The rule of a dynamic segment: a where-tree over contact fields and custom
 * fields exactly as `contacts.list` takes it (`{ lifecycleStage: 'customer',
 * 'custom.tier': 'gold' }`, `and` / `or` / `not`), where a `$metric` key holds
 * a {@link MetricCondition}. `inQuery` is refused, as in list filters.
 *
 * @example
 * // Gold customers who ordered in the last 90 days, or anyone with an open case
 * { or: [
 *   { 'custom.tier': 'gold', $metric: { metric: 'lastOrderAt', gte: { daysAgo: 90 } } },
 *   { $metric: { metric: 'openCases', gte: 1 } },
 * ] }
 */
export type SegmentRule = {
  and?: SegmentRule[];
  or?: SegmentRule[];
  not?: SegmentRule;
  $metric?: MetricCondition;
} & { [field: string]: Scalar | FieldFilter | SegmentRule[] | SegmentRule | MetricCondition | undefined };

const timeBound = z.union([timestampSchema, z.strictObject({ daysAgo: z.number().int().min(0).max(36_600) })]);
const timeComparison = {
  gte: timeBound.optional(),
  gt: timeBound.optional(),
  lt: timeBound.optional(),
  lte: timeBound.optional(),
  isNull: z.boolean().optional(),
};
const numberComparison = (max: number) => {
  const n = z.number().int().min(0).max(max).optional();
  return { eq: n, gte: n, gt: n, lt: n, lte: n };
};
const statuses = z.array(z.enum(orderStatuses)).min(1).max(orderStatuses.length).optional();
const hasComparison = (c: object) =>
  ['eq', 'gte', 'gt', 'lt', 'lte', 'isNull', 'segment', 'cell', 'r', 'f', 'm'].some((k) => (c as Record<string, unknown>)[k] !== undefined);
const score = z.number().int().min(1).max(5).optional();
const scoreComparison = z
  .strictObject({ eq: score, gte: score, gt: score, lt: score, lte: score })
  .refine(hasComparison, 'A score comparison needs eq, gte, gt, lt or lte')
  .optional();
const rfmCondition = z.strictObject({
  metric: z.literal('rfm'),
  segment: z.array(z.enum(rfmSegments)).min(1).max(rfmSegments.length).optional(),
  cell: z.array(z.string().regex(/^[1-5]{3}$/, 'A cell is three scores from 1 to 5, R F M: "555"')).min(1).max(125).optional(),
  r: scoreComparison,
  f: scoreComparison,
  m: scoreComparison,
  isNull: z.boolean().optional(),
});

/** Schema of a {@link MetricCondition}: one known metric and at least one comparison. */
export const metricConditionSchema = z
  .discriminatedUnion('metric', [
    z.strictObject({ metric: z.literal('lastOrderAt'), statuses, ...timeComparison }),
    z.strictObject({ metric: z.literal('orderCount'), since: timeBound.optional(), statuses, ...numberComparison(1e9) }),
    z.strictObject({
      metric: z.literal('lifetimeValue'), currency: currencySchema, since: timeBound.optional(), statuses, ...numberComparison(Number.MAX_SAFE_INTEGER),
    }),
    z.strictObject({ metric: z.literal('lastInteractionAt'), ...timeComparison }),
    z.strictObject({ metric: z.literal('openCases'), ...numberComparison(1e9) }),
    z.strictObject({ metric: z.enum(['nps', 'csat']), ...numberComparison(10), isNull: z.boolean().optional() }),
    rfmCondition,
  ])
  .refine(hasComparison, 'A metric condition needs a comparison (eq, gte, gt, lt, lte or isNull; for rfm also segment, cell, r, f or m)');
