import { StateError, ValidationError } from '../errors.js';
import {
  continueClock, isOverdue, pauseClock, reachClock, resumeClock, retargetClock, type SlaClock,
  type SlaRules, startClock, stopClock, toMinutes,
} from '../sla/sla-clock.js';
import type { SlaPolicy } from '../sla/sla.schema.js';
import type { Case, CaseActivity, CaseSla } from './case.schema.js';
import type { CasePriority, CaseStatus, SlaTargetName } from './case-values.js';

/** The fields of a case its lifecycle changes: status, SLA clocks and figures. */
export type CaseState = Pick<Case,
  | 'status' | 'priority' | 'sla' | 'openedAt' | 'firstResponseAt' | 'firstResponseDueAt' | 'nextResponseDueAt' | 'resolutionDueAt'
  | 'awaitingSince' | 'resolvedAt' | 'closedAt' | 'reopenCount' | 'pausedMinutes' | 'firstResponseMinutes' | 'firstResponseBusinessMinutes'
  | 'resolutionMinutes' | 'resolutionBusinessMinutes' | 'firstResponseBreached' | 'resolutionBreached' | 'nextResponseBreaches'>;

/** What happens to a case; the one path of live calls and imported history alike. */
export type CaseEvent =
  | { kind: 'status'; to: CaseStatus; at: string }
  | { kind: 'response'; at: string }
  | { kind: 'customerMessage'; at: string }
  | { kind: 'priority'; priority: CasePriority; at: string };

/** A history entry the step produced, without the ids the service adds. */
export type ActivityDraft = Pick<CaseActivity, 'kind' | 'at'> & Partial<Pick<CaseActivity, 'fromStatus' | 'toStatus' | 'interactionId' | 'target' | 'waitMinutes' | 'businessWaitMinutes' | 'breached' | 'data'>>;

/** The result of one event. */
export interface CaseStep {
  state: CaseState;
  activities: ActivityDraft[];
  /** The status changes it made, in order (a response to a new case opens it, a message to a resolved one reopens it). */
  statusChanges: { from: CaseStatus; to: CaseStatus }[];
  /** The response was the case's first. */
  firstResponse: boolean;
}

/** Where each status may go; `open` from `resolved` or `closed` is a reopen. */
export const caseTransitions: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ['open', 'pending', 'on_hold', 'resolved'],
  open: ['pending', 'on_hold', 'resolved'],
  pending: ['open', 'on_hold', 'resolved'],
  on_hold: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

const rulesOf = (sla: CaseSla): SlaRules => sla;
const isPaused = (status: CaseStatus, sla: CaseSla) => status === 'pending' || (status === 'on_hold' && sla.pauseOnHold);
const mapClocks = (sla: CaseSla, fn: (clock: SlaClock) => SlaClock): CaseSla['clocks'] => ({
  firstResponse: sla.clocks.firstResponse && fn(sla.clocks.firstResponse),
  nextResponse: sla.clocks.nextResponse && fn(sla.clocks.nextResponse),
  resolution: sla.clocks.resolution && fn(sla.clocks.resolution),
});

/** The SLA of a new case: the policy's rules copied, first response and resolution clocks started at `openedAt`. */
export function openCase(policy: SlaPolicy | undefined, priority: CasePriority, openedAt: string): CaseState {
  const targets = policy?.targets ?? {};
  const base: CaseSla = {
    policyId: policy?.id ?? null, policyName: policy?.name ?? null, businessHours: policy?.businessHours ?? false,
    calendar: policy?.calendar ?? null, pauseOnHold: policy?.pauseOnHold ?? false, warnBeforeMinutes: policy?.warnBeforeMinutes ?? null,
    targets, pausedSince: null, pausedMs: 0, clocks: { firstResponse: null, nextResponse: null, resolution: null },
  };
  const target = targets[priority] ?? {};
  const sla: CaseSla = {
    ...base,
    clocks: {
      firstResponse: startClock(openedAt, target.firstResponseMinutes ?? null, base, false),
      nextResponse: null,
      resolution: startClock(openedAt, target.resolutionMinutes ?? null, base, false),
    },
  };
  return withDueTimes({
    status: 'new', priority, sla, openedAt, firstResponseAt: null, firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null,
    awaitingSince: null, resolvedAt: null, closedAt: null, reopenCount: 0, pausedMinutes: 0, firstResponseMinutes: null,
    firstResponseBusinessMinutes: null, resolutionMinutes: null, resolutionBusinessMinutes: null, firstResponseBreached: null,
    resolutionBreached: null, nextResponseBreaches: 0,
  });
}

