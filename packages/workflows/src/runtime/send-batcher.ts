import type { Row, Storage } from '@crmkit/core';
import type { EventObject } from 'xstate';

/** What applying one event produced (see `WorkflowEngine.applyEvent`). */
export type Applied = { row: Row; fired: boolean } | undefined;

type Apply = (tx: Storage, tenantId: string, instanceId: string, event: EventObject) => Promise<Applied>;

interface Pending {
  tenantId: string;
  instanceId: string;
  event: EventObject;
  resolve: (applied: Applied) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for databases with one writer connection (SQLite): events sent
 * while a transaction is running wait and then share the next transaction, so
 * concurrent senders pay for one commit per batch instead of one per event.
 * Events apply in the order they were sent; two events of one instance in a
 * batch see each other's writes. If anything in a batch fails, the batch rolls
 * back and its events are applied one transaction each, so only the failing
 * event fails.
 */
export class SendBatcher {
  readonly #storage: Storage;
  readonly #apply: Apply;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining = false;

  constructor(storage: Storage, apply: Apply, maxBatch = 64) {
    this.#storage = storage;
    this.#apply = apply;
    this.#maxBatch = maxBatch;
  }

  /** Applies `event` in the next batch; resolves when that batch committed. */
  send(tenantId: string, instanceId: string, event: EventObject): Promise<Applied> {
    return new Promise<Applied>((resolve, reject) => {
      this.#queue.push({ tenantId, instanceId, event, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        let results: Applied[] | undefined;
        try {
          results = await this.#storage.transaction(async (tx) => {
            const out: Applied[] = [];
            for (const item of batch) out.push(await this.#apply(tx, item.tenantId, item.instanceId, item.event));
            return out;
          });
        } catch {
          results = undefined;
        }
        if (results) {
          batch.forEach((item, i) => item.resolve(results[i]));
          continue;
        }
        for (const item of batch) {
          try {
            item.resolve(await this.#storage.transaction((tx) => this.#apply(tx, item.tenantId, item.instanceId, item.event)));
          } catch (error) {
            item.reject(error);
          }
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
