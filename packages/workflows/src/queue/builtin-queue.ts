import { startWorker } from '../runtime/worker.js';
import type { WorkflowQueue } from './queue.js';

/**
 * The queue of one process (SQLite, tests, small deployments): workers poll the
 * timer and job rows with `claimDue`, lease what is due, fire timers exactly
 * once through the instance revision guard, and retry effects with exponential
 * backoff (`retryBaseMs`) up to `maxAttempts` before dead-lettering them.
 * Several processes may poll one Postgres database too (leases keep them
 * apart), but {@link graphileQueue} is the supported way to scale out.
 * @example
 * createWorkflowEngine({ crm, workflows, queue: builtinQueue() }); // the default
 */
export function builtinQueue(): WorkflowQueue {
  return { name: 'builtin', startWorker };
}
