import type { EventEmitter } from 'eventemitter3';
import type { CrmEvent, CrmEventListener, CrmEventName } from './event-map.js';

/** The process-wide emitter; every event is emitted under its name and under `*`. */
export type CrmEmitter = EventEmitter<{ [K in CrmEventName]: [CrmEvent<K>] } & { '*': [CrmEvent] }>;

/** Where listener failures go. */
export interface ListenerErrors {
  readonly emitter: CrmEmitter;
  readonly onListenerError: (error: unknown, event: CrmEvent) => void;
}

/**
 * Reports a listener's failure. The report itself must not fail either: a
 * throwing (or rejecting) `onListenerError` would otherwise reject the write
 * that committed, or crash the process with an unhandled rejection.
 */
function report(onError: ListenerErrors['onListenerError'], error: unknown, event: CrmEvent): void {
  try {
    const result = onError(error, event) as unknown;
    if (result instanceof Promise) result.catch((failure: unknown) => lastResort(failure, error, event));
  } catch (failure) {
    lastResort(failure, error, event);
  }
}

function lastResort(failure: unknown, error: unknown, event: CrmEvent): void {
  console.error(`crmkit: onListenerError threw while reporting a failed listener of ${event.type}`, failure, error);
}

/**
 * Wraps a listener so that nothing it does can fail the write that emitted
 * the event: a throw is reported, a rejected promise (async listeners) too.
 */
export function safeListener(listener: (event: CrmEvent) => unknown, onError: ListenerErrors['onListenerError']): (event: CrmEvent) => void {
  return (event) => {
    try {
      const result = listener(event);
      if (result instanceof Promise) result.catch((error: unknown) => report(onError, error, event));
    } catch (error) {
      report(onError, error, event);
    }
  };
}

/** Emits committed events, each under its name and under `*`. Every listener is wrapped: this never throws. */
export function emitAll(runtime: ListenerErrors, events: readonly CrmEvent[]): void {
  const emitter = runtime.emitter as unknown as EventEmitter<string>;
  for (const event of events) {
    emitter.emit(event.type, event);
    emitter.emit('*', event);
  }
}

/**
 * Event subscriptions limited to one tenant. Listeners run after the
 * transaction that recorded the event committed; a listener that throws or
 * whose promise rejects is reported to `onListenerError` and never undoes or
 * fails the write.
 */
export class TenantEvents {
  readonly #runtime: ListenerErrors;
  readonly #tenantId: string;

  /** @internal */
  constructor(runtime: ListenerErrors, tenantId: string) {
    this.#runtime = runtime;
    this.#tenantId = tenantId;
  }

  /**
   * Listens to one event type (or `*` for all) in this tenant. The listener
   * may be async; its rejection is reported like a throw.
   * @returns a function that removes the listener.
   * @example
   * const off = t.events.on('deal.stageChanged', (e) => console.log(e.data.change.toStageId));
   */
  on<K extends CrmEventName>(type: K | '*', listener: CrmEventListener<K>): () => void {
    const tenantId = this.#tenantId;
    const safe = safeListener(listener as (e: CrmEvent) => unknown, this.#runtime.onListenerError);
    const wrapped = (event: CrmEvent) => {
      if (event.tenantId === tenantId) safe(event);
    };
    const emitter = this.#runtime.emitter as unknown as EventEmitter<string>;
    emitter.on(type, wrapped);
    return () => void emitter.off(type, wrapped);
  }

  /** Like {@link on}, but the listener runs for the first matching event only. */
  once<K extends CrmEventName>(type: K | '*', listener: CrmEventListener<K>): () => void {
    const off = this.on<K>(type, (event) => {
      off();
      return listener(event);
    });
    return off;
  }
}
