import type { MergeRelinkContext } from '@crmkit/core';
import { instanceModel } from '../storage/models.js';

/**
 * Points the instances whose subject is a merged contact or company at the
 * survivor, in the merge's transaction: `engine.instancesOf(survivor)` finds
 * them, and effects that act on the subject act on the survivor. One
 * statement; the storage bumps each row's version, so an engine holding an
 * instance from before (its cache, a running delivery) recomputes from the
 * stored row, as after any concurrent write. Snapshots are left as they are: an
 * old id in a context still reaches the survivor, which `contacts.get` and
 * `companies.get` return for a merged id.
 */
export async function relinkSubjects(context: MergeRelinkContext): Promise<Record<string, number>> {
  const moved = await context.storage.updateMany({
    model: instanceModel,
    tenantId: context.tenantId,
    where: { subjectType: context.entity, subjectId: { in: [...context.mergedIds] } },
    data: { subjectId: context.survivorId, updatedAt: context.now },
  });
  return moved > 0 ? { [`${instanceModel.name}.subjectId`]: moved } : {};
}
