import type { Storage } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { Applied } from './context.js';
import type { CacheView } from './instance-cache.js';

type Transaction = <T>(fn: (tx: Storage, view: CacheView | undefined) => Promise<T>) => Promise<T>;
type Apply = (tx: Storage, view: CacheView | undefined, tenantId: string, instanceId: string, event: EventObject) => Promise<Applied>;

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
  readonly #transaction: Transaction;
  readonly #apply: Apply;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining = false;

  constructor(transaction: Transaction, apply: Apply, maxBatch = 64) {
    this.#transaction = transaction;
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
        const batch = this.#queue.length <= this.#maxBatch ? this.#queue : this.#queue.slice(0, this.#maxBatch);
        this.#queue = this.#queue.length <= this.#maxBatch ? [] : this.#queue.slice(this.#maxBatch);
        let results: Applied[] | undefined;
        try {
          results = await this.#transaction(async (tx, view) => {
            const out: Applied[] = new Array(batch.length);
            for (let i = 0; i < batch.length; i++) {
              const item = batch[i]!;
              out[i] = await this.#apply(tx, view, item.tenantId, item.instanceId, item.event);
            }
            return out;
          });
        } catch {
          results = undefined;
        }
        if (results) {
          for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
          continue;
        }
        for (const item of batch) {
          try {
            item.resolve(await this.#transaction((tx, view) => this.#apply(tx, view, item.tenantId, item.instanceId, item.event)));
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
