import type { ContractKind } from '@crmkit/core';
import type { TelcoCustomer, TelcoTerm } from './telco-data.js';

/**
 * The day the Telco data describe: the file has no dates, only tenure in
 * months at some snapshot, so the example fixes one. Customers who churned
 * left in the month before it.
 */
export const telcoSnapshot = '2025-01-01';

/** Months per term. */
export const termMonths: Record<TelcoTerm, number> = { 'Month-to-month': 1, 'One year': 12, 'Two year': 24 };

/** The crm contract kind of each term: a rolling monthly plan is a subscription, a fixed term a service contract. */
export const termKinds: Record<TelcoTerm, ContractKind> = { 'Month-to-month': 'subscription', 'One year': 'service', 'Two year': 'service' };

/** A Telco customer's contract as the crm stores it. */
export interface TelcoContractPlan {
  kind: ContractKind;
  /** `YYYY-MM-DD`: `tenure` months before the snapshot. */
  startDate: string;
  /** `YYYY-MM-DD`, inclusive: the day before the snapshot (for tenure 0, the end of the first term). */
  endDate: string;
  /**
   * Where it ends up. Retained customers `renewed` it for one more term from
   * the snapshot; churners did not: `expired` when the term was up (every
   * month-to-month churner, and fixed-term ones whose tenure is a whole number
   * of terms), `cancelled` when they left mid-term. Customers of tenure 0
   * joined at the snapshot: `active`.
   */
  status: 'active' | 'renewed' | 'expired' | 'cancelled';
  /** The next term of a renewed contract. */
  renewal: { startDate: string; endDate: string } | null;
}

/** `YYYY-MM-DD` plus whole months (the snapshot is a 1st, so no month-end clamping is needed) and days. */
export function shiftDate(day: string, months: number, days = 0): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Derives a customer's contract from tenure, term and churn. The data say
 * only how long each customer has stayed and who left in the last month, so
 * each customer's history up to the snapshot is one contract from `tenure`
 * months before it to the day before it, which retained customers renewed
 * (for one more term) and churners did not.
 * @example
 * planContract({ tenureMonths: 34, term: 'One year', churned: false })
 * // service, 2022-03-01 .. 2024-12-31, renewed for 2025-01-01 .. 2025-12-31
 */
export function planContract(c: Pick<TelcoCustomer, 'tenureMonths' | 'term' | 'churned'>): TelcoContractPlan {
  const kind = termKinds[c.term];
  const months = termMonths[c.term];
  const nextTerm = { startDate: telcoSnapshot, endDate: shiftDate(telcoSnapshot, months, -1) };
  if (c.tenureMonths === 0) return { kind, ...nextTerm, status: 'active', renewal: null };
  const ended = { kind, startDate: shiftDate(telcoSnapshot, -c.tenureMonths), endDate: shiftDate(telcoSnapshot, 0, -1) };
  if (!c.churned) return { ...ended, status: 'renewed', renewal: nextTerm };
  return { ...ended, status: c.tenureMonths % months === 0 ? 'expired' : 'cancelled', renewal: null };
}
