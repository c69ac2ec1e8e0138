import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { dateSchema, parseInput } from '../common/zod-helpers.js';
import { serviceContractModel } from '../contracts/contract.model.js';
import { type ContractKind, contractKinds } from '../contracts/contract.schema.js';
import type { GroupKey } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';
import { reportPeriods, share } from './case-groups.js';

const dimension = z.enum(['kind', 'period']);

/** Options of `reports.contractRenewals`. */
export const contractRenewalsOptionsSchema = z
  .strictObject({
    /** Renewal rates by contract kind, by end period, or both. @default 'kind' */
    by: z.union([dimension, z.array(dimension).min(1).max(2)]).optional().default('kind'),
    /** Period length when grouping by `period` (of `endDate`). @default 'month' */
    period: z.enum(reportPeriods).optional().default('month'),
    /** The day the expiring window starts. @default today (the CRM clock, UTC) */
    at: dateSchema.optional(),
    /** Active contracts ending within this many days of `at` are expiring. @default 30 */
    withinDays: z.number().int().min(0).max(3650).optional().default(30),
    /** Renewal rates over contracts ending on or after this day. */
    from: dateSchema.optional(),
    /** Renewal rates over contracts ending before this day. */
    to: dateSchema.optional(),
    /** Only these kinds. */
    kinds: z.array(z.enum(contractKinds)).min(1).optional(),
  })
  .optional()
  .default({ by: 'kind', period: 'month', withinDays: 30 });
/** Options of `reports.contractRenewals`. */
export type ContractRenewalsOptions = z.input<typeof contractRenewalsOptionsSchema>;

/** Active contracts of one kind ending in the window. */
export interface ExpiringContracts {
  kind: ContractKind;
  count: number;
  /** The earliest end date among them. */
  firstEndDate: string;
}

/** Renewal outcome of the contracts of one group that came to their end. */
export interface ContractRenewalRow {
  /** When grouping by kind. */
  kind?: ContractKind;
  /** First day of the end period, `YYYY-MM-DD`, when grouping by period. */
  period?: string;
  /** Contracts renewed (status `renewed`). */
  renewed: number;
  /** Contracts that lapsed (status `expired`). */
  expired: number;
  /** renewed / (renewed + expired), 0 to 1; null when none ended. Cancelled contracts are left out. */
  rate: number | null;
}

/** A contract-renewal report. */
export interface ContractRenewals {
  /** The expiring window, `YYYY-MM-DD` both ends inclusive. */
  window: { from: string; to: string };
  /** Active contracts ending in the window, by kind. */
  expiring: ExpiringContracts[];
  /** Renewal rates, ordered by their keys. */
  renewals: ContractRenewalRow[];
}

/**
 * Contracts expiring soon and renewal rates: two SQL aggregates over
 * contracts, one over active ones ending in the window, one over renewed and
 * expired ones by kind and/or end period.
 */
export async function contractRenewals(ctx: TenantContext, options?: ContractRenewalsOptions): Promise<ContractRenewals> {
  const opts = parseInput(contractRenewalsOptionsSchema, options, 'report options');
  const dims = [...new Set(typeof opts.by === 'string' ? [opts.by] : opts.by)];
  const from = opts.at ?? ctx.now().slice(0, 10);
  const to = new Date(Date.parse(`${from}T00:00:00.000Z`) + opts.withinDays * 86_400_000).toISOString().slice(0, 10);
  const kinds: Where = opts.kinds ? { kind: { in: opts.kinds } } : {};
  const expiring = await ctx.storage.aggregate({
    model: serviceContractModel,
    tenantId: ctx.tenantId,
    where: { ...kinds, status: 'active', endDate: { gte: from, lte: to } },
    groupBy: ['kind'],
    metrics: { count: { fn: 'count' }, firstEndDate: { fn: 'min', field: 'endDate' } },
    orderBy: [{ key: 'kind' }],
  });
  const ended: Where = { ...kinds, status: { in: ['renewed', 'expired'] } };
  if (opts.from !== undefined || opts.to !== undefined) {
    ended.endDate = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  const groupBy = dims.map((d): GroupKey => (d === 'kind' ? 'kind' : { field: 'endDate', bucket: opts.period, as: 'period' }));
  const rates = await ctx.storage.aggregate({
    model: serviceContractModel,
    tenantId: ctx.tenantId,
    where: ended,
    groupBy,
    metrics: { renewed: { fn: 'count', filter: { status: 'renewed' } }, expired: { fn: 'count', filter: { status: 'expired' } } },
    orderBy: groupBy.map((g) => ({ key: typeof g === 'string' ? g : g.as })),
  });
  return {
    window: { from, to },
    expiring: expiring.map((row) => ({ kind: row.kind as ContractKind, count: Number(row.count), firstEndDate: String(row.firstEndDate) })),
    renewals: rates.map((row) => {
      const renewed = Number(row.renewed);
      const expired = Number(row.expired);
      const out: ContractRenewalRow = { renewed, expired, rate: share(renewed, renewed + expired) };
      if (dims.includes('kind')) out.kind = row.kind as ContractKind;
      if (dims.includes('period')) out.period = row.period as string;
      return out;
    }),
  };
}
