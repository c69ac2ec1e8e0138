import { startWorker } from '../runtime/worker.js';
import type { WorkflowQueue } from './queue.js';

/**
 * The queue of one process (SQLite, tests, small deployments): workers poll
 * the timer and job rows with `claimDue` and lease what is due. Timers fire
 * exactly once through the instance revision guard; effects go through the
 * engine's one settle path (fenced by the job row's version, retried with the
 * `retryBaseMs` backoff up to `maxAttempts`, then dead-lettered), as on
 * {@link graphileQueue}. Several processes may poll one Postgres database too
 * (leases and fences keep them apart), but {@link graphileQueue} is the
 * supported way to scale out.
 * @example
 * createWorkflowEngine({ crm, workflows, queue: builtinQueue() }); // the default
 */
export function builtinQueue(): WorkflowQueue {
  return { name: 'builtin', startWorker };
}
