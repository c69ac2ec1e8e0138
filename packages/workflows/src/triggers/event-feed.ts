import { coreModels, type CrmEvent, type CrmEventName, type Row } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { planAction } from './action.js';
import type { CursorSource, CursorState } from './cursors.js';
import type { EventTrigger } from './event-trigger.js';
import type { Firing } from './fire.js';
import { ulidFloor, ulidTime } from './ulid-time.js';

/** Settings of the event feed. @internal */
export interface FeedSettings {
  /** How long after its id was made an event may still commit (see `TriggerRunnerOptions.settleMs`). */
  settleMs: number;
  /** Events read per query. */
  batchSize: number;
  /** Wall time in ms: event ids are ULIDs made from it, whatever the engine clock says. */
  wallNow: () => number;
}

function toEvent(row: Row): CrmEvent {
  return {
    id: row.id as string, type: row.type as CrmEventName, tenantId: row.tenantId as string,
    actorId: row.actorId as string | null, occurredAt: row.occurredAt as string, data: row.data as CrmEvent['data'],
  };
}

/**
 * The cursor over one tenant's `crm_event` rows. Event ids are ULIDs made
 * before commit, so with concurrent writers an event can commit after a
 * later id was already read. Each pass therefore re-reads the last
 * `settleMs` of ids below the cursor; events this runner already handled are
 * skipped in memory, and after a restart the fire rows' unique key makes the
 * re-read harmless.
 * @internal
 */
export function eventFeed(
  engine: WorkflowEngine, triggers: readonly EventTrigger[], settings: FeedSettings, fireOne: (firing: Firing) => Promise<void>,
): CursorSource {
  const types = [...new Set(triggers.map((t) => t.eventType))];
  const seen = new Map<string, number>();
  return {
    key: 'events',
    initial(now, firstSeenAt) {
      const from = Math.min(settings.wallNow(), firstSeenAt ?? Number.POSITIVE_INFINITY) - settings.settleMs;
      return { position: ulidFloor(from), config: null, dueAt: now };
    },
    async pass(tenantId, state): Promise<CursorState> {
      const horizon = settings.wallNow() - settings.settleMs;
      for (const [key, time] of seen) if (time < horizon - settings.settleMs) seen.delete(key);
      const settled = ulidFloor(horizon);
      let position = state.position ?? settled;
      let after = position < settled ? position : settled;
      for (;;) {
        const rows = await engine.storage.findMany({
          model: coreModels.event, tenantId, where: { id: { gt: after }, type: { in: types } },
          orderBy: [{ field: 'id' }], limit: settings.batchSize,
        });
        for (const row of rows) {
          const event = toEvent(row);
          const key = `${tenantId}/${event.id}`;
          if (!seen.has(key)) {
            for (const trigger of triggers) {
              if (trigger.eventType !== event.type) continue;
              await fireOne({
                tenantId, triggerId: trigger.id, sourceKey: event.id,
                plan: () => (trigger.matches(event) ? planAction(trigger.id, trigger, event) : undefined),
              });
            }
            seen.set(key, ulidTime(event.id));
          }
          if (event.id > position) position = event.id;
          after = event.id;
        }
        if (rows.length < settings.batchSize) break;
      }
      return { position, config: null, dueAt: engine.clock.now() };
    },
  };
}
