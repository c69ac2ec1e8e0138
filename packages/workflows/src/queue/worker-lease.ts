import { defineModel, newId, NotFoundError, type Storage } from '@crmkit/core';

/**
 * One live worker process of the graphile queue and the graphile-worker ids
 * it runs under, renewed every third of `leaseMs`. A row whose `dueAt` has
 * passed belongs to a process that died (or hung): jobs locked by its ids
 * are handed back to the queue.
 */
export const queueWorkerModel = defineModel({
  name: 'workflowQueueWorker',
  table: 'crmkit_wf_queue_worker',
  versioned: false,
  fields: {
    workerIds: { type: 'json' },
    dueAt: { type: 'timestamp' },
  },
  indexes: [{ name: 'due', fields: ['dueAt'] }],
});

/** Worker rows are the queue's, not a customer's: they live in a tenant of their own. */
export const queueTenant = 'crmkit:queue';

/** The heartbeat row of this process. */
export class WorkerLease {
  readonly id = newId();

  constructor(
    private readonly storage: Storage,
    private readonly leaseMs: number,
  ) {}

  /** Writes (or re-creates, after another process swept it away) this process's row. */
  async renew(now: Date, workerIds: readonly string[]): Promise<void> {
    const at = now.toISOString();
    const data = { workerIds: [...workerIds], dueAt: new Date(now.getTime() + this.leaseMs).toISOString(), updatedAt: at };
    try {
      await this.storage.update({ model: queueWorkerModel, tenantId: queueTenant, id: this.id, data });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await this.storage.create({ model: queueWorkerModel, tenantId: queueTenant, data: { id: this.id, createdAt: at, ...data } });
    }
  }

  /** The graphile worker ids of every process whose lease runs, this one's included. */
  async liveWorkerIds(now: Date): Promise<string[]> {
    const rows = await this.storage.findMany({ model: queueWorkerModel, tenantId: queueTenant, where: { dueAt: { gt: now.toISOString() } } });
    return rows.flatMap((row) => row.workerIds as string[]);
  }

  /** Forgets processes whose lease ran out long ago (their jobs are released by then). */
  async forgetStale(now: Date): Promise<void> {
    const before = new Date(now.getTime() - 10 * this.leaseMs).toISOString();
    await this.storage.deleteMany({ model: queueWorkerModel, tenantId: queueTenant, where: { dueAt: { lt: before } } });
  }

  /** Removes this process's row on a clean stop. */
  async release(): Promise<void> {
    await this.storage.deleteMany({ model: queueWorkerModel, tenantId: queueTenant, where: { id: this.id } });
  }
}
