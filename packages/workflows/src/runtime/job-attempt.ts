import { ConflictError, NotFoundError, type Row, StateError, StorageError } from '@crmkit/core';
import type { EventObject } from 'xstate';
import { instanceModel, jobModel } from '../storage/models.js';
import type { EngineRuntime } from './context.js';
import { type Settlement, settledFields } from './retry-policy.js';

/**
 * How one delivery of a job ended:
 * - `done`, `retry` (pending again at the row's `dueAt`), `dead`: the attempt
 *   ran (or was found abandoned) and its outcome is recorded;
 * - `lost`: another holder took the job over (its fence moved) before this
 *   worker began or settled: nothing of this delivery was written;
 * - `skipped`: the job is no longer pending (done, dead, withdrawn) or gone;
 * - `later`: leased by another holder until `at` (only for deliveries that did
 *   not claim the row, such as graphile-worker's).
 */
export type JobOutcome =
  | { kind: 'done' | 'retry' | 'dead'; row: Row }
  | { kind: 'lost' | 'skipped' }
  | { kind: 'later'; at: string };

/**
 * Delivers one effect job: the only code that runs an attempt and records its
 * outcome, for every queue.
 *
 * The job row's `version` is its fence. `held` is the row as the caller got
 * it: from `claimDue` (which bumps the version and leases the row) or a plain
 * read (graphile-worker's delivery, `claimed: false`). The attempt begins
 * with a write guarded by that version, which also counts the attempt and
 * leases the row for `leaseMs`; the handler runs only if that write won. The
 * outcome is written guarded by the version the begin wrote, so a worker that
 * stalled past its lease while another took the job over writes nothing: it
 * neither runs an effect whose job was re-claimed before it began, nor
 * overwrites the result of the attempt that superseded it.
 */
export async function deliverJob(rt: EngineRuntime, held: Row, claimed: boolean): Promise<JobOutcome> {
  if (held.status !== 'pending') return { kind: 'skipped' };
  const now = rt.clock.now();
  const at = now.toISOString();
  if (!claimed) {
    // The queue decided the job is due (graphile's run_at is the row's dueAt); only another holder's lease defers it.
    const lease = held.leasedUntil as string | null;
    if (lease !== null && lease > at) return { kind: 'later', at: lease };
  }
  const tenantId = held.tenantId as string;
  const begun = (held.attempts as number) + 1;
  if (begun > (held.maxAttempts as number)) {
    // The last allowed attempt began and never settled: counted, so an effect that kills its worker cannot loop forever.
    return settle(rt, held, { kind: 'abandoned', attempt: held.attempts as number });
  }
  let running: Row;
  try {
    running = await rt.storage.update({
      model: jobModel, tenantId, id: held.id as string, expectedVersion: held.version as number,
      data: { attempts: begun, leasedUntil: new Date(now.getTime() + rt.settings.leaseMs).toISOString(), updatedAt: at },
    });
  } catch (error) {
    if (error instanceof ConflictError || error instanceof NotFoundError) return { kind: 'lost' };
    throw error;
  }
  let settlement: Settlement;
  let reply: EventObject | undefined;
  try {
    reply = replyOf(await runEffect(rt, running, begun));
    settlement = { kind: 'done' };
  } catch (error) {
    settlement = { kind: 'failed', error };
  }
  return settle(rt, running, settlement, reply);
}

/** The `reply` event of a handler's result (`EffectResult`), if it returned one. */
function replyOf(result: unknown): EventObject | undefined {
  const reply = typeof result === 'object' && result !== null ? (result as { reply?: unknown }).reply : undefined;
  return typeof reply === 'object' && reply !== null && typeof (reply as { type?: unknown }).type === 'string' ? (reply as EventObject) : undefined;
}

/**
 * Records an attempt's outcome, guarded by the fence the attempt holds; a retry is re-queued in the same transaction.
 * A done attempt's reply is applied to its instance in that transaction too: a lost fence rolls it back with the
 * outcome, so the reply of one job reaches the instance once. It is applied first, so that this transaction locks the
 * instance before the job row, in the order `stop` does.
 */
async function settle(rt: EngineRuntime, running: Row, settlement: Settlement, reply?: EventObject): Promise<JobOutcome> {
  const data = settledFields(rt.settings, running, settlement, rt.clock.now());
  try {
    const row = await rt.transaction(async (tx, view) => {
      if (reply !== undefined) await rt.apply(tx, running.tenantId as string, running.instanceId as string, reply, { view });
      const settled = await tx.update({
        model: jobModel, tenantId: running.tenantId as string, id: running.id as string, expectedVersion: running.version as number, data,
      });
      if (settled.status === 'pending') await rt.queue.requeueJob?.(tx, settled);
      return settled;
    });
    return { kind: row.status === 'done' ? 'done' : row.status === 'dead' ? 'dead' : 'retry', row };
  } catch (error) {
    if (error instanceof ConflictError || error instanceof NotFoundError) return { kind: 'lost' };
    // A reply the instance cannot take (its machine throws on it) fails the attempt like a throwing handler would.
    if (reply !== undefined && !(error instanceof StorageError)) return settle(rt, running, { kind: 'failed', error });
    throw error;
  }
}

/** Runs an effect job's handler as attempt number `attempt`; throws what the handler throws. */
async function runEffect(rt: EngineRuntime, job: Row, attempt: number): Promise<unknown> {
  const tenantId = job.tenantId as string;
  const handler = rt.handlers[job.action as string];
  if (!handler) throw new StateError(`No effect handler named ${JSON.stringify(job.action)}: pass one in createWorkflowEngine({ actions })`);
  const instance = await rt.storage.findOne({ model: instanceModel, tenantId, id: job.instanceId as string });
  return handler({
    // The system scope (see EngineRuntime.tenant): an effect is the workflow's work, not a member's request.
    tenant: rt.tenant(tenantId),
    tenantId,
    instanceId: job.instanceId as string,
    workflowId: (instance?.workflowId as string | undefined) ?? '',
    subject: instance?.subjectType ? { type: instance.subjectType as string, id: instance.subjectId as string } : null,
    params: job.params as Record<string, unknown>,
    idempotencyKey: job.idempotencyKey as string,
    attempt,
    now: rt.clock.now(),
  });
}
