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
    /** Renewal and churn rates over contracts ending on or after this day. */
    from: dateSchema.optional(),
    /** Renewal and churn rates over contracts ending before this day. */
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

/**
 * What became of the contracts of one group that are due: those whose
 * `endDate` falls in the report's `from` / `to` (every contract without them)
 * and whose status is `renewed`, `expired`, `cancelled` or `active`. Drafts
 * never ran and are not due.
 */
export interface ContractChurnRow {
  /** When grouping by kind. */
  kind?: ContractKind;
  /** First day of the end period, `YYYY-MM-DD`, when grouping by period. */
  period?: string;
  /** renewed + expired + cancelled + pending. */
  due: number;
  /** Contracts renewed (status `renewed`). */
  renewed: number;
  /** Contracts that lapsed (status `expired`, `contracts.lapse`). */
  expired: number;
  /**
   * Contracts cancelled (status `cancelled`). The status does not tell a
   * contract cancelled in force from a draft dropped before it ran: both count.
   */
  cancelled: number;
  /** Contracts still `active`: due, not decided yet. */
  pending: number;
  /**
   * (expired + cancelled) / due, 0 to 1: the share of the contracts due that
   * were not renewed but lapsed or were cancelled; null when none is due.
   * Pending contracts are in the base, so the rate of a period whose
   * contracts are not all decided can still rise; `pending` says by how much.
   */
  churnRate: number | null;
}

/** A contract-renewal report. */
export interface ContractRenewals {
  /** The expiring window, `YYYY-MM-DD` both ends inclusive. */
  window: { from: string; to: string };
  /** Active contracts ending in the window, by kind. */
  expiring: ExpiringContracts[];
  /** Renewal rates, ordered by their keys. */
  renewals: ContractRenewalRow[];
  /** Churn of the contracts due, by the same keys and in the same order; a group shows here when it has a due contract. */
  churn: ContractChurnRow[];
}

/**
 * Contracts expiring soon, renewal and churn rates: two SQL aggregates over
 * contracts, one over active ones ending in the window, one over the due ones
 * (see {@link ContractChurnRow}) by kind and/or end period, counting each
 * status. Renewal rows are the groups of that aggregate with a renewed or
 * expired contract.
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
  const due: Where = { ...kinds, status: { in: ['renewed', 'expired', 'cancelled', 'active'] } };
  if (opts.from !== undefined || opts.to !== undefined) {
    due.endDate = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  const groupBy = dims.map((d): GroupKey => (d === 'kind' ? 'kind' : { field: 'endDate', bucket: opts.period, as: 'period' }));
  const rates = await ctx.storage.aggregate({
    model: serviceContractModel,
    tenantId: ctx.tenantId,
    where: due,
    groupBy,
    metrics: {
      renewed: { fn: 'count', filter: { status: 'renewed' } }, expired: { fn: 'count', filter: { status: 'expired' } },
      cancelled: { fn: 'count', filter: { status: 'cancelled' } }, pending: { fn: 'count', filter: { status: 'active' } },
    },
    orderBy: groupBy.map((g) => ({ key: typeof g === 'string' ? g : g.as })),
  });
  const keyed = <T extends { kind?: ContractKind; period?: string }>(row: (typeof rates)[number], out: T): T => {
    if (dims.includes('kind')) out.kind = row.kind as ContractKind;
    if (dims.includes('period')) out.period = row.period as string;
    return out;
  };
  const counted = rates.map((row) => ({
    row, renewed: Number(row.renewed), expired: Number(row.expired), cancelled: Number(row.cancelled), pending: Number(row.pending),
  }));
  return {
    window: { from, to },
    expiring: expiring.map((row) => ({ kind: row.kind as ContractKind, count: Number(row.count), firstEndDate: String(row.firstEndDate) })),
    renewals: counted
      .filter((c) => c.renewed + c.expired > 0)
      .map((c) => keyed<ContractRenewalRow>(c.row, { renewed: c.renewed, expired: c.expired, rate: share(c.renewed, c.renewed + c.expired) })),
    churn: counted.map((c) => {
      const dueCount = c.renewed + c.expired + c.cancelled + c.pending;
      return keyed<ContractChurnRow>(c.row, {
        due: dueCount, renewed: c.renewed, expired: c.expired, cancelled: c.cancelled, pending: c.pending, churnRate: share(c.expired + c.cancelled, dueCount),
      });
    }),
  };
}
