import type { TenantContext } from '../common/context.js';
import type { Row } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { DuplicateMatch, DuplicateReason } from './duplicate.schema.js';
import { combinedScore } from './score.js';

/**
 * The unit of work of `find`: one block (the records sharing an exact key, a
 * company) or one record of a sorted walk, with the matches it yields. A page
 * ends between units or inside one (the cursor then says how many of its
 * matches were handed out), so memory holds one unit, never the tenant.
 */
export interface Unit {
  /** Where the unit sits in its phase's keyset order: a block key with a part number, or a record's sort position. */
  key: unknown;
  /** Compares the unit's pairs: called only for units the page hands out, so resuming re-reads but never re-compares. */
  matches(): DuplicateMatch[];
}

/** A block split into parts (one per record of a company block, one for a star), compared part by part. */
export type SplitBlock<K> = (rows: K[]) => (() => DuplicateMatch[])[];

/** How one entity's records are read and compared. */
export interface CompareSpec<K extends { id: string }> {
  model: ModelDefinition<object>;
  /** The fields the rules read (`id` comes with them). */
  select: readonly string[];
  reasons(a: K, b: K): DuplicateReason[];
}

/** Pairs the walk must leave alone because an earlier phase already reported (or deliberately skipped) them. */
export type Covered<K> = (a: K, b: K) => boolean;

/** Records per exact-key group compared: beyond it a group is truncated (its oldest records kept). */
export const maxGroupSize = 100;
/** Keys per aggregate page: groups are read key page by key page, in key order. */
const keyPage = 200;
/** Records per page of the sorted walk. */
const walkPage = 500;

/** The match of two records, or null below the threshold or when no rule fired. */
export function matchOf<K extends { id: string }>(spec: CompareSpec<K>, a: K, b: K, threshold: number): DuplicateMatch | null {
  const reasons = spec.reasons(a, b);
  if (reasons.length === 0) return null;
  const score = combinedScore(reasons);
  if (score < threshold) return null;
  return { ids: a.id < b.id ? [a.id, b.id] : [b.id, a.id], score, reasons };
}

/**
 * The blocks of records sharing a value of `field` with at least one other
 * record, found by SQL grouping (GROUP BY field HAVING count > 1) in key
 * order, keyset-paged on the key, each block read by index. `split` turns a
 * block (at most `limit` records, oldest first) into parts; a unit is one
 * part, keyed `[blockKey, part]`.
 */
export async function* groupUnits<K extends { id: string }>(
  ctx: TenantContext,
  spec: CompareSpec<K>,
  field: string,
  after: unknown,
  limit: number,
  split: SplitBlock<K>,
): AsyncGenerator<Unit> {
  const [resumeKey, resumePart] = Array.isArray(after) ? (after as [string, number]) : [undefined, -1];
  let last = resumeKey;
  // The block in progress is read again (gte), its parts up to the cursor skipped without comparing.
  let inclusive = resumeKey !== undefined;
  for (;;) {
    const groups = await ctx.storage.aggregate({
      model: spec.model,
      tenantId: ctx.tenantId,
      where: { [field]: { ne: null } },
      groupBy: [field],
      metrics: { n: { fn: 'count' } },
      groupWhere: { n: { gt: 1 }, ...(last !== undefined ? { [field]: inclusive ? { gte: last } : { gt: last } } : {}) },
      orderBy: [{ key: field }],
      limit: keyPage,
    });
    for (const group of groups) {
      const key = group[field] as string;
      const rows = await ctx.storage.findMany({
        model: spec.model, tenantId: ctx.tenantId, where: { [field]: key }, orderBy: [{ field: 'id' }], limit, select: spec.select as never,
      });
      const parts = split(rows as unknown as K[]);
      for (let part = key === resumeKey ? resumePart + 1 : 0; part < parts.length; part++) yield { key: [key, part], matches: parts[part]! };
      last = key;
    }
    inclusive = false;
    if (groups.length < keyPage) return;
  }
}

/** Each record of a group with the group's oldest: k - 1 comparisons for k records sharing an exact key. */
export function starPairs<K extends { id: string }>(spec: CompareSpec<K>, threshold: number, covered: Covered<K>): SplitBlock<K> {
  return (rows) => [
    () => {
      const [first, ...rest] = rows;
      if (first === undefined) return [];
      return rest.flatMap((row) => (covered(first, row) ? [] : [matchOf(spec, first, row, threshold)].filter((m) => m !== null)));
    },
  ];
}

/**
 * Sorted neighbourhood: the records in the order of an index (`orderBy`),
 * each compared with the `window - 1` records before it. Comparisons stay
 * below records × (window - 1) whatever the data; names that sort far apart
 * (a different first letter) are never compared here.
 */
export async function* walkUnits<K extends { id: string }>(
  ctx: TenantContext,
  spec: CompareSpec<K>,
  orderBy: readonly string[],
  window: number,
  after: Row | undefined,
  threshold: number,
  covered: Covered<K>,
): AsyncGenerator<Unit> {
  const scope = { model: spec.model, tenantId: ctx.tenantId, select: spec.select as never };
  const positionOf = (row: Row): Row => Object.fromEntries([...orderBy, 'id'].map((f) => [f, row[f] ?? null]));
  let previous: K[] = [];
  if (after !== undefined) {
    // Resuming: the window is the records just before the cursor, read backwards by the same index.
    const before = await ctx.storage.findMany({ ...scope, orderBy: orderBy.map((field) => ({ field, direction: 'desc' as const })), after, limit: window - 2 });
    const self = await ctx.storage.findMany({ ...scope, where: { id: after.id as string }, limit: 1 });
    previous = [...(before as unknown as K[]).reverse(), ...(self as unknown as K[])];
  }
  let position = after;
  for (;;) {
    const rows = (await ctx.storage.findMany({
      ...scope, orderBy: orderBy.map((field) => ({ field })), ...(position ? { after: position } : {}), limit: walkPage,
    })) as unknown as K[];
    for (const row of rows) {
      const others = [...previous];
      const matches = () => others.flatMap((other) => (covered(other, row) ? [] : [matchOf(spec, other, row, threshold)].filter((m) => m !== null)));
      yield { key: positionOf(row as unknown as Row), matches };
      previous.push(row);
      if (previous.length > window - 1) previous.shift();
    }
    if (rows.length < walkPage) return;
    position = positionOf(rows.at(-1) as unknown as Row);
  }
}
