import { missingForStage, type TaskInput, ValidationError } from '@crmkit/core';
import { createTaskOnce } from './create-task-once.js';
import type { EffectContext } from './effect.js';
import { subjectId } from './subject-id.js';

/** Params of the built-in `moveDealToStage` effect. */
export interface MoveDealParams extends Record<string, unknown> {
  /** @default the instance's subject, when it is a deal */
  dealId?: string;
  /** The stage key or id. */
  stage: string;
  /**
   * A stage gate: dotted paths of the deal that must be filled in, checked on
   * the deal as stored when it moves (`deals.moveToStage` with `requiredFields`).
   * @default none
   */
  requiredFields?: string[];
  /**
   * What to do when the gate refuses: a task (by default "Fill in ... to move
   * the deal to ..." linked to the deal) instead of a failed job. Without it a
   * refusal fails the job like any other error.
   */
  ifMissing?: { assigneeId?: string | null; title?: string; priority?: TaskInput['priority'] };
}

/**
 * Built-in `moveDealToStage`: moves the deal, behind the stage gate when one
 * is given. The gate judges the stored deal inside the move's transaction,
 * never a copy carried by an event, so what is written is what was checked.
 * A refusal with `ifMissing` makes the owner's task, once per idempotency key.
 */
export async function moveDealToStage(ctx: EffectContext<MoveDealParams>): Promise<void> {
  const { stage, requiredFields, ifMissing } = ctx.params;
  const dealId = subjectId(ctx, 'deal', ctx.params.dealId);
  try {
    await ctx.tenant.deals.moveToStage(dealId, stage, requiredFields ? { requiredFields } : {});
  } catch (error) {
    const refused = error instanceof ValidationError && error.issues.length > 0 && error.issues.every((issue) => issue.code === missingForStage);
    if (!refused || ifMissing === undefined) throw error;
    const missing = error.issues.map((issue) => issue.path.join('.'));
    await createTaskOnce(ctx as EffectContext, {
      title: ifMissing.title ?? `Fill in ${missing.join(', ')} to move the deal to ${stage}`,
      assigneeId: ifMissing.assigneeId ?? null,
      ...(ifMissing.priority ? { priority: ifMissing.priority } : {}),
      link: { type: 'deal', id: dealId },
    });
  }
}
