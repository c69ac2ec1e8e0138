import { ConflictError, withRetry } from '@crmkit/core';
import type { EventObject } from 'xstate';
import { timerModel } from '../storage/models.js';
import type { EngineRuntime } from './context.js';

/**
 * Applies a timer's event and deletes the timer in one transaction; the one
 * way every queue fires a timer. Returns whether the event was applied.
 *
 * Every deletion of a timer (this fire, a cancel, the instance finishing or
 * being stopped) happens while the transaction holds its instance's row
 * (locked on Postgres, the whole database on SQLite), and this function
 * deletes the timer only once it holds the instance. So when several workers
 * race for one timer, exactly one deletes it and applies the event; the
 * others find it gone and skip it quietly, and the instance revision guard
 * stays the last line of defence.
 */
export function fireTimer(rt: EngineRuntime, tenantId: string, timerId: string): Promise<boolean> {
  return withRetry(
    () => rt.transaction(async (tx, view) => {
      const timer = await tx.findOne({ model: timerModel, tenantId, id: timerId });
      if (!timer) return false;
      // Deleted under the instance's lock: zero rows means another worker fired it, or a transition cancelled it.
      const claim = async () => (await tx.deleteMany({ model: timerModel, tenantId, where: { id: timerId } })) === 1;
      // A finished or missing instance drops the timer (claimed, so deleted) without applying it.
      const applied = await rt.apply(tx, tenantId, timer.instanceId as string, timer.event as EventObject, { view, claim });
      return applied?.fired ?? false;
    }),
    { attempts: 20, retryOn: (e) => e instanceof ConflictError },
  );
}
