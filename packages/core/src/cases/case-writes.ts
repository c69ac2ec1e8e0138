import type { WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import { caseActivityModel } from './case.model.js';
import type { Case, CaseActivity } from './case.schema.js';
import type { ActivityDraft, CaseStep } from './case-lifecycle.js';

/** The history rows of a step, by the scope's actor, in the running write. */
export async function writeActivities(w: WriteScope, caseId: string, drafts: readonly ActivityDraft[], interactionId: string | null = null): Promise<CaseActivity[]> {
  if (drafts.length === 0) return [];
  const rows: CaseActivity[] = drafts.map((d) => ({
    tenantId: w.ctx.tenantId, id: newId(), createdAt: w.now, updatedAt: w.now, caseId, kind: d.kind, at: d.at, actorId: w.ctx.actorId,
    fromStatus: d.fromStatus ?? null, toStatus: d.toStatus ?? null,
    // A response or message row points at the interaction that carried it.
    interactionId: d.interactionId ?? (d.kind === 'response' || d.kind === 'customer_message' ? interactionId : null),
    target: d.target ?? null, waitMinutes: d.waitMinutes ?? null, businessWaitMinutes: d.businessWaitMinutes ?? null,
    breached: d.breached ?? null, data: d.data ?? {},
  }));
  await w.tx.createMany({ model: caseActivityModel, tenantId: w.ctx.tenantId, rows });
  return rows;
}

/** Whether any due time of the case moved (paused, resumed, reached, retargeted). */
export function slaMoved(before: Case, after: Case): boolean {
  return before.firstResponseDueAt !== after.firstResponseDueAt || before.nextResponseDueAt !== after.nextResponseDueAt
    || before.resolutionDueAt !== after.resolutionDueAt;
}

/** The events of a lifecycle step: status changes (with resolved / closed / reopened) and SLA changes. */
export function emitStep(w: WriteScope, before: Case, after: Case, step: Pick<CaseStep, 'statusChanges'>): void {
  for (const { from, to } of step.statusChanges) {
    w.emit('case.statusChanged', { record: after, from, to });
    if (to === 'resolved') w.emit('case.resolved', { record: after });
    if (to === 'closed') w.emit('case.closed', { record: after });
    if (to === 'open' && (from === 'resolved' || from === 'closed')) w.emit('case.reopened', { record: after });
  }
  if (slaMoved(before, after)) w.emit('case.slaChanged', { record: after });
}
