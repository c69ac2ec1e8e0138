import type { EventEmitter } from 'eventemitter3';
import type { CrmEvent, CrmEventListener, CrmEventName } from './event-map.js';

/** The process-wide emitter; every event is emitted under its name and under `*`. */
export type CrmEmitter = EventEmitter<{ [K in CrmEventName]: [CrmEvent<K>] } & { '*': [CrmEvent] }>;

/**
 * Event subscriptions limited to one tenant. Listeners run after the
 * transaction that recorded the event committed; an exception in a listener is
 * reported to `onListenerError` and never undoes or fails the write.
 */
export class TenantEvents {
  readonly #emitter: CrmEmitter;
  readonly #tenantId: string;
  readonly #onError: (error: unknown, event: CrmEvent) => void;

  /** @internal */
  constructor(emitter: CrmEmitter, tenantId: string, onError: (error: unknown, event: CrmEvent) => void) {
    this.#emitter = emitter;
    this.#tenantId = tenantId;
    this.#onError = onError;
  }

  /**
   * Listens to one event type (or `*` for all) in this tenant.
   * @returns a function that removes the listener.
   * @example
   * const off = t.events.on('deal.stageChanged', (e) => console.log(e.data.change.toStageId));
   */
  on<K extends CrmEventName>(type: K | '*', listener: CrmEventListener<K>): () => void {
    const tenantId = this.#tenantId;
    const onError = this.#onError;
    // One failing listener must not keep the others from hearing the event.
    const wrapped = (event: CrmEvent) => {
      if (event.tenantId !== tenantId) return;
      try {
        (listener as (e: CrmEvent) => void)(event);
      } catch (error) {
        onError(error, event);
      }
    };
    const emitter = this.#emitter as unknown as EventEmitter<string>;
    emitter.on(type, wrapped);
    return () => void emitter.off(type, wrapped);
  }

  /** Like {@link on}, but the listener runs for the first matching event only. */
  once<K extends CrmEventName>(type: K | '*', listener: CrmEventListener<K>): () => void {
    const off = this.on<K>(type, (event) => {
      off();
      listener(event);
    });
    return off;
  }
}
