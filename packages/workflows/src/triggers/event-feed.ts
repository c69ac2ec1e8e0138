import { coreModels, type CrmEvent, type CrmEventName, DuplicateError, type Row, type Storage } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerCursorModel } from '../storage/models.js';
import { planAction } from './action.js';
import { acrossTenants, type CursorState, cursorRow, hasLogCursor, type LogSource } from './cursors.js';
import type { EventTrigger } from './event-trigger.js';
import type { Firing } from './fire.js';
import { ulidFloor, ulidTime } from './ulid-time.js';

/** Settings of the event feed. @internal */
export interface FeedSettings {
  /** Events read per page. */
  batchSize: number;
  /** Where a new trigger set starts: the end of the log now, or its beginning. */
  startFrom: 'now' | 'beginning';
  /** How long one pass may read before it hands the cursor back, in ms (below the lease). */
  budgetMs: number;
  /** Wall time in ms: 0.1.0's cursors hold ULIDs, made from it whatever the engine clock says. */
  wallNow: () => number;
}

/** The cursor key of the event feed (tenant `*`). */
const feedKey = 'log:events';
/** The key of release 0.1.0's per-tenant event cursors, whose position is the last event id read. */
const legacyKey = 'events';
/** 0.1.0's default `settleMs`: how far below its position a 0.1.0 cursor still re-read. */
const legacySettleMs = 10_000;

/**
 * While a trigger set converted from 0.1.0's per-tenant event cursors reads
 * the log up to its end for the first time: per tenant, the event id at or
 * below which 0.1.0 had handled the events, and for tenants 0.1.0 never
 * watched, the id of the moment of the conversion (they start from then).
 */
interface LegacyFloors {
  since: string;
  tenants: Record<string, string>;
}

function toEvent(row: Row): CrmEvent {
  return {
    id: row.id as string, type: row.type as CrmEventName, tenantId: row.tenantId as string,
    actorId: row.actorId as string | null, occurredAt: row.occurredAt as string, data: row.data as CrmEvent['data'],
  };
}

/** Leases every 0.1.0 event cursor of the set, inside the converting transaction. */
async function claimLegacy(tx: Storage, triggerSet: string): Promise<Row[]> {
  const rows: Row[] = [];
  // Due whatever their lease, and leased beyond that "now" so that the loop never returns a row twice.
  const claim = { model: triggerCursorModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: '9000-01-01T00:00:00.000Z', leaseUntil: '9999-01-01T00:00:00.000Z' };
  for (;;) {
    const batch = await tx.claimDue({ ...claim, where: { triggerSet, cursorKey: legacyKey }, limit: 500 });
    rows.push(...batch);
    if (batch.length < 500) return rows;
  }
}

/**
 * The event feed of a trigger set: one cursor on the `crm_event` log across
 * tenants (`storage.readLog`), read in commit order and filtered to the
 * event types of the set's triggers. Every committed event is read once;
 * after a crash or a lost lease a page may be read again, and the fire rows'
 * unique (trigger, event) key makes that harmless.
 *
 * A set that has 0.1.0's per-tenant event cursors is converted when its feed
 * cursor is created: in one transaction the feed cursor starts at the
 * beginning of the log, each tenant's 0.1.0 position becomes a floor (minus
 * the settle window 0.1.0 re-read, the fire rows deduplicating the overlap),
 * tenants 0.1.0 did not watch start from the conversion, and the old rows are
 * deleted. The floors are dropped once the feed has reached the end of the log.
 * @internal
 */
export function eventFeed(
  engine: WorkflowEngine, triggers: readonly EventTrigger[], settings: FeedSettings, fireOne: (firing: Firing) => Promise<void>,
): LogSource {
  const types = [...new Set(triggers.map((t) => t.eventType))];
  const storage = engine.storage;
  return {
    key: feedKey,
    async ensure(triggerSet) {
      if (await hasLogCursor(storage, triggerSet, feedKey)) return;
      // Taken outside the transaction: a log position is read from committed rows only.
      const now = settings.startFrom === 'now' ? await storage.logPosition({ model: coreModels.event }) : null;
      const at = engine.clock.now();
      try {
        await storage.transaction(async (tx) => {
          const row = cursorRow(triggerSet, feedKey, { position: now, config: null, dueAt: at }, at);
          // Created first: a concurrent converter waits on its unique key and then gives up, instead of racing for the old rows.
          await tx.create({ model: triggerCursorModel, tenantId: acrossTenants, data: row });
          const legacy = await claimLegacy(tx, triggerSet);
          if (legacy.length === 0) return;
          const floors: LegacyFloors = { since: ulidFloor(settings.wallNow()), tenants: {} };
          for (const old of legacy) {
            if (typeof old.position === 'string') floors.tenants[old.tenantId as string] = ulidFloor(ulidTime(old.position) - legacySettleMs);
          }
          await tx.update({ model: triggerCursorModel, tenantId: acrossTenants, id: row.id as string, data: { position: null, config: JSON.stringify(floors) } });
          for (const tenantId of new Set(legacy.map((old) => old.tenantId as string))) {
            await tx.deleteMany({ model: triggerCursorModel, tenantId, where: { triggerSet, cursorKey: legacyKey } });
          }
        });
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
      }
    },
    async pass(state, checkpoint): Promise<CursorState> {
      let position = state.position;
      let floors = state.config === null ? undefined : (JSON.parse(state.config) as LegacyFloors);
      const started = performance.now();
      for (;;) {
        const page = await storage.readLog({
          model: coreModels.event, limit: settings.batchSize, where: { type: { in: types } }, ...(position === null ? {} : { after: position }),
        });
        for (const row of page.rows) {
          const event = toEvent(row);
          if (floors !== undefined && event.id <= (floors.tenants[event.tenantId] ?? floors.since)) continue;
          for (const trigger of triggers) {
            if (trigger.eventType !== event.type) continue;
            await fireOne({
              tenantId: event.tenantId, triggerId: trigger.id, sourceKey: event.id,
              plan: () => (trigger.matches(event) ? planAction(trigger.id, trigger, event) : undefined),
            });
          }
        }
        position = page.position;
        const caughtUp = page.rows.length < settings.batchSize;
        if (caughtUp) floors = undefined;
        const next: CursorState = { position, config: floors === undefined ? null : JSON.stringify(floors), dueAt: engine.clock.now() };
        if (caughtUp || performance.now() - started > settings.budgetMs) return next;
        await checkpoint(next);
      }
    },
  };
}
