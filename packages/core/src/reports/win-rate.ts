import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { currencySchema, idSchema, type Money, parseInput, timestampSchema } from '../common/zod-helpers.js';
import { dealModel } from '../deals/deal.model.js';
import type { GroupKey } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';

/** Options of `reports.winRate`. */
export const winRateOptionsSchema = z
  .strictObject({
    /** Group by owner, by close period, or both. @default 'owner' */
    by: z.enum(['owner', 'period', 'ownerAndPeriod']).optional().default('owner'),
    /** Period length when grouping by period. @default 'month' */
    period: z.enum(['week', 'month', 'quarter', 'year']).optional().default('month'),
    /** Deals closed at or after this instant. */
    from: timestampSchema.optional(),
    /** Deals closed before this instant. */
    to: timestampSchema.optional(),
    pipelineId: idSchema.optional(),
    /**
     * A currency for `wonAmount` (every row then has it, zero when nothing was
     * won in it) and for `orderBy: 'wonAmount'`. Every currency is in `wonAmounts` either way.
     */
    currency: currencySchema.optional(),
    /** Order of rows; `wonAmount` needs `currency`. @default 'winRate' (best first) */
    orderBy: z.enum(['winRate', 'wonAmount', 'closed', 'key']).optional().default('winRate'),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((o) => o.orderBy !== 'wonAmount' || o.currency !== undefined, { message: 'Ordering by wonAmount needs a currency', path: ['currency'] })
  .optional()
  .default({ by: 'owner', period: 'month', orderBy: 'winRate' });
/** Options of `reports.winRate`. */
export type WinRateOptions = z.input<typeof winRateOptionsSchema>;

/** One row of a win-rate report. */
export interface WinRateRow {
  /** Present when grouping by owner (null: deals without owner). */
  ownerId?: string | null;
  /** First day of the close period, `YYYY-MM-DD`, when grouping by period. */
  period?: string;
  won: number;
  lost: number;
  /** won + lost. */
  closed: number;
  /** won / closed, 0 to 1. */
  winRate: number;
  /** The won deals' amounts summed per currency, by currency code (never converted). */
  wonAmounts: Money[];
  /** The sum in the `currency` option's currency, when it is given. */
  wonAmount?: Money;
}

/** Win rate of closed deals per owner and/or close period, aggregated in SQL. */
export async function winRate(ctx: TenantContext, options?: WinRateOptions): Promise<WinRateRow[]> {
  const opts = parseInput(winRateOptionsSchema, options, 'report options');
  const closedAt: Record<string, string> = {};
  if (opts.from) closedAt.gte = opts.from;
  if (opts.to) closedAt.lt = opts.to;
  const where: Where = { status: { in: ['won', 'lost'] }, ...(opts.from || opts.to ? { closedAt } : {}) };
  if (opts.pipelineId) where.pipelineId = opts.pipelineId;
  const groupBy: GroupKey[] = [];
  if (opts.by !== 'period') groupBy.push('ownerId');
  if (opts.by !== 'owner') groupBy.push({ field: 'closedAt', bucket: opts.period, as: 'period' });
  const rows = await ctx.storage.aggregate({
    model: dealModel,
    tenantId: ctx.tenantId,
    where,
    groupBy,
    metrics: {
      won: { fn: 'count', filter: { status: 'won' } },
      lost: { fn: 'count', filter: { status: 'lost' } },
    },
  });
  // Amounts per currency: a second aggregate over won deals only, keyed like the first.
  const amounts = await ctx.storage.aggregate({
    model: dealModel,
    tenantId: ctx.tenantId,
    where: { ...where, status: 'won' },
    groupBy: [...groupBy, 'currency'],
    metrics: { amount: { fn: 'sum', field: 'amountMinor' } },
    orderBy: [{ key: 'currency' }],
  });
  const keyOfRow = (row: Record<string, unknown>) => `${String(row.period ?? '')}|${String(row.ownerId ?? '')}`;
  const wonBy = new Map<string, Money[]>();
  for (const row of amounts) {
    const list = wonBy.get(keyOfRow(row)) ?? [];
    list.push({ minor: (row.amount as number | bigint | null) ?? 0, currency: row.currency as string });
    wonBy.set(keyOfRow(row), list);
  }
  const result = rows.map((row) => {
    const won = Number(row.won);
    const lost = Number(row.lost);
    const wonAmounts = wonBy.get(keyOfRow(row)) ?? [];
    const out: WinRateRow = { won, lost, closed: won + lost, winRate: won + lost === 0 ? 0 : won / (won + lost), wonAmounts };
    if (opts.currency) out.wonAmount = wonAmounts.find((m) => m.currency === opts.currency) ?? { minor: 0, currency: opts.currency };
    if (opts.by !== 'period') out.ownerId = (row.ownerId as string | null) ?? null;
    if (opts.by !== 'owner') out.period = row.period as string;
    return out;
  });
  // Groups are few (owners x periods), so ordering the derived rate here is cheap.
  const keyOf = (r: WinRateRow) => `${r.period ?? ''}|${r.ownerId ?? ''}`;
  const sorters: Record<typeof opts.orderBy, (a: WinRateRow, b: WinRateRow) => number> = {
    winRate: (a, b) => b.winRate - a.winRate || b.closed - a.closed,
    wonAmount: (a, b) => {
      const [x, y] = [BigInt(a.wonAmount!.minor), BigInt(b.wonAmount!.minor)];
      return y > x ? 1 : y < x ? -1 : 0;
    },
    closed: (a, b) => b.closed - a.closed,
    key: (a, b) => keyOf(a).localeCompare(keyOf(b)),
  };
  result.sort(sorters[opts.orderBy]);
  return opts.limit ? result.slice(0, opts.limit) : result;
}
