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
    /** Currency of `wonAmount`; deals in other currencies still count towards the rate. @default 'USD' */
    currency: currencySchema.optional().default('USD'),
    /** Order of rows. @default 'winRate' (best first) */
    orderBy: z.enum(['winRate', 'wonAmount', 'closed', 'key']).optional().default('winRate'),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .optional()
  .default({ by: 'owner', period: 'month', currency: 'USD', orderBy: 'winRate' });
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
  /** Sum of won deals' amounts in the report currency. */
  wonAmount: Money;
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
      wonAmount: { fn: 'sum', field: 'amountMinor', filter: { status: 'won', currency: opts.currency } },
    },
  });
  const result = rows.map((row) => {
    const won = Number(row.won);
    const lost = Number(row.lost);
    const out: WinRateRow = {
      won, lost, closed: won + lost, winRate: won + lost === 0 ? 0 : won / (won + lost),
      wonAmount: { minor: (row.wonAmount as number | bigint | null) ?? 0, currency: opts.currency },
    };
    if (opts.by !== 'period') out.ownerId = (row.ownerId as string | null) ?? null;
    if (opts.by !== 'owner') out.period = row.period as string;
    return out;
  });
  // Groups are few (owners x periods), so ordering the derived rate here is cheap.
  const keyOf = (r: WinRateRow) => `${r.period ?? ''}|${r.ownerId ?? ''}`;
  const sorters: Record<typeof opts.orderBy, (a: WinRateRow, b: WinRateRow) => number> = {
    winRate: (a, b) => b.winRate - a.winRate || b.closed - a.closed,
    wonAmount: (a, b) => (BigInt(b.wonAmount.minor) > BigInt(a.wonAmount.minor) ? 1 : BigInt(b.wonAmount.minor) < BigInt(a.wonAmount.minor) ? -1 : 0),
    closed: (a, b) => b.closed - a.closed,
    key: (a, b) => keyOf(a).localeCompare(keyOf(b)),
  };
  result.sort(sorters[opts.orderBy]);
  return opts.limit ? result.slice(0, opts.limit) : result;
}
