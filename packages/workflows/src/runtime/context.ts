import type { Clock, Crm, Row, Storage, StorageAdapter, TenantScope } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { BusinessCalendar } from '@crmkit/core';
import type { EffectHandler } from '../effects/effect.js';
import type { WorkflowQueue } from '../queue/queue.js';
import type { WorkflowRegistry } from '../registry.js';
import type { CacheView } from './instance-cache.js';

/** The engine options every module of the runtime reads, resolved to their defaults. */
export interface EngineSettings {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly leaseMs: number;
  readonly history: boolean;
}

/** What applying one event produced: the instance row after it and whether a transition was written; undefined when there is no such instance. */
export type Applied = { row: Row; fired: boolean } | undefined;

/** Options of {@link EngineRuntime.apply}. */
export interface ApplyOptions {
  /**
   * The transaction's view of the instance cache, when the caller commits the
   * transaction itself and tells the view (see `EngineRuntime.transaction`).
   * Without one the stored row is read and the cached copy dropped.
   */
  view?: CacheView | undefined;
  /**
   * Runs once the instance row is read (and locked), before the transition:
   * `false` drops the event. A fired timer deletes its row here, so that every
   * deletion of a timer happens under its instance's lock.
   */
  claim?: (tx: Storage) => Promise<boolean>;
}

/**
 * The engine's internals, passed explicitly to the runtime and queue modules
 * instead of reaching into the public engine: storage, clock, settings, the
 * handlers, the queue and the one apply path. Not part of the public API.
 */
export interface EngineRuntime {
  readonly crm: Crm;
  readonly storage: StorageAdapter;
  readonly clock: Clock;
  readonly registry: WorkflowRegistry;
  readonly handlers: Readonly<Record<string, EffectHandler>>;
  readonly queue: WorkflowQueue;
  readonly settings: EngineSettings;
  /** Applies one event to an instance inside `tx` (the only way a stored instance changes state). */
  apply(tx: Storage, tenantId: string, instanceId: string, event: EventObject, options?: ApplyOptions): Promise<Applied>;
  /** Runs `fn` in a transaction with a cache view that is kept only if the transaction commits. */
  transaction<T>(fn: (tx: Storage, view: CacheView | undefined) => Promise<T>): Promise<T>;
  /** The CRM services of a tenant, for effect handlers (one scope per tenant, reused). */
  tenant(tenantId: string): TenantScope;
  /** The business calendar, for delays counted in working time. */
  readonly calendar: BusinessCalendar | undefined;
}
