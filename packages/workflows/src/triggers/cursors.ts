import { DuplicateError, newId, type Row, type Storage, type NewRow } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerCursorModel } from '../storage/models.js';

/**
 * The tenant id of the cursor rows that follow the event log across tenants
 * (one per trigger set and source). Tenant cursors use other keys, so a
 * tenant that happens to be named `*` cannot collide with them.
 * @internal
 */
export const acrossTenants = '*';

/** The state a cursor row keeps between passes. @internal */
export interface CursorState {
  /** Event log position, instant scanned up to, or next cron slot (ISO); null for the beginning. */
  position: string | null;
  /** What the position was computed from; a change resets it. */
  config: string | null;
  /** When the cursor is next worth a pass. */
  dueAt: Date;
}

/** A source a runner follows in every tenant: one date scan, one cron schedule. @internal */
export interface CursorSource {
  /** Unique within the trigger set. */
  key: string;
  /** Where a new tenant's cursor starts. */
  initial(now: Date): CursorState;
  /** One pass: fires what is due and returns the next state. */
  pass(tenantId: string, state: CursorState): Promise<CursorState>;
}

/**
 * A source a runner follows across tenants, from one cursor row of the
 * trigger set (tenant {@link acrossTenants}): the event log. `checkpoint`
 * stores progress within a long pass without giving up the lease.
 * @internal
 */
export interface LogSource {
  /** Unique within the trigger set. */
  key: string;
  /** Creates the source's cursor row if the set has none. */
  ensure(triggerSet: string): Promise<void>;
  /** One pass: reads on from the state, fires what it reads, returns the next state. */
  pass(state: CursorState, checkpoint: (state: CursorState) => Promise<void>): Promise<CursorState>;
}

/** The data of a new cursor row. @internal */
export function cursorRow(triggerSet: string, cursorKey: string, state: CursorState, now: Date): NewRow<NonNullable<(typeof triggerCursorModel)['rowType']>> {
  const at = now.toISOString();
  return {
    id: newId(), createdAt: at, updatedAt: at, triggerSet, cursorKey,
    position: state.position, config: state.config, dueAt: state.dueAt.toISOString(), leasedUntil: null,
  };
}

/** Whether the set already has the across-tenants cursor of `cursorKey`. @internal */
export async function hasLogCursor(storage: Storage, triggerSet: string, cursorKey: string): Promise<boolean> {
  const rows = await storage.findMany({ model: triggerCursorModel, tenantId: acrossTenants, where: { triggerSet, cursorKey }, limit: 1, select: ['id'] });
  return rows.length > 0;
}

/**
 * Creates the missing cursor rows of a tenant. Concurrent runners may race:
 * the unique (set, key) index keeps one row and the loser moves on.
 * @internal
 */
export async function ensureCursors(engine: WorkflowEngine, triggerSet: string, tenantId: string, sources: readonly CursorSource[]): Promise<void> {
  if (sources.length === 0) return;
  const existing = await engine.storage.findMany({
    model: triggerCursorModel, tenantId, where: { triggerSet }, select: ['cursorKey'],
  });
  const have = new Set(existing.map((row) => row.cursorKey as string));
  const now = engine.clock.now();
  for (const source of sources) {
    if (have.has(source.key)) continue;
    try {
      await engine.storage.create({ model: triggerCursorModel, tenantId, data: cursorRow(triggerSet, source.key, source.initial(now), now) });
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
    }
  }
}

/** Leases the due cursors of a trigger set, across tenants (the log cursors included). @internal */
export function claimCursors(engine: WorkflowEngine, triggerSet: string, limit: number): Promise<Row[]> {
  const now = engine.clock.now();
  return engine.storage.claimDue({
    model: triggerCursorModel, dueField: 'dueAt', leaseField: 'leasedUntil', where: { triggerSet }, limit,
    now: now.toISOString(), leaseUntil: new Date(now.getTime() + engine.options.leaseMs).toISOString(),
  });
}

/** The state of a claimed row. @internal */
export function stateOf(row: Row): CursorState {
  return { position: row.position as string | null, config: row.config as string | null, dueAt: new Date(row.dueAt as string) };
}

/** Stores progress of a pass and keeps the lease (`release`: gives it up, as at the end of a pass). @internal */
export async function saveCursor(engine: WorkflowEngine, row: Row, state: CursorState, release = true): Promise<void> {
  await engine.storage.update({
    model: triggerCursorModel, tenantId: row.tenantId as string, id: row.id as string,
    data: {
      position: state.position, config: state.config, updatedAt: engine.clock.now().toISOString(),
      ...(release ? { dueAt: state.dueAt.toISOString(), leasedUntil: null } : {}),
    },
  });
}
