import type { CrmEvent, CrmEventName } from '@crmkit/core';
import type { Subject } from '../definition.js';
import { type ActionSpec, targetWorkflow, type TriggerAction } from './action.js';
import { type FieldConditions, matchesConditions } from './match.js';

/** Options of {@link onEvent}, typed on the event name. */
export type EventTriggerOptions<K extends CrmEventName> = TriggerAction<CrmEvent<K>> & {
  /**
   * Stable id: firings are deduplicated per (trigger id, event id), so renaming
   * a trigger makes it a new one.
   * @default `<event type>-><workflow id>`
   */
  id?: string;
  /** Conditions on the payload (`e.data`) by dotted path; every one must hold. */
  where?: FieldConditions;
  /** A predicate on the whole event, checked after `where`. Must be pure: it may run more than once per event. */
  when?: (event: CrmEvent<K>) => boolean;
  /**
   * The record the started instance is about, or whose instances a signal
   * addresses.
   * @default `e.data.record` typed by the event name's entity (`deal.stageChanged` -> `{ type: 'deal', id: e.data.record.id }`)
   */
  subject?: (event: CrmEvent<K>) => Subject | null;
};

/** A trigger on a domain event, made by {@link onEvent}. */
export interface EventTrigger extends ActionSpec {
  /** Discriminates the kinds of trigger. */
  readonly kind: 'event';
  /** Unique among the triggers of a runner. */
  readonly id: string;
  /** The event name it listens to. */
  readonly eventType: CrmEventName;
  /** Whether an event fires it. @internal */
  matches(event: CrmEvent): boolean;
}

/** `deal.stageChanged` with a `record` -> the deal. */
function defaultSubject(event: CrmEvent): Subject | null {
  const record = (event.data as { record?: { id?: unknown } }).record;
  const type = event.type.split('.')[0] as string;
  return typeof record?.id === 'string' ? { type, id: record.id } : null;
}

/**
 * Starts or signals workflows when a domain event is committed. Delivery is
 * durable: the runner reads the `crm_event` outbox, so an event committed
 * before a crash still fires its triggers after the restart, and at most once
 * per (trigger, event).
 * @example
 * onEvent('deal.stageChanged', {
 *   where: { 'record.amount.minor': { gt: 1_000_000 } },
 *   when: (e) => e.data.change.toStageId === negotiationId,
 *   start: 'deal-stage-gates',
 *   input: (e) => ({ dealId: e.data.record.id }),
 * });
 */
export function onEvent<K extends CrmEventName>(type: K, options: EventTriggerOptions<K>): EventTrigger {
  const { where, when } = options;
  const id = options.id ?? `${type}->${targetWorkflow(options as TriggerAction<never>) ?? 'signal'}`;
  return {
    kind: 'event',
    id,
    eventType: type,
    action: options as TriggerAction<never>,
    subject: (options.subject ?? defaultSubject) as ActionSpec['subject'],
    matches(event) {
      if (event.type !== type) return false;
      if (where && !matchesConditions(event.data, where)) return false;
      return when ? when(event as CrmEvent<K>) : true;
    },
  };
}
