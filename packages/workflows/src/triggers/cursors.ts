import { DuplicateError, newId, type Row } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerCursorModel } from '../storage/models.js';

/** The state a cursor row keeps between passes. @internal */
export interface CursorState {
  /** Last event id, instant scanned up to, or next cron slot (ISO). */
  position: string | null;
  /** What the position was computed from; a change resets it. */
  config: string | null;
  /** When the cursor is next worth a pass. */
  dueAt: Date;
}

/** A source a runner follows in every tenant: the event feed, one date scan, one cron schedule. @internal */
export interface CursorSource {
  /** Unique within the trigger set. */
  key: string;
  /** Where a new tenant's cursor starts. `firstSeenAt` is the wall time of its earliest event this runner heard, if any. */
  initial(now: Date, firstSeenAt: number | undefined): CursorState;
  /** One pass: fires what is due and returns the next state. */
  pass(tenantId: string, state: CursorState): Promise<CursorState>;
}

/**
 * Creates the missing cursor rows of a tenant. Concurrent runners may race:
 * the unique (set, key) index keeps one row and the loser moves on.
 * @internal
 */
export async function ensureCursors(
  engine: WorkflowEngine, triggerSet: string, tenantId: string, sources: readonly CursorSource[], firstSeenAt?: number,
): Promise<void> {
  const existing = await engine.storage.findMany({
    model: triggerCursorModel, tenantId, where: { triggerSet }, select: ['cursorKey'],
  });
  const have = new Set(existing.map((row) => row.cursorKey as string));
  const now = engine.clock.now();
  for (const source of sources) {
    if (have.has(source.key)) continue;
    const state = source.initial(now, firstSeenAt);
    const at = now.toISOString();
    try {
      await engine.storage.create({
        model: triggerCursorModel, tenantId,
        data: {
          id: newId(), createdAt: at, updatedAt: at, triggerSet, cursorKey: source.key,
          position: state.position, config: state.config, dueAt: state.dueAt.toISOString(), leasedUntil: null,
        },
      });
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
    }
  }
}

/** Leases the due cursors of a trigger set, across tenants. @internal */
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

/** Stores a pass's result and releases the lease. @internal */
export async function saveCursor(engine: WorkflowEngine, row: Row, state: CursorState): Promise<void> {
  await engine.storage.update({
    model: triggerCursorModel, tenantId: row.tenantId as string, id: row.id as string,
    data: {
      position: state.position, config: state.config, dueAt: state.dueAt.toISOString(),
      leasedUntil: null, updatedAt: engine.clock.now().toISOString(),
    },
  });
}
