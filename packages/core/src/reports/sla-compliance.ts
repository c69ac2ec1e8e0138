import { z } from 'zod';
import { caseModel } from '../cases/case.model.js';
import type { TenantContext } from '../common/context.js';
import { parseInput } from '../common/zod-helpers.js';
import { type CaseReportKey, caseReportKey, caseReportShape, caseScopeGroups, caseScopeWhere, share } from './case-groups.js';

/** Options of `reports.slaCompliance`. */
export const slaComplianceOptionsSchema = z.strictObject(caseReportShape).optional().default({ by: 'priority', period: 'month' });
/** Options of `reports.slaCompliance`. */
export type SlaComplianceOptions = z.input<typeof slaComplianceOptionsSchema>;

/** How one SLA target fared over the cases of a group. */
export interface SlaTargetCompliance {
  /** Cases that reached the target in time. */
  met: number;
  /** Cases that missed it (open cases already past due included). */
  breached: number;
  /** met / (met + breached), 0 to 1; null when no case was measured against the target. */
  rate: number | null;
}

/** One row of an SLA compliance report. */
export interface SlaComplianceRow extends CaseReportKey {
  /** Cases in the group, measured or not (no target, still running). */
  cases: number;
  firstResponse: SlaTargetCompliance;
  resolution: SlaTargetCompliance;
}

/**
 * The share of cases that met their first-response and resolution targets per
 * group, from the breach flags the SLA clocks store on each case (`null` while
 * a target is neither reached nor missed: such cases are not counted). One
 * SQL aggregate; rows are ordered by their keys.
 */
export async function slaCompliance(ctx: TenantContext, options?: SlaComplianceOptions): Promise<SlaComplianceRow[]> {
  const scope = parseInput(slaComplianceOptionsSchema, options, 'report options');
  const where = caseScopeWhere(scope);
  const rows = await ctx.storage.aggregate({
    model: caseModel,
    tenantId: ctx.tenantId,
    where,
    ...caseScopeGroups(scope),
    metrics: {
      cases: { fn: 'count' },
      firstMet: { fn: 'count', filter: { firstResponseBreached: false } },
      firstBreached: { fn: 'count', filter: { firstResponseBreached: true } },
      resolutionMet: { fn: 'count', filter: { resolutionBreached: false } },
      resolutionBreached: { fn: 'count', filter: { resolutionBreached: true } },
    },
  });
  const target = (met: unknown, breached: unknown): SlaTargetCompliance => {
    const m = Number(met);
    const b = Number(breached);
    return { met: m, breached: b, rate: share(m, m + b) };
  };
  return rows.map((row) => ({
    ...caseReportKey(scope, row),
    cases: Number(row.cases),
    firstResponse: target(row.firstMet, row.firstBreached),
    resolution: target(row.resolutionMet, row.resolutionBreached),
  }));
}
