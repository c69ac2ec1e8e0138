import { type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, createActor, type EventObject, type StateValue } from 'xstate';
import type { PersistedSnapshot } from '../definition.js';
import { WorkflowDefinitionError } from '../errors.js';

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

/** A machine's inert actor scope and the list its action executor fills. */
interface Scope {
  scope: AnyActorScope;
  actions: { type: string; params?: Record<string, unknown> }[];
}

const scopes = new WeakMap<AnyStateMachine, Scope>();

/**
 * One inert actor scope per machine, reused by every transition. XState's own
 * `transition()` builds a fresh actor (and runs the machine's initial state)
 * on every call: 31 us of the 35 us a toggle transition took, measured with
 * the benchmark's machine. Reuse is safe because durable machines have no
 * children (a spawn is refused below), so nothing registers in the scope's
 * system, and transitions are synchronous, so one call never sees another's
 * actions.
 */
function scopeOf(machine: AnyStateMachine): Scope {
  let entry = scopes.get(machine);
  if (entry === undefined) {
    const self = createActor(machine);
    const actions: Scope['actions'] = [];
    const scope = {
      self, id: '', sessionId: '', system: self.system,
      defer: () => {}, logger: () => {}, stopChild: () => {}, emit: () => {},
      actionExecutor: (action: Scope['actions'][number]) => {
        actions.push(action);
      },
    } as unknown as AnyActorScope;
    entry = { scope, actions };
    scopes.set(machine, entry);
  }
  return entry;
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
  if ('snapshot' in from) return transitionFrom(machine, restore(machine, from.snapshot), {}, event).plan;
  return transitionFrom(machine, undefined, from).plan;
}

/**
 * {@link planTransition} from a live snapshot (`undefined` for the initial
 * transition with `from.input`), also returning the live next snapshot, which
 * the instance cache keeps so that the next event skips restoring it. @internal
 */
export function transitionFrom(
  machine: AnyStateMachine,
  live: AnyMachineSnapshot | undefined,
  from: { input?: unknown },
  event?: EventObject,
): { plan: TransitionPlan; next: AnyMachineSnapshot } {
  const { scope, actions: executed } = scopeOf(machine);
  executed.length = 0;
  const next = (
    live !== undefined
      ? machine.transition(live as never, event as never, scope as never)
      : machine.getInitialSnapshot(scope as never, from.input as never)
  ) as AnyMachineSnapshot;
  const actions = executed.splice(0);
  const plan: TransitionPlan = {
    snapshot: machine.getPersistedSnapshot(next) as PersistedSnapshot,
    status: next.status as TransitionPlan['status'],
    state: stateText(next.value),
    timers: [],
    cancels: [],
    effects: [],
  };
  for (const action of actions) {
    const params = action.params ?? {};
    if (action.type === 'xstate.raise' && typeof params.delay !== 'number') {
      // XState already processed a non-delayed raise inside this macrostep; the action is only reported.
    } else if (action.type === 'xstate.raise' || action.type === 'xstate.sendTo') {
      if (typeof params.delay !== 'number') {
        throw new WorkflowDefinitionError(`${machine.id}: only delayed ${action.type} actions are supported by the durable runtime`, machine.id);
      }
      if (action.type === 'xstate.sendTo' && !isSelf(params.to, machine)) {
        throw new WorkflowDefinitionError(`${machine.id}: delayed sendTo must target the machine itself; signal other instances with an effect`, machine.id);
      }
      const sendId = String(params.id ?? `${machine.id}.${plan.timers.length}`);
      plan.timers.push({ sendId, event: params.event as EventObject, delayMs: params.delay, delayName: delayNameOf(sendId) });
    } else if (action.type === 'xstate.cancel') {
      plan.cancels.push(String(params.sendId));
    } else if (action.type === 'xstate.spawnChild') {
      // A child actor lives in memory only: it would not survive a restart, nor run once.
      throw new WorkflowDefinitionError(`${machine.id}: child actors (invoke, spawnChild) are not supported by the durable runtime`, machine.id);
    } else if (action.type.startsWith('xstate.')) {
      // assign, log, emit...: already applied to the snapshot or without effect outside it.
    } else {
      plan.effects.push({ action: action.type, params: toJson(params, `${machine.id} action ${action.type}`, machine.id) });
    }
  }
  return { plan, next };
}

/** Whether a sendTo target is the machine's own actor (the only target a timer can address). */
function isSelf(to: unknown, machine: AnyStateMachine): boolean {
  return to === undefined || (typeof to === 'object' && to !== null && (to as { logic?: unknown }).logic === machine);
}

/** Effect params are stored as JSON: refuse what JSON would silently lose. */
function toJson(params: Record<string, unknown>, what: string, machineId: string): Record<string, unknown> {
  const json = JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new WorkflowDefinitionError(`${what}: params must be JSON (found a ${typeof value})`, machineId);
    }
    return value;
  });
  return JSON.parse(json) as Record<string, unknown>;
}
