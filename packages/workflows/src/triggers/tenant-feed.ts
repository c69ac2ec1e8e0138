import { coreModels, DuplicateError } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerCursorModel } from '../storage/models.js';
import { acrossTenants, type CursorSource, type CursorState, cursorRow, hasLogCursor, type LogSource } from './cursors.js';

/** The cursor key of tenant discovery (tenant `*`). */
const discoveryKey = 'log:tenants';

/**
 * How a trigger set learns its tenants, for the triggers that run per tenant
 * (date-relative scans and cron schedules): a second cursor on the event log,
 * reading only tenant and id, from the beginning. Every tenant that has
 * written an event gets that set's tenant cursors once; `watch` is called for
 * tenants this process has not met yet. When the set's tenant sources change
 * (a trigger added) the log is read again from the beginning, so that tenants
 * seen before get the new trigger's cursors too.
 * @internal
 */
export function tenantFeed(
  engine: WorkflowEngine, sources: readonly CursorSource[], batchSize: number, budgetMs: number,
  known: ReadonlySet<string>, watch: (tenantId: string) => Promise<void>,
): LogSource {
  const config = sources.map((source) => source.key).sort().join('\n');
  const storage = engine.storage;
  return {
    key: discoveryKey,
    async ensure(triggerSet) {
      if (await hasLogCursor(storage, triggerSet, discoveryKey)) return;
      const at = engine.clock.now();
      try {
        await storage.create({ model: triggerCursorModel, tenantId: acrossTenants, data: cursorRow(triggerSet, discoveryKey, { position: null, config, dueAt: at }, at) });
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
      }
    },
    async pass(state, checkpoint): Promise<CursorState> {
      let position = state.config === config ? state.position : null;
      const started = performance.now();
      for (;;) {
        const page = await storage.readLog({ model: coreModels.event, limit: batchSize, select: [], ...(position === null ? {} : { after: position }) });
        for (const tenantId of new Set(page.rows.map((row) => row.tenantId as string))) {
          if (!known.has(tenantId)) await watch(tenantId);
        }
        position = page.position;
        const next: CursorState = { position, config, dueAt: engine.clock.now() };
        if (page.rows.length < batchSize || performance.now() - started > budgetMs) return next;
        await checkpoint(next);
      }
    },
  };
}
