import { ConflictError, DuplicateError, newId, type Storage, StorageError, withRetry } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { instanceModel, triggerFireModel } from '../storage/models.js';
import type { FirePlan } from './action.js';

/** How one firing ended. @internal */
export type FireOutcome = 'started' | 'signalled' | 'ran' | 'duplicate' | 'failed' | 'skipped';

/** One firing of a trigger for one source. @internal */
export interface Firing {
  tenantId: string;
  triggerId: string;
  /** Unique per source of the trigger: event id, `record@date`, cron slot. */
  sourceKey: string;
  /** Evaluates the trigger's conditions and callbacks; undefined when the trigger does not apply. */
  plan: () => FirePlan | undefined;
}

async function alreadyFired(storage: Storage, firing: Firing): Promise<boolean> {
  const rows = await storage.findMany({
    model: triggerFireModel, tenantId: firing.tenantId,
    where: { triggerId: firing.triggerId, sourceKey: firing.sourceKey }, limit: 1, select: ['id'],
  });
  return rows.length > 0;
}

function fireRow(firing: Firing, status: string, instanceIds: string[], error: string | null, at: string) {
  return {
    id: newId(), createdAt: at, updatedAt: at, triggerId: firing.triggerId, sourceKey: firing.sourceKey,
    status, instanceIds, error, firedAt: at,
  };
}

/**
 * Fires a trigger once per source. Starting or signalling and the fire row
 * commit together, so a crash before commit fires again and a crash after it
 * is stopped by the unique (trigger, source) key. `run` callbacks are outside
 * any transaction, hence at least once. A callback that throws, or a start
 * or signal that fails for another reason than storage (a machine throwing
 * on its first transition), records a failed firing (inspectable, never
 * retried): the event feed is shared by every tenant, and one bad event must
 * not block it. Storage errors propagate and the source is retried.
 * @internal
 */
export async function fire(engine: WorkflowEngine, firing: Firing, onError: (error: unknown) => void): Promise<FireOutcome> {
  const storage = engine.storage;
  const { tenantId } = firing;
  const at = () => engine.clock.now().toISOString();
  const failed = async (error: unknown): Promise<FireOutcome> => {
    if (await alreadyFired(storage, firing)) return 'duplicate';
    onError(error);
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return record(undefined, () => storage.create({ model: triggerFireModel, tenantId, data: fireRow(firing, 'failed', [], text, at()) }), 'failed');
  };
  let plan: FirePlan | undefined;
  try {
    // Conditions first: most events match no trigger and must not cost a read.
    plan = firing.plan();
  } catch (error) {
    return failed(error);
  }
  if (!plan) return 'skipped';
  if (await alreadyFired(storage, firing)) return 'duplicate';
  const done = plan;
  if (done.kind === 'run') {
    try {
      await done.run();
    } catch (error) {
      return failed(error);
    }
  }
  const status = done.kind === 'start' ? 'started' : done.kind === 'signal' ? 'signalled' : 'ran';
  return record(failed,
    () => storage.transaction(async (tx) => {
      const ids: string[] = [];
      if (done.kind === 'start') {
        ids.push((await engine.startIn(tx, tenantId, done.workflowId, { subject: done.subject ?? undefined, input: done.input })).id);
      } else if (done.kind === 'signal') {
        const instances = await tx.findMany({
          model: instanceModel, tenantId, select: ['id'],
          where: { subjectType: done.subject.type, subjectId: done.subject.id, status: 'active', ...(done.workflowId ? { workflowId: done.workflowId } : {}) },
        });
        for (const instance of instances) {
          await engine.applyEvent(tx, tenantId, instance.id as string, done.event);
          ids.push(instance.id as string);
        }
      }
      await tx.create({ model: triggerFireModel, tenantId, data: fireRow(firing, status, ids, null, at()) });
    }),
    status,
  );
}

/**
 * Writes a firing; another runner having written it first is a duplicate, a
 * racing instance write is retried, storage failures propagate, and any other
 * error is recorded through `failed` when given.
 */
async function record(failed: ((error: unknown) => Promise<FireOutcome>) | undefined, write: () => Promise<unknown>, outcome: FireOutcome): Promise<FireOutcome> {
  try {
    await withRetry(write, { attempts: 20 });
    return outcome;
  } catch (error) {
    if (error instanceof DuplicateError) return 'duplicate';
    if (failed === undefined || error instanceof StorageError || error instanceof ConflictError) throw error;
    return failed(error);
  }
}
