import type { Row, Storage, StorageAdapter } from '@crmkit/core';
import { timerModel } from '../storage/models.js';

/**
 * The `leasedUntil` of a timer written beyond the graphile queue's horizon,
 * which has no graphile job yet: a lease that ran out long ago. Under the
 * graphile queue a timer's `leasedUntil` says until when its delivery is
 * arranged: `null` for a timer that got its job when written (as the rows of
 * earlier releases all did), which are never promoted; a past time for one
 * that needs a job, which the next heartbeat gives it. The built-in queue and
 * `runDue` read it as they always do: a lease that ran out, so due timers are
 * delivered by them too.
 */
export const unpromoted = '1970-01-01T00:00:00.000Z';

/** Timers claimed and given their job per promotion transaction. */
const promoteBatch = 200;

/** Whether a timer is due later than `horizonMs` from now, by this process's clock (graphile-worker schedules by the server's). */
export function beyondHorizon(timer: Row, horizonMs: number): boolean {
  return Date.parse(timer.dueAt as string) > Date.now() + horizonMs;
}

/** Marks timers just written beyond the horizon as waiting for their graphile job. */
export async function markUnpromoted(tx: Storage, tenantId: string, timers: readonly Row[]): Promise<void> {
  if (timers.length === 0) return;
  await tx.updateMany({ model: timerModel, tenantId, where: { id: { in: timers.map((t) => t.id as string) } }, data: { leasedUntil: unpromoted } });
}

/**
 * Gives every marked timer that has come within the horizon its graphile job,
 * `addJob`, in the transaction that claims it: a crash before the commit
 * leaves the timer marked (promoted by the next heartbeat), and after it
 * leaves the job and the claim. Several processes promoting at once claim
 * disjoint rows (`claimDue` skips rows another holds); were one timer ever
 * promoted twice, its job key would replace the first job, and the instance
 * revision guard would still fire it once. Returns how many it promoted.
 *
 * The claim's lease runs `leaseMs` past the latest due time it covers, so a
 * promoted timer is promoted again only if its job has not fired it `leaseMs`
 * after it was due: the same takeover as a lapsed lease on the built-in
 * queue, which also covers a `runDue` that claimed a marked timer and died
 * before firing it. A second job of one timer replaces the first (same key),
 * and the instance revision guard fires the timer once either way.
 */
export async function promoteTimers(
  storage: StorageAdapter, horizonMs: number, leaseMs: number, addJob: (tx: Storage, timer: Row) => Promise<void>,
): Promise<number> {
  let promoted = 0;
  for (;;) {
    const now = Date.now();
    const claimed = await storage.transaction(async (tx) => {
      const timers = await tx.claimDue({
        model: timerModel, dueField: 'dueAt', leaseField: 'leasedUntil', where: { leasedUntil: { lte: new Date(now).toISOString() } },
        now: new Date(now + horizonMs).toISOString(), leaseUntil: new Date(now + horizonMs + leaseMs).toISOString(), limit: promoteBatch,
      });
      for (const timer of timers) await addJob(tx, timer);
      return timers.length;
    });
    promoted += claimed;
    if (claimed < promoteBatch) return promoted;
  }
}
