import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { cursorScope, type Page, readCursor, toPage } from '../../common/list.js';
import { currencySchema, dateSchema, type Money, parseInput } from '../../common/zod-helpers.js';
import { ValidationError } from '../../errors.js';
import { orderModel } from '../../orders/order.model.js';
import type { AggregateArgs, OrderTerm, Row } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { currenciesOf } from './customer-ranking.js';
import { type RfmScore, type RfmSegment, rfmSegment, rfmSegments } from './rfm-segments.js';
import { countedOrders, dayMs, minorOf, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.rfm`. */
export const rfmOptionsSchema = z
  .strictObject({
    /** The day recency counts to; only orders placed before it count. @default the day after the last counted order's (UTC) date */
    referenceDate: dateSchema.optional(),
    /** The currency of M (amounts are never converted). @default the orders' currency; required when they have several */
    currency: currencySchema.optional(),
    /** The orders that count as purchases (as in `repeatPurchase`). @default ['placed', 'paid', 'fulfilled'] */
    statuses: purchaseScopeShape.statuses,
    /** List only the customers of this cell, `'555'` (R, F, M). */
    cell: z.string().regex(/^[1-5]{3}$/, 'A cell is three scores from 1 to 5, R F M: "555"').optional(),
    /** List only the customers of this segment. */
    segment: z.enum(rfmSegments).optional(),
    /** Customers per page of `list`, 1 to 1000. @default 50 */
    limit: z.number().int().min(1).max(1000).optional().default(50),
    /** `list.nextCursor` of the previous page (same options otherwise). */
    cursor: z.string().max(4096).optional(),
  })
  .optional()
  .default({ statuses: ['placed', 'paid', 'fulfilled'], limit: 50 });
/** Options of `reports.rfm`. */
export type RfmOptions = z.input<typeof rfmOptionsSchema>;

/** One RFM cell with customers. */
export interface RfmCell {
  /** `'555'`: the R, F and M scores. */
  cell: string;
  r: RfmScore;
  f: RfmScore;
  m: RfmScore;
  customers: number;
  segment: RfmSegment;
}

/** A customer's RFM values and scores. */
export interface RfmCustomer {
  contactId: string;
  /** Its last counted order before the reference date, ISO UTC. */
  lastOrderAt: string;
  /** R: days from the last order to the reference date's midnight UTC (fractional for orders placed during a day). */
  recencyDays: number;
  /** F: its counted orders. */
  frequency: number;
  /** M: the sum of their totals. */
  monetary: Money;
  r: RfmScore;
  f: RfmScore;
  m: RfmScore;
  cell: string;
  segment: RfmSegment;
}

/** The `rfm` report. */
export interface RfmReport {
  /** `YYYY-MM-DD`. */
  referenceDate: string;
  /** The currency of M; null without orders. */
  currency: string | null;
  /** Customers scored: contacts with a counted order before the reference date. */
  customers: number;
  /** The cells that have customers, from 555 down to 111. */
  cells: RfmCell[];
  /** How many cells have customers (at most 125). */
  distinctCells: number;
  /** Customers per segment, every segment of `rfmSegments` in its order. */
  segments: { segment: RfmSegment; customers: number }[];
  /** A page of customers (of `cell` / `segment` when given), in contact id order. */
  list: Page<RfmCustomer>;
}

const orderBy: OrderTerm[] = [];

/**
 * RFM scores, exactly by this method: the reference date is the day after the
 * last counted order's date (or the one given); per customer (contact), R is
 * the days from its last order to the reference date, F its number of orders
 * and M the sum of their totals; each is scored by equal-count quintiles: the
 * customers sorted by the value (R descending, i.e. oldest last order first;
 * F and M ascending), ties broken by contact id ascending, position i from 0
 * to n - 1, score = floor(5i / n) + 1. Segments name score combinations (see
 * `rfmSegments`). Scores are computed in SQL over every customer (window
 * quantiles over the grouped orders); cells are counted in the same
 * statement; the list is a keyset page over the scored groups.
 * @throws {ValidationError} for invalid options, a foreign cursor, or orders in several currencies without `currency`
 */
export async function rfm(ctx: TenantContext, options?: RfmOptions): Promise<RfmReport> {
  const opts = parseInput(rfmOptionsSchema, options, 'report options');
  const scope: PurchaseScope = { by: 'contact', statuses: opts.statuses };
  const currency = opts.currency ?? (await onlyCurrency(ctx, scope));
  const reference = opts.referenceDate ?? (currency === null ? ctx.now().slice(0, 10) : await dayAfterLastOrder(ctx, scope, currency));
  const cursors = cursorScope(ctx, 'reports:rfm');
  const after = readCursor(opts.cursor, orderBy, cursors);
  if (after !== undefined && typeof after.id !== 'string') throw ValidationError.single('Invalid cursor', ['cursor']);
  const empty: RfmReport = { referenceDate: reference, currency, customers: 0, cells: [], distinctCells: 0, segments: segmentCounts([]), list: { items: [] } };
  if (currency === null) return empty;

  const referenceAt = `${reference}T00:00:00.000Z`;
  const scored: AggregateArgs<object> = {
    model: orderModel,
    tenantId: ctx.tenantId,
    where: countedOrders(scope, { currency, placedAt: { lt: referenceAt } }),
    groupBy: ['contactId'],
    metrics: { last: { fn: 'max', field: 'placedAt' }, orders: { fn: 'count' }, revenue: { fn: 'sum', field: 'totalMinor' } },
    groupValues: {
      // Ascending last order = descending recency: the oldest customer is position 0, score 1.
      r: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'last' }] },
      f: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'orders' }] },
      m: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'revenue' }] },
    },
  };
  const only = listFilter(opts.cell, opts.segment);
  const [cellRows, page] = await Promise.all([
    ctx.storage.aggregate({
      ...scored,
      regroup: { groupBy: ['r', 'f', 'm'], metrics: { customers: { fn: 'count' } } },
      orderBy: [{ key: 'r', direction: 'desc' }, { key: 'f', direction: 'desc' }, { key: 'm', direction: 'desc' }],
    }),
    ctx.storage.aggregate({
      ...scored,
      ...(after !== undefined || only !== undefined ? { groupWhere: { ...only, ...(after ? { contactId: { gt: after.id as string } } : {}) } } : {}),
      orderBy: [{ key: 'contactId' }],
      limit: opts.limit + 1,
    }),
  ]);
  const cells = cellRows.map((row): RfmCell => {
    const [r, f, m] = [score(row.r), score(row.f), score(row.m)];
    return { cell: `${r}${f}${m}`, r, f, m, customers: Number(row.customers), segment: rfmSegment(r, f, m) };
  });
  const rows: Row[] = page.map((g) => ({ ...g, id: String(g.contactId) }));
  const list = toPage(rows, opts.limit, orderBy, (g): RfmCustomer => {
    const [r, f, m] = [score(g.r), score(g.f), score(g.m)];
    const lastOrderAt = String(g.last);
    return {
      contactId: String(g.id), lastOrderAt, recencyDays: (Date.parse(referenceAt) - Date.parse(lastOrderAt)) / dayMs,
      frequency: Number(g.orders), monetary: { minor: minorOf(g.revenue), currency }, r, f, m, cell: `${r}${f}${m}`, segment: rfmSegment(r, f, m),
    };
  }, cursors);
  return {
    ...empty, customers: cells.reduce((n, c) => n + c.customers, 0), cells, distinctCells: cells.length, segments: segmentCounts(cells), list,
  };
}

function score(value: unknown): RfmScore {
  return Number(value) as RfmScore;
}

async function onlyCurrency(ctx: TenantContext, scope: PurchaseScope): Promise<string | null> {
  const currencies = await currenciesOf(ctx, countedOrders(scope));
  if (currencies.length > 1) {
    throw ValidationError.single(`The orders are in ${currencies.join(', ')}: pass the currency of M (amounts are never converted)`, ['currency']);
  }
  return currencies[0] ?? null;
}

async function dayAfterLastOrder(ctx: TenantContext, scope: PurchaseScope, currency: string): Promise<string> {
  const [row] = await ctx.storage.aggregate({ model: orderModel, tenantId: ctx.tenantId, where: countedOrders(scope, { currency }), metrics: { last: { fn: 'max', field: 'placedAt' } } });
  const last = row?.last == null ? Date.parse(ctx.now()) : Date.parse(String(row.last));
  return new Date(Date.parse(new Date(last).toISOString().slice(0, 10)) + dayMs).toISOString().slice(0, 10);
}

/** The group filter of a cell or a segment (both when both are given): an `or` of the segment's cells. */
function listFilter(cell: string | undefined, segment: RfmSegment | undefined): Where | undefined {
  const and: Where[] = [];
  if (cell !== undefined) and.push({ r: Number(cell[0]), f: Number(cell[1]), m: Number(cell[2]) });
  if (segment !== undefined) {
    const or: Where[] = [];
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const ms = [1, 2, 3, 4, 5].filter((m) => rfmSegment(r, f, m) === segment);
        if (ms.length === 5) or.push({ r, f });
        else if (ms.length > 0) or.push({ r, f, m: { in: ms } });
      }
    }
    and.push({ or });
  }
  return and.length === 0 ? undefined : { and };
}

function segmentCounts(cells: readonly RfmCell[]): { segment: RfmSegment; customers: number }[] {
  return rfmSegments.map((segment) => ({ segment, customers: cells.filter((c) => c.segment === segment).reduce((n, c) => n + c.customers, 0) }));
}
