import type { WriteScope } from '../common/context.js';
import { diffFields } from '../audit/diff.js';
import { dealEntity } from '../deals/deal.entity.js';
import { syncLineStates } from '../deals/deal-lines.js';
import type { StageCategory } from './pipeline.schema.js';

/** Deals read and written per round: a stage may hold any number of them. */
const batch = 500;

/**
 * Gives every deal in a stage the status of the stage's new category, in the
 * running write: closing sets `closedAt`, reopening clears it and the lost
 * reason. Each deal's change is audited and emitted as `deal.updated`, like
 * any edit; probabilities stay those the deals entered with. System work:
 * the stage change was allowed, and every deal in the stage follows it, also
 * those the actor may not read or change (a stage cannot be half won).
 */
export async function reclassifyDeals(w: WriteScope, stageId: string, category: StageCategory): Promise<void> {
  const tenantId = w.ctx.tenantId;
  let after: string | undefined;
  for (;;) {
    const rows = await w.systemTx.findMany({
      model: dealEntity.model, tenantId, where: { stageId, status: { ne: category }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: [{ field: 'id' }], limit: batch,
    });
    const states = [];
    for (const row of rows) {
      const patch = {
        status: category,
        closedAt: category === 'open' ? null : (row.closedAt ?? w.now),
        lostReason: category === 'lost' ? row.lostReason : null,
        updatedAt: w.now,
      };
      const updated = await w.systemTx.update({ model: dealEntity.model, tenantId, id: row.id, data: patch });
      const changes = diffFields(row, { status: patch.status, closedAt: patch.closedAt, lostReason: patch.lostReason });
      w.audit('deal', row.id, 'update', changes, updated.version);
      w.emit('deal.updated', { record: dealEntity.toRecord(updated), changes });
      states.push({ id: row.id, ...patch });
    }
    // The lines copy status, close time and loss reason: a statement per distinct state, not per deal.
    await syncLineStates(w, states);
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.id;
  }
}
