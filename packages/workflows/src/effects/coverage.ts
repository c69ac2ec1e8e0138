import type { CaseType } from '@crmkit/core';
import type { EffectContext, EffectResult } from './effect.js';

/** Params of the built-in `checkCoverage` effect. */
export interface CheckCoverageParams extends Record<string, unknown> {
  assetId: string;
  /** The moment coverage is judged at (ISO): when the fault was reported, not when the job runs. */
  at: string;
  caseType?: CaseType;
}

/** The reply of `checkCoverage`. */
export interface CoverageCheckedEvent {
  type: 'coverageChecked';
  covered: boolean;
  /** The covering contracts, latest ending first. */
  contractIds: string[];
}

/**
 * Built-in `checkCoverage`: `contracts.isCovered(assetId, at, caseType)`,
 * replied to the instance as a `coverageChecked` event (see `EffectResult`).
 * A read only, so a retry asks again and the engine applies one reply.
 */
export async function checkCoverage(ctx: EffectContext<CheckCoverageParams>): Promise<EffectResult> {
  const { assetId, at, caseType } = ctx.params;
  const { covered, contracts } = await ctx.tenant.contracts.isCovered(assetId, at, caseType);
  const reply: CoverageCheckedEvent = { type: 'coverageChecked', covered, contractIds: contracts.map((contract) => contract.id) };
  return { reply };
}
