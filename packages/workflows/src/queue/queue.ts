import type { Row, Storage } from '@crmkit/core';
import type { EngineRuntime } from '../runtime/context.js';
import type { Worker, WorkerOptions } from '../runtime/worker.js';

/** What one write of the runtime changed that a queue may have to deliver or withdraw. */
export interface QueueWrites {
  tenantId: string;
  instanceId: string;
  /** Timer rows created (a send id already pending is replaced by its new row). */
  timers: readonly Row[];
  /** Send ids of timers deleted and not replaced: cancelled, or the instance finished or was stopped. */
  cancelledSendIds: readonly string[];
  /** Effect job rows created. */
  jobs: readonly Row[];
  /** Pending effect jobs withdrawn (the instance was stopped). */
  cancelledJobs?: readonly Row[];
}

/**
 * How due timers and effect jobs reach workers. Make one with
 * {@link builtinQueue} (the default) or {@link graphileQueue}.
 *
 * Timer and job rows stay the source of truth: they carry the instance guard
 * and the job fence, and `deadJobs` and `retryJob` read them. A queue only
 * decides how a worker learns that one is due; every queue delivers through
 * the same fire and settle functions, so retries, dead letters and fencing
 * behave alike.
 */
export interface WorkflowQueue {
  /** For messages: `builtin`, `graphile-worker`. */
  readonly name: string;
  /**
   * Called inside the transaction that writes a transition (or stops an
   * instance), after its rows: whatever it enqueues commits or rolls back with them.
   * @internal
   */
  enqueue?(tx: Storage, writes: QueueWrites): Promise<void>;
  /**
   * Called inside the transaction that puts a job row back to pending (a
   * failed attempt to retry at its `dueAt`, or `retryJob`).
   * @internal
   */
  requeueJob?(tx: Storage, job: Row): Promise<void>;
  /**
   * Installs what the queue needs in the database (called by `engine.migrate()` after the workflow tables).
   * @internal
   */
  migrate?(runtime: EngineRuntime): Promise<void>;
  /**
   * Starts delivering in this process.
   * @internal
   */
  startWorker(runtime: EngineRuntime, options: WorkerOptions): Worker;
}