/** The due-time columns copied from the clocks. */
function withDueTimes(state: CaseState): CaseState {
  const { clocks } = state.sla;
  return {
    ...state,
    firstResponseDueAt: clocks.firstResponse?.dueAt ?? null,
    nextResponseDueAt: clocks.nextResponse?.dueAt ?? null,
    resolutionDueAt: clocks.resolution?.dueAt ?? null,
    pausedMinutes: toMinutes(state.sla.pausedMs),
  };
}

/**
 * Applies one event to a case's state.
 * @throws {StateError} for a move the status machine does not allow, or a response / message on a closed case
 * @throws {ValidationError} for an event dated before the case opened
 */
export function applyCaseEvent(state: CaseState, event: CaseEvent): CaseStep {
  if (Date.parse(event.at) < Date.parse(state.openedAt)) throw ValidationError.single(`The case opened at ${state.openedAt}, after ${event.at}`, ['at']);
  const step: CaseStep = { state, activities: [], statusChanges: [], firstResponse: false };
  switch (event.kind) {
    case 'status':
      changeStatus(step, event.to, event.at);
      break;
    case 'priority':
      retarget(step, event.priority, event.at);
      break;
    case 'response':
      respond(step, event.at);
      break;
    case 'customerMessage':
      customerMessage(step, event.at);
      break;
  }
  step.state = withDueTimes(step.state);
  return step;
}

/**
 * Applies events in order, gathering their history entries and status changes.
 * @throws {StateError} as {@link applyCaseEvent}
 */
export function applyCaseEvents(state: CaseState, events: readonly CaseEvent[]): CaseStep {
  const step: CaseStep = { state, activities: [], statusChanges: [], firstResponse: false };
  for (const event of events) {
    const next = applyCaseEvent(step.state, event);
    step.state = next.state;
    step.activities.push(...next.activities);
    step.statusChanges.push(...next.statusChanges);
    step.firstResponse ||= next.firstResponse;
  }
  return step;
}

function changeStatus(step: CaseStep, to: CaseStatus, at: string): void {
  const from = step.state.status;
  if (from === to) return;
  if (!caseTransitions[from].includes(to)) throw new StateError(`A case cannot go from ${from} to ${to}`);
  const reopening = to === 'open' && (from === 'resolved' || from === 'closed');
  let s = step.state;
  let sla = s.sla;
  const rules = rulesOf(sla);
  const wasPaused = sla.pausedSince !== null;
  const pauses = isPaused(to, sla);
  if (wasPaused && !pauses) {
    sla = { ...sla, pausedSince: null, pausedMs: sla.pausedMs + Math.max(0, Date.parse(at) - Date.parse(sla.pausedSince!)) };
    if (to !== 'resolved') sla = { ...sla, clocks: mapClocks(sla, (c) => resumeClock(c, at, rules)) };
  } else if (!wasPaused && pauses) {
    sla = { ...sla, pausedSince: at, clocks: mapClocks(sla, (c) => pauseClock(c, at, rules)) };
  }
  s = { ...s, status: to, sla };
  if (to === 'resolved') s = resolve(s, at);
  if (to === 'closed') s = { ...s, closedAt: at };
  if (reopening) {
    const resolution = sla.clocks.resolution && continueClock(sla.clocks.resolution, at, rules, false);
    s = {
      ...s, sla: { ...s.sla, clocks: { ...s.sla.clocks, resolution } }, reopenCount: s.reopenCount + 1, resolvedAt: null, closedAt: null,
      resolutionMinutes: null, resolutionBusinessMinutes: null, resolutionBreached: null,
    };
  }
  step.state = s;
  step.statusChanges.push({ from, to });
  step.activities.push({ kind: reopening ? 'reopened' : 'status', at, fromStatus: from, toStatus: to });
}

