import type { TenantContext } from '../common/context.js';
import { caseModel } from '../cases/case.model.js';
import { contactModel } from '../contacts/contact.model.js';
import { serviceContractModel } from '../contracts/contract.model.js';
import { contractKinds } from '../contracts/contract.schema.js';
import { orderModel } from '../orders/order.model.js';
import type { OrderStatus } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';

/**
 * The features crmkit computes per customer, as of a date. `contractKind`
 * stands for one 0 / 1 column per contract kind (`contract.warranty`,
 * `contract.subscription`...): whether a contract of that kind covered the day.
 */
export const churnFeatures = ['recencyDays', 'frequency', 'monetary', 'tenureDays', 'contractKind', 'openCases', 'recentCases', 'satisfaction', 'csat'] as const;
/** One of {@link churnFeatures}, or `custom.<name>`: a numeric custom field of the contact, supplied by the host. */
export type ChurnFeature = (typeof churnFeatures)[number] | `custom.${string}`;

/** What the feature queries need to know. */
export interface FeatureSpec {
  /** Feature columns, `contractKind` already expanded. */
  columns: readonly string[];
  /** The as-of instant, ISO UTC: only what happened before it counts. */
  at: string;
  /** Orders that count as purchases. */
  statuses: readonly OrderStatus[];
  /** Orders in this currency only (monetary sums one currency); all when null. */
  currency: string | null;
  /** Cases opened this many days before `at` are recent. */
  recentCaseDays: number;
}

const dayMs = 86_400_000;

/** The feature columns of a feature list: `contractKind` becomes one column per kind, duplicates go. */
export function featureColumns(features: readonly ChurnFeature[]): string[] {
  return [...new Set(features.flatMap((f) => (f === 'contractKind' ? contractKinds.map((k) => `contract.${k}`) : [f])))];
}

/** Counted orders (by status and currency). */
export function orderScope(spec: Pick<FeatureSpec, 'statuses' | 'currency'>): Where {
  return { status: { in: [...spec.statuses] }, contactId: { ne: null }, ...(spec.currency === null ? {} : { currency: spec.currency }) };
}

/**
 * The feature values of some customers as of `spec.at`, one grouped SQL
 * aggregate per source (orders, contracts, cases) plus one read of the
 * contacts, all restricted to `ids`. A value is null where the customer has
 * none (no order for recency, no answer for satisfaction, no number in the
 * custom field): the model fills it with the training mean.
 */
export async function featureValues(ctx: TenantContext, spec: FeatureSpec, ids: readonly string[]): Promise<Map<string, (number | null)[]>> {
  const out = new Map<string, (number | null)[]>();
  if (ids.length === 0) return out;
  const at = Date.parse(spec.at);
  const day = spec.at.slice(0, 10);
  const scope = { tenantId: ctx.tenantId };
  const contactIn = { contactId: { in: [...ids] } };
  const want = (prefix: string) => spec.columns.some((c) => c === prefix || c.startsWith(prefix));

  const orders = new Map<string, { n: number; sum: number; first: number; last: number }>();
  if (want('recencyDays') || want('frequency') || want('monetary') || want('tenureDays')) {
    const rows = await ctx.storage.aggregate({
      ...scope, model: orderModel,
      where: { ...orderScope(spec), ...contactIn, placedAt: { lt: spec.at } },
      groupBy: ['contactId'],
      metrics: { n: { fn: 'count' }, sum: { fn: 'sum', field: 'totalMinor' }, first: { fn: 'min', field: 'placedAt' }, last: { fn: 'max', field: 'placedAt' } },
    });
    for (const r of rows) orders.set(String(r.contactId), { n: Number(r.n), sum: Number(r.sum), first: Date.parse(String(r.first)), last: Date.parse(String(r.last)) });
  }

  // Contracts that had started by the day; cancelled ones count while their dates covered it (when they were cancelled is not kept).
  const kinds = new Map<string, Set<string>>();
  const firstStart = new Map<string, number>();
  if (want('contract.') || want('tenureDays')) {
    const rows = await ctx.storage.aggregate({
      ...scope, model: serviceContractModel,
      where: { ...contactIn, status: { ne: 'draft' }, startDate: { lte: day } },
      groupBy: ['contactId', 'kind'],
      metrics: { covering: { fn: 'count', filter: { endDate: { gte: day } } }, start: { fn: 'min', field: 'startDate' } },
    });
    for (const r of rows) {
      const id = String(r.contactId);
      if (Number(r.covering) > 0) kinds.set(id, (kinds.get(id) ?? new Set()).add(String(r.kind)));
      const start = Date.parse(`${String(r.start)}T00:00:00.000Z`);
      firstStart.set(id, Math.min(firstStart.get(id) ?? Infinity, start));
    }
  }

  const cases = new Map<string, { open: number; recent: number }>();
  if (want('openCases') || want('recentCases')) {
    const recentFrom = new Date(at - spec.recentCaseDays * dayMs).toISOString();
    const rows = await ctx.storage.aggregate({
      ...scope, model: caseModel,
      where: { ...contactIn, openedAt: { lt: spec.at } },
      groupBy: ['contactId'],
      metrics: {
        // Open at `at`: not resolved nor closed before it (status is today's, the times are history).
        open: { fn: 'count', filter: { and: [{ or: [{ resolvedAt: null }, { resolvedAt: { gte: spec.at } }] }, { or: [{ closedAt: null }, { closedAt: { gte: spec.at } }] }] } },
        recent: { fn: 'count', filter: { openedAt: { gte: recentFrom } } },
      },
    });
    for (const r of rows) cases.set(String(r.contactId), { open: Number(r.open), recent: Number(r.recent) });
  }

  const contacts = new Map<string, { satisfaction: number | null; csat: number | null; custom: Record<string, unknown> }>();
  if (want('satisfaction') || want('csat') || want('custom.')) {
    const rows = await ctx.storage.findMany({
      ...scope, model: contactModel, where: { id: { in: [...ids] } },
      select: ['satisfaction', 'satisfactionAt', 'csat', 'csatAt', 'custom'],
    });
    for (const r of rows) {
      // Answers given after `at` were not known then.
      const known = (value: number | null, when: string | null) => (value !== null && when !== null && Date.parse(when) < at ? value : null);
      contacts.set(r.id, { satisfaction: known(r.satisfaction, r.satisfactionAt), csat: known(r.csat, r.csatAt), custom: r.custom });
    }
  }

  for (const id of ids) {
    const o = orders.get(id);
    const c = contacts.get(id);
    const since = Math.min(o?.first ?? Infinity, firstStart.get(id) ?? Infinity);
    out.set(id, spec.columns.map((column): number | null => {
      if (column === 'recencyDays') return o ? (at - o.last) / dayMs : null;
      if (column === 'frequency') return o?.n ?? 0;
      if (column === 'monetary') return o?.sum ?? 0;
      if (column === 'tenureDays') return Number.isFinite(since) ? Math.max(0, (at - since) / dayMs) : null;
      if (column === 'openCases') return cases.get(id)?.open ?? 0;
      if (column === 'recentCases') return cases.get(id)?.recent ?? 0;
      if (column === 'satisfaction') return c?.satisfaction ?? null;
      if (column === 'csat') return c?.csat ?? null;
      if (column.startsWith('contract.')) return kinds.get(id)?.has(column.slice('contract.'.length)) ? 1 : 0;
      const value = c?.custom[column.slice('custom.'.length)];
      if (typeof value === 'boolean') return value ? 1 : 0;
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }));
  }
  return out;
}
