import { type AnyMachineSnapshot, type AnyStateMachine, type EventObject, initialTransition, type StateValue, transition } from 'xstate';
import type { PersistedSnapshot } from '../definition.js';

/** A delayed event to store as a timer row. */
export interface PlannedTimer {
  /** XState's send id: `cancel(sendId)` and re-entering the state replace it. */
  sendId: string;
  event: EventObject;
  delayMs: number;
  /** The named delay of an `after` transition, when there is one (for business-hours delays). */
  delayName: string | undefined;
}

/** A named action to run after commit. */
export interface PlannedEffect {
  action: string;
  params: Record<string, unknown>;
}

/** Everything one transition changes, computed without side effects. */
export interface TransitionPlan {
  snapshot: PersistedSnapshot;
  status: 'active' | 'done' | 'error' | 'stopped';
  /** The state value as text: `a.b` for nested states, JSON for parallel ones. */
  state: string;
  timers: PlannedTimer[];
  cancels: string[];
  effects: PlannedEffect[];
}

/** `{ a: 'b' }` -> `a.b`; parallel values (several keys) stay JSON. */
export function stateText(value: StateValue): string {
  if (typeof value === 'string') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0] as string;
    const child = value[key];
    return child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${stateText(child)}`;
  }
  return JSON.stringify(value);
}

/** Restores a stored snapshot. Durable machines have no child actors, so no actor scope is needed. */
export function restore(machine: AnyStateMachine, snapshot: PersistedSnapshot): AnyMachineSnapshot {
  return machine.restoreSnapshot(snapshot as never, undefined as never) as AnyMachineSnapshot;
}

/** `xstate.after.<delay>.<state id>` -> `<delay>`; undefined for explicit ids. */
function delayNameOf(sendId: string): string | undefined {
  const match = /^xstate\.after\.([^.]+)\./.exec(sendId);
  return match?.[1];
}

/**
 * Runs XState's pure transition and sorts the resulting actions into what the
 * runtime must persist: delayed events become timers, cancels delete them, and
 * named actions become effects for the outbox. Anything that would run code
 * in-process is refused, since it would neither survive a crash nor run once.
 */
export function planTransition(
  machine: AnyStateMachine,
  from: { snapshot: PersistedSnapshot } | { input: unknown },
  event?: EventObject,
): TransitionPlan {
  const [next, actions] =
    'snapshot' in from
      ? transition(machine, restore(machine, from.snapshot), event as never)
      : initialTransition(machine, from.input as never);
  const plan: TransitionPlan = {
    snapshot: machine.getPersistedSnapshot(next) as PersistedSnapshot,
    status: next.status as TransitionPlan['status'],
    state: stateText(next.value),
    timers: [],
    cancels: [],
    effects: [],
  };
  for (const action of actions as { type: string; params?: Record<string, unknown> }[]) {
    const params = action.params ?? {};
    if (action.type === 'xstate.raise' && typeof params.delay !== 'number') {
      // XState already processed a non-delayed raise inside this macrostep; the action is only reported.
    } else if (action.type === 'xstate.raise' || action.type === 'xstate.sendTo') {
      if (typeof params.delay !== 'number') {
        throw new Error(`${machine.id}: only delayed ${action.type} actions are supported by the durable runtime`);
      }
      if (action.type === 'xstate.sendTo' && !isSelf(params.to, machine)) {
        throw new Error(`${machine.id}: delayed sendTo must target the machine itself; signal other instances with an effect`);
      }
      const sendId = String(params.id ?? `${machine.id}.${plan.timers.length}`);
      plan.timers.push({ sendId, event: params.event as EventObject, delayMs: params.delay, delayName: delayNameOf(sendId) });
    } else if (action.type === 'xstate.cancel') {
      plan.cancels.push(String(params.sendId));
    } else if (action.type.startsWith('xstate.')) {
      // assign, log, emit...: already applied to the snapshot or without effect outside it.
    } else {
      plan.effects.push({ action: action.type, params: toJson(params, `${machine.id} action ${action.type}`) });
    }
  }
  return plan;
}

/** Whether a sendTo target is the machine's own actor (the only target a timer can address). */
function isSelf(to: unknown, machine: AnyStateMachine): boolean {
  return to === undefined || (typeof to === 'object' && to !== null && (to as { logic?: unknown }).logic === machine);
}

/** Effect params are stored as JSON: refuse what JSON would silently lose. */
function toJson(params: Record<string, unknown>, what: string): Record<string, unknown> {
  const json = JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new Error(`${what}: params must be JSON (found a ${typeof value})`);
    }
    return value;
  });
  return JSON.parse(json) as Record<string, unknown>;
}