/** Resolution reached: its figures stored; response clocks still waiting end without being reached. */
function resolve(s: CaseState, at: string): CaseState {
  const rules = rulesOf(s.sla);
  const { firstResponse, nextResponse, resolution } = s.sla.clocks;
  const reached = resolution && reachClock(resolution, at, rules);
  const unanswered = firstResponse && (firstResponse.state === 'running' || firstResponse.state === 'paused') ? firstResponse : null;
  return {
    ...s,
    sla: { ...s.sla, clocks: { firstResponse: firstResponse && stopClock(firstResponse, at, rules), nextResponse: nextResponse && stopClock(nextResponse, at, rules), resolution: reached } },
    resolvedAt: at,
    resolutionMinutes: reached ? toMinutes(reached.elapsedMs) : null,
    resolutionBusinessMinutes: reached ? toMinutes(reached.elapsedBusinessMs) : null,
    resolutionBreached: reached && reached.targetMinutes !== null ? reached.state === 'breached' : null,
    // Never answered: breached when it was already overdue, else unknown.
    firstResponseBreached: unanswered && isOverdue(unanswered, at, rules) ? true : s.firstResponseBreached,
    awaitingSince: null,
  };
}

function retarget(step: CaseStep, priority: CasePriority, at: string): void {
  const s = step.state;
  if (s.priority === priority) return;
  const rules = rulesOf(s.sla);
  const target = s.sla.targets[priority] ?? {};
  const minutes: Record<SlaTargetName, number | null> = {
    firstResponse: target.firstResponseMinutes ?? null, nextResponse: target.nextResponseMinutes ?? null, resolution: target.resolutionMinutes ?? null,
  };
  const clocks = { ...s.sla.clocks };
  for (const name of ['firstResponse', 'nextResponse', 'resolution'] as const) {
    const clock = clocks[name];
    if (clock) clocks[name] = retargetClock(clock, minutes[name], at, rules);
  }
  step.state = { ...s, priority, sla: { ...s.sla, clocks } };
  step.activities.push({ kind: 'priority', at, data: { from: s.priority, to: priority } });
}

function respond(step: CaseStep, at: string): void {
  const status = step.state.status;
  if (status === 'resolved' || status === 'closed') throw new StateError(`A ${status} case takes no response; reopen it first`);
  if (status === 'new') changeStatus(step, 'open', at);
  const s = step.state;
  const rules = rulesOf(s.sla);
  const { firstResponse, nextResponse } = s.sla.clocks;
  if (s.firstResponseAt === null && firstResponse) {
    const reached = reachClock(firstResponse, at, rules);
    step.firstResponse = true;
    const breached = reached.targetMinutes === null ? null : reached.state === 'breached';
    step.state = {
      ...s, sla: { ...s.sla, clocks: { ...s.sla.clocks, firstResponse: reached } }, firstResponseAt: at,
      firstResponseMinutes: toMinutes(reached.elapsedMs), firstResponseBusinessMinutes: toMinutes(reached.elapsedBusinessMs),
      firstResponseBreached: breached, awaitingSince: null,
    };
    step.activities.push({ kind: 'response', at, target: 'firstResponse', waitMinutes: toMinutes(reached.elapsedMs), businessWaitMinutes: toMinutes(reached.elapsedBusinessMs), breached });
    return;
  }
  if (s.awaitingSince !== null && nextResponse) {
    const reached = reachClock(nextResponse, at, rules);
    const breached = reached.targetMinutes === null ? null : reached.state === 'breached';
    step.state = {
      ...s, sla: { ...s.sla, clocks: { ...s.sla.clocks, nextResponse: null } }, awaitingSince: null,
      nextResponseBreaches: s.nextResponseBreaches + (breached ? 1 : 0),
    };
    step.activities.push({ kind: 'response', at, target: 'nextResponse', waitMinutes: toMinutes(reached.elapsedMs), businessWaitMinutes: toMinutes(reached.elapsedBusinessMs), breached });
    return;
  }
  step.activities.push({ kind: 'response', at });
}

function customerMessage(step: CaseStep, at: string): void {
  const status = step.state.status;
  if (status === 'closed') throw new StateError('A closed case takes no message; open a new case');
  // The customer answered: a case waiting on them, or resolved, is worked on again.
  if (status === 'pending' || status === 'resolved') changeStatus(step, 'open', at);
  const s = step.state;
  step.activities.push({ kind: 'customer_message', at });
  if (s.firstResponseAt === null || s.awaitingSince !== null) return;
  const target = s.sla.targets[s.priority]?.nextResponseMinutes ?? null;
  const clock = startClock(at, target, rulesOf(s.sla), s.sla.pausedSince !== null);
  step.state = { ...s, awaitingSince: at, sla: { ...s.sla, clocks: { ...s.sla.clocks, nextResponse: clock } } };
}
