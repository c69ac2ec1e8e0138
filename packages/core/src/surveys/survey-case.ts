import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { caseEntity } from '../cases/case.entity.js';
import type { Case } from '../cases/case.schema.js';
import { CasesService } from '../cases/cases.service.js';
import { surveyModel } from './survey.model.js';
import type { Survey } from './survey.schema.js';
import { escalationTask } from './escalation.js';
import { joinedContext } from './joined-context.js';

/** The case a survey is about, read in the writing transaction. @throws {NotFoundError} */
export async function caseOf(w: WriteScope, ctx: TenantContext, caseId: string): Promise<Case> {
  return new EntityStore(ctx, caseEntity).get(caseId, w.tx);
}

function casesIn(w: WriteScope, ctx: TenantContext): CasesService {
  return new CasesService(joinedContext(ctx, w));
}

/**
 * Keeps the case's `satisfaction` at its latest CSAT answer by `answeredAt`
 * (read back from the surveys, so that a late answer to an older survey does
 * not replace a newer one). NPS rates the relationship, not the case, and
 * leaves it alone.
 */
export async function keepCaseCurrent(w: WriteScope, ctx: TenantContext, survey: Survey): Promise<void> {
  if (survey.caseId === null || survey.kind !== 'csat') return;
  const [latest] = await w.tx.findMany({
    model: surveyModel, tenantId: ctx.tenantId,
    where: { caseId: survey.caseId, kind: 'csat', status: 'answered' },
    orderBy: [{ field: 'answeredAt', direction: 'desc' }], limit: 1, select: ['score'],
  });
  const score = latest?.score ?? null;
  const current = await caseOf(w, ctx, survey.caseId);
  if (current.satisfaction !== score) await casesIn(w, ctx).update(survey.caseId, { satisfaction: score });
}

/**
 * What a detractor's answer does, as the survey says: `reopen` its case when
 * the case is resolved or closed (an open case is being worked on already),
 * or `escalate` to a task for the team manager.
 */
export async function actOnDetractor(w: WriteScope, ctx: TenantContext, survey: Survey): Promise<void> {
  if (survey.onDetractor === 'reopen') {
    if (survey.caseId === null) return;
    const current = await caseOf(w, ctx, survey.caseId);
    if (current.status === 'resolved' || current.status === 'closed') await casesIn(w, ctx).reopen(survey.caseId);
  } else if (survey.onDetractor === 'escalate') {
    await escalationTask(w, ctx, survey, survey.caseId === null ? undefined : await caseOf(w, ctx, survey.caseId));
  }
}
