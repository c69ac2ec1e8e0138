import type { Row, Storage } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import type { Worker, WorkerOptions } from '../runtime/worker.js';

/** What one transition wrote that a queue may have to deliver or withdraw. */
export interface QueueWrites {
  tenantId: string;
  instanceId: string;
  /** Timer rows created (a send id already pending is replaced by its new row). */
  timers: readonly Row[];
  /** Send ids of timers deleted and not replaced: cancelled, or the instance finished. */
  cancelledSendIds: readonly string[];
  /** Effect job rows created. */
  jobs: readonly Row[];
}

/**
 * How timers and effect jobs reach a worker. Timer and job rows stay the source
 * of truth (they carry the instance guard, `deadJobs` and `retryJob` read them);
 * a queue only decides how a worker learns that one is due. The built-in queue
 * polls those rows with `claimDue`; {@link graphileQueue} enqueues a
 * graphile-worker job for each in the very transaction that writes the row.
 */
export interface WorkflowQueue {
  /** For messages: `builtin`, `graphile-worker`. */
  readonly name: string;
  /**
   * Called inside the transaction that writes a transition, after its rows:
   * whatever it enqueues commits or rolls back with them.
   * @default none (the built-in runner finds rows by polling)
   */
  enqueue?(tx: Storage, writes: QueueWrites): Promise<void>;
  /** Called inside `retryJob`'s transaction with the job row put back to pending. */
  requeueJob?(tx: Storage, job: Row): Promise<void>;
  /** Installs what the queue needs in the database (called by `engine.migrate()` after the workflow tables). */
  migrate?(engine: WorkflowEngine): Promise<void>;
  /** Starts delivering in this process. */
  startWorker(engine: WorkflowEngine, options: WorkerOptions): Worker;
}
