import type { SlaTarget } from '../machines/case-sla/sla-times.js';
import type { EffectContext } from './effect.js';
import { subjectId } from './subject-id.js';

/** Params of the built-in `recordSlaEvent` effect. */
export interface RecordSlaEventParams extends Record<string, unknown> {
  /** @default the instance's subject, when it is a case */
  caseId?: string;
  target: SlaTarget;
  kind: 'warning' | 'breach';
  /** The due time the timer was armed for (ISO): the core ignores the event when the case's due time has moved since. */
  dueAt: string;
}

/**
 * Built-in `recordSlaEvent`: `cases.recordSlaEvent`, which emits
 * `case.slaWarning` / `case.slaBreached`. Safe to retry: the core records one
 * event per target, kind and due time, and ignores a timer whose due time is
 * no longer the case's (a stale timer that fired while the change was on its way).
 */
export async function recordSlaEvent(ctx: EffectContext<RecordSlaEventParams>): Promise<void> {
  const { target, kind, dueAt } = ctx.params;
  await ctx.tenant.cases.recordSlaEvent(subjectId(ctx as EffectContext, 'case', ctx.params.caseId), { target, kind, dueAt });
}
