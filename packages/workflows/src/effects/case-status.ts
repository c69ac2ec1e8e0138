import type { CaseStatus } from '@crmkit/core';
import type { EffectContext } from './effect.js';
import { subjectId } from './subject-id.js';

/** Params of the built-in `setCaseStatus` effect. */
export interface SetCaseStatusParams extends Record<string, unknown> {
  /** @default the instance's subject, when it is a case */
  caseId?: string;
  status: CaseStatus;
}

/**
 * Built-in `setCaseStatus`: `cases.setStatus`. Closing a case that is not
 * resolved resolves it first (the core closes resolved cases only), so the
 * resolution figures are kept. A retry sets the status the case has, which
 * changes nothing.
 */
export async function setCaseStatus(ctx: EffectContext<SetCaseStatusParams>): Promise<void> {
  const caseId = subjectId(ctx as EffectContext, 'case', ctx.params.caseId);
  if (ctx.params.status === 'closed') {
    const current = await ctx.tenant.cases.get(caseId);
    if (current.status !== 'resolved' && current.status !== 'closed') await ctx.tenant.cases.setStatus(caseId, 'resolved');
  }
  await ctx.tenant.cases.setStatus(caseId, ctx.params.status);
}
