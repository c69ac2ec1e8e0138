import type { Row } from '@crmkit/core';
import type { AnyMachineSnapshot } from 'xstate';
import type { WorkflowDefinition } from '../definition.js';

/** An instance as this process last wrote it: the stored row, and the live snapshot its stored one restores to. */
export interface CachedInstance {
  row: Row;
  /** The definition that computed `live`: reused only for the same definition (no migration in between). */
  definition: WorkflowDefinition;
  live: AnyMachineSnapshot;
}

/**
 * The instances this process wrote last, so that the next event to a hot
 * instance skips reading its row and restoring its snapshot. Only for single-writer databases (SQLite), where
 * a write transaction has the whole database: an entry is a hint, never
 * trusted, because every write that uses it is guarded by the revision it
 * holds. If anything else moved the instance on (another process on the same
 * file, another engine), the guarded write touches no row and the event is
 * computed again from the stored row, in the same transaction.
 *
 * Entries are evicted oldest-written first beyond `capacity`.
 */
export class InstanceCache {
  readonly #entries = new Map<string, CachedInstance>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  static key(tenantId: string, instanceId: string): string {
    return `${tenantId}\u0000${instanceId}`;
  }

  get(key: string): CachedInstance | undefined {
    return this.#entries.get(key);
  }

  set(key: string, entry: CachedInstance): void {
    // Re-inserting moves the key to the end: the Map's order is the eviction order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** A view for one transaction: its writes become visible to others only on {@link CacheView.commit}. */
  view(): CacheView {
    return new CacheView(this);
  }
}

/**
 * One transaction's window on the cache: reads see the transaction's own
 * writes first (two events of one instance in a group-commit batch), and those
 * writes reach the shared cache only when the transaction has committed.
 */
export class CacheView {
  readonly #cache: InstanceCache;
  readonly #staged = new Map<string, CachedInstance | undefined>();

  constructor(cache: InstanceCache) {
    this.#cache = cache;
  }

  get(key: string): CachedInstance | undefined {
    return this.#staged.has(key) ? this.#staged.get(key) : this.#cache.get(key);
  }

  /** Stages the instance as written, or `undefined` to drop the entry (not cacheable, or unknown). */
  set(key: string, entry: CachedInstance | undefined): void {
    this.#staged.set(key, entry);
  }

  /** Publishes the staged rows: call only after the transaction committed. */
  commit(): void {
    for (const [key, entry] of this.#staged) {
      if (entry === undefined) this.#cache.delete(key);
      else this.#cache.set(key, entry);
    }
    this.#staged.clear();
  }
}

/**
 * Whether a value survives a JSON round trip unchanged: a cached snapshot must
 * behave exactly as the stored one restores, or an instance would behave
 * differently before and after a restart (a `Date` in the context comes back
 * from storage as a string). `undefined` is allowed only as a property value
 * at the top level of a snapshot (`output`, `error`), which XState treats as
 * absent either way.
 */
export function isJsonSafe(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > 64) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (item === undefined || !isJsonSafe(item, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined ? depth > 0 : !isJsonSafe(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
