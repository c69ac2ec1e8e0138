import type { ChurnModel, ContractKind, TenantScope } from '@crmkit/core';
import { shiftDate, telcoSnapshot } from './telco-contract.js';

/** Churn among the contracts of one kind that ended the day before the snapshot. */
export interface KindChurn {
  kind: ContractKind;
  renewed: number;
  expired: number;
  cancelled: number;
  /** (expired + cancelled) / all three. */
  churnRate: number;
}

/** What the example reports about the Telco tenant. */
export interface TelcoFigures {
  byKind: KindChurn[];
  model: ChurnModel;
}

/** The features the churn model is fitted on: the crm's own, and the host's in the contacts' `custom`. */
export const telcoFeatures = [
  'tenureDays', 'contractKind', 'custom.monthlyCharges', 'custom.termMonths', 'custom.seniorCitizen', 'custom.paperlessBilling', 'custom.fiberOptic',
] as const;

/**
 * Counts the cancelled contracts of a kind ending on a day, page by page:
 * `reports.contractRenewals` leaves cancelled contracts out and the crm has no
 * public count, so this is the one figure of the example read from records.
 */
async function cancelledOf(t: TenantScope, kind: ContractKind, endDate: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await t.contracts.list({ where: { kind, status: 'cancelled', endDate }, limit: 1000, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/**
 * Asks the crm for the Telco figures: churn by contract kind, from the
 * renewal report over the contracts that ended the day before the snapshot;
 * and a churn model (label `contractNotRenewed`: contracts ending in the 31
 * days after 1 December 2024 that were not renewed) with its held-out AUC.
 * @throws {ValidationError} from `trainChurnModel` when the data hold one class only
 * @example
 * const { byKind, model } = await telcoFigures(crm.tenant('telco'));
 */
export async function telcoFigures(t: TenantScope): Promise<TelcoFigures> {
  const lastDay = shiftDate(telcoSnapshot, 0, -1);
  const { renewals } = await t.reports.contractRenewals({ by: 'kind', from: lastDay, to: telcoSnapshot });
  const byKind = await Promise.all(renewals.map(async (r): Promise<KindChurn> => {
    const kind = r.kind!;
    const cancelled = await cancelledOf(t, kind, lastDay);
    const all = r.renewed + r.expired + cancelled;
    return { kind, renewed: r.renewed, expired: r.expired, cancelled, churnRate: all === 0 ? 0 : (r.expired + cancelled) / all };
  }));
  const model = await t.insights.trainChurnModel({
    cutoff: `${shiftDate(telcoSnapshot, -1)}T00:00:00.000Z`, horizonDays: 31, label: 'contractNotRenewed', features: [...telcoFeatures],
  });
  return { byKind, model };
}
