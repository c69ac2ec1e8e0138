import type { EventObject } from 'xstate';
import type { Subject } from '../definition.js';

/**
 * What a trigger does when it fires, given the thing that fired it (`C`: an
 * event, a record, a cron tick): start a new instance, or send an event to the
 * running instances of the subject.
 */
export type TriggerAction<C> =
  | {
      /** Id of the workflow to start (its newest version). */
      start: string;
      /** The machine's input. @default undefined */
      input?: (context: C) => unknown;
      signal?: never;
    }
  | {
      /** Sends an event to the active instances about the subject (which the trigger must then give). */
      signal: SignalTarget<C>;
      start?: never;
      input?: never;
    };

/** Which instances a signal trigger addresses and what it sends them. */
export interface SignalTarget<C> {
  /** Only instances of this workflow. @default every workflow about the subject */
  workflow?: string;
  /** The XState event to send. */
  event: (context: C) => EventObject;
}

/** What one firing does, with every user callback already evaluated. @internal */
export type FirePlan =
  | { kind: 'start'; workflowId: string; subject: Subject | null; input: unknown }
  | { kind: 'signal'; workflowId: string | undefined; subject: Subject; event: EventObject }
  | { kind: 'run'; run: () => Promise<void> | void };

/** Validated, type-erased action and subject of a trigger. @internal */
export interface ActionSpec {
  action: TriggerAction<never>;
  subject: ((context: never) => Subject | null) | undefined;
}

/** The workflow a trigger starts or signals (for validation and default ids). @internal */
export function targetWorkflow(action: TriggerAction<never>): string | undefined {
  return action.start ?? action.signal?.workflow;
}

/**
 * Evaluates the callbacks of an action for one firing. Throws when a callback
 * throws or a signal has no subject: the runner records that as a failed firing.
 * @internal
 */
export function planAction<C>(triggerId: string, spec: ActionSpec, context: C, defaultSubject: Subject | null = null): FirePlan {
  const subject = spec.subject ? (spec.subject as (c: C) => Subject | null)(context) : defaultSubject;
  const action = spec.action as TriggerAction<C>;
  if (action.start !== undefined) {
    return { kind: 'start', workflowId: action.start, subject, input: action.input?.(context) };
  }
  if (!subject) throw new Error(`Trigger ${triggerId} signals instances of a subject but found no subject`);
  return { kind: 'signal', workflowId: action.signal.workflow, subject, event: action.signal.event(context) };
}
