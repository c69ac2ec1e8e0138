import { caseModel } from '../cases/case.model.js';
import { rfmScoreModel } from '../customers/rfm-scores.model.js';
import { interactionContactModel } from '../interactions/interaction.model.js';
import { orderModel } from '../orders/order.model.js';
import { openCaseStatuses } from '../reports/case-backlog.js';
import type { HavingCondition } from '../storage/having.js';
import type { SubQuery, Where } from '../storage/where.js';
import {
  type MetricCondition, type NumberComparison, purchaseStatuses, type RfmCondition, type TimeBound, type TimeComparison,
} from './segment-rule.js';

const dayMs = 86_400_000;
type Op = 'eq' | 'ne' | 'gte' | 'gt' | 'lt' | 'lte';
const numberOps = ['eq', 'gte', 'gt', 'lt', 'lte'] as const;
const negated: Record<Op, Op> = { eq: 'ne', ne: 'eq', gte: 'lt', gt: 'lte', lt: 'gte', lte: 'gt' };

/** The aggregate a number metric compares, over one contact's rows of `sub`. */
interface Aggregate {
  sub: SubQuery;
  fn: 'count' | 'sum';
  field?: string;
  /** The least value a contact with rows has: 1 row, or a sum of amounts that are never negative. */
  least: number;
}

const matchAll: Where = { and: [] };
const matchNone: Where = { or: [] };

/** `now` moved back by `{ daysAgo }`, or the instant given. */
function instant(bound: TimeBound, now: string): string {
  if (typeof bound === 'object' && !(bound instanceof Date)) return new Date(Date.parse(now) - bound.daysAgo * dayMs).toISOString();
  return typeof bound === 'string' ? bound : bound.toISOString();
}

const semi = (sub: SubQuery): Where => ({ id: { inQuery: sub } });
const within = (sub: SubQuery, where: Where): SubQuery => ({ ...sub, where: { ...sub.where, ...where } });

function holds(a: number, op: Op, b: number): boolean {
  return op === 'eq' ? a === b : op === 'ne' ? a !== b : op === 'gte' ? a >= b : op === 'gt' ? a > b : op === 'lt' ? a < b : a <= b;
}

/**
 * The latest `field` of the contact's rows of `sub`, compared. Without
 * HAVING: "latest >= t" is "some row at or after t", "latest < t" is "some
 * row, and none at or after t", and so on.
 */
function latest(sub: SubQuery, field: string, c: TimeComparison, now: string): Where {
  const parts: Where[] = [];
  const some = (where?: Where) => semi(where ? within(sub, where) : sub);
  if (c.gte !== undefined) parts.push(some({ [field]: { gte: instant(c.gte, now) } }));
  if (c.gt !== undefined) parts.push(some({ [field]: { gt: instant(c.gt, now) } }));
  if (c.lt !== undefined) parts.push(some(), { not: some({ [field]: { gte: instant(c.lt, now) } }) });
  if (c.lte !== undefined) parts.push(some(), { not: some({ [field]: { gt: instant(c.lte, now) } }) });
  if (c.isNull !== undefined) parts.push(c.isNull ? { not: some() } : some());
  return { and: parts };
}

/**
 * An aggregate of the contact's rows compared with `value`. Contacts without
 * rows have the value 0, so when 0 satisfies the comparison the contacts
 * kept are those with no group failing it (`not` the complement); else those
 * with a group satisfying it. Conditions every group (or no group) meets need
 * no aggregate at all: "count >= 1" is a plain semi-join.
 */
function compared(agg: Aggregate, op: Op, value: number): Where {
  const zeroHolds = holds(0, op, value);
  const groupOp = zeroHolds ? negated[op] : op;
  const every = (groupOp === 'gte' && value <= agg.least) || ((groupOp === 'gt' || groupOp === 'ne') && value < agg.least);
  const none = (groupOp === 'lt' && value <= agg.least) || ((groupOp === 'lte' || groupOp === 'eq') && value < agg.least);
  const groups = every ? semi(agg.sub) : none ? matchNone : having(agg, groupOp, value);
  if (!zeroHolds) return groups;
  return none ? matchAll : { not: groups };
}

/** Contacts whose rows' aggregate satisfies `op value`: a semi-join grouped by contact with HAVING. */
function having(agg: Aggregate, op: Op, value: number): Where {
  const condition: HavingCondition = { fn: agg.fn, ...(agg.field === undefined ? {} : { field: agg.field }), [op]: value };
  return semi({ ...agg.sub, having: condition });
}

function numbers(agg: Aggregate, c: NumberComparison): Where {
  return { and: numberOps.flatMap((op) => (c[op] === undefined ? [] : [compared(agg, op, c[op]!)])) };
}

function counted(statuses: readonly string[] | undefined, since: TimeBound | undefined, now: string, extra: Where = {}): SubQuery {
  const where: Where = { status: { in: [...(statuses ?? purchaseStatuses)] }, ...extra };
  if (since !== undefined) where.placedAt = { gte: instant(since, now) };
  return { model: orderModel, field: 'contactId', where };
}

/** The comparisons given, as a field filter. */
function filterOf(c: NumberComparison): Record<string, number> {
  const filter: Record<string, number> = {};
  for (const op of numberOps) if (c[op] !== undefined) filter[op] = c[op];
  return filter;
}

/**
 * Stored RFM scores compared: one semi-join on the score rows matching every
 * part, so a contact without a row matches none of them; `isNull` is the
 * semi-join on any row, or its `not`.
 */
function rfmWhere(c: RfmCondition): Where {
  const sub: SubQuery = { model: rfmScoreModel, field: 'contactId' };
  const where: Where = {};
  if (c.segment !== undefined) where.segment = { in: [...c.segment] };
  if (c.cell !== undefined) where.cell = { in: [...c.cell] };
  for (const key of ['r', 'f', 'm'] as const) if (c[key] !== undefined) where[key] = filterOf(c[key]);
  const parts: Where[] = [];
  if (Object.keys(where).length > 0) parts.push(semi(within(sub, where)));
  if (c.isNull !== undefined) parts.push(c.isNull ? { not: semi(sub) } : semi(sub));
  return { and: parts };
}

/**
 * A metric condition as a contact where-tree: semi-joins on the contact id
 * over orders, interactions (`crm_interaction_contact`), cases and stored
 * RFM scores (`crm_rfm_score`), or the contact's own satisfaction fields.
 * Order counts and lifetime values are grouped per contact with HAVING; last
 * times and RFM scores need none.
 */
export function metricWhere(c: MetricCondition, now: string): Where {
  switch (c.metric) {
    case 'lastOrderAt':
      return latest(counted(c.statuses, undefined, now), 'placedAt', c, now);
    case 'lastInteractionAt':
      return latest({ model: interactionContactModel, field: 'contactId' }, 'occurredAt', c, now);
    case 'orderCount':
      return numbers({ sub: counted(c.statuses, c.since, now), fn: 'count', least: 1 }, c);
    case 'lifetimeValue':
      return numbers({ sub: counted(c.statuses, c.since, now, { currency: c.currency }), fn: 'sum', field: 'totalMinor', least: 0 }, c);
    case 'openCases':
      return numbers({ sub: { model: caseModel, field: 'contactId', where: { status: { in: [...openCaseStatuses] } } }, fn: 'count', least: 1 }, c);
    case 'nps':
    case 'csat': {
      const filter: Record<string, unknown> = filterOf(c);
      if (c.isNull !== undefined) filter.isNull = c.isNull;
      return { [c.metric === 'nps' ? 'satisfaction' : 'csat']: filter };
    }
    case 'rfm':
      return rfmWhere(c);
  }
}
