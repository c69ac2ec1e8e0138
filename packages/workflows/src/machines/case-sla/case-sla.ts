import { assign, raise, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import { effect } from '../../effects/effect.js';
import type { EscalationTaskParams } from '../../effects/escalation-task.js';
import type { RecordSlaEventParams } from '../../effects/record-sla-event.js';
import { type CaseSlaTimes, dueField, hasTimes, msUntil, type SlaTarget, targetLabel } from './sla-times.js';

const MINUTE = 60_000;

/** Input of the `case-sla` workflow (subject: the case). */
export interface CaseSlaInput {
  caseId: string;
  /** The case number, for task titles (`#123`). */
  number?: number | null;
  /** The case's team: its manager gets the first escalation. */
  teamId?: string | null;
  /** The due times at the start (the created case's); without them the timers wait for the first `sla.updated`. */
  times?: CaseSlaTimes | null;
  /**
   * Minutes after the first escalation (to the team's manager) before the
   * second (to the manager of the parent team); null for no second level.
   * @default 120
   */
  escalateAfterMinutes?: number | null;
}

/** Events of the `case-sla` workflow; triggers map the case's domain events to them (see `caseSlaTriggers`). */
export type CaseSlaEvent =
  /** The case's due times changed (paused, resumed, reached, priority changed): `case.slaChanged`. */
  | ({ type: 'sla.updated' } & CaseSlaTimes)
  /** `case.statusChanged`: a resolved case stops escalating. */
  | ({ type: 'statusChanged'; status: string } & CaseSlaTimes)
  /** `case.reopened`: the resolution clock runs again with the due time it comes with. */
  | ({ type: 'reopened' } & CaseSlaTimes)
  /** `case.closed`: the instance ends. */
  | { type: 'closed' }
  /** Escalate now (a breach raises it; a host may send it to escalate by hand). */
  | { type: 'escalate'; target?: SlaTarget | null }
  /** Internal: one target's due time changed. */
  | { type: 'sla.targetChanged'; target: SlaTarget; dueAt: string | null }
  /** Internal: the case was resolved, the escalation ends. */
  | { type: 'escalation.reset' };

/** Context of the `case-sla` workflow. */
export interface CaseSlaContext {
  caseId: string;
  number: number | null;
  teamId: string | null;
  /** The due time each target's timers are armed for (null: no timers). */
  due: Record<SlaTarget, string | null>;
  /** When the latest due times were computed: delays are `due - at`. */
  at: string;
  warnBeforeMinutes: number | null;
  escalateAfterMinutes: number | null;
  /** 0 until a breach, then 1 (team manager) and 2 (manager above); back to 0 when the case is resolved. */
  escalationLevel: 0 | 1 | 2;
  /** The target whose breach started the escalation, null for one sent by hand. */
  escalatedFor: SlaTarget | null;
  warnings: number;
  breaches: number;
  reopens: number;
}

type Args = { context: CaseSlaContext; event: CaseSlaEvent };

const warnMs = (context: CaseSlaContext) => (context.warnBeforeMinutes ?? 0) * MINUTE;

/** Delay until a target's warning: `due - warnBefore - at`. */
const untilWarning = (target: SlaTarget) => ({ context }: Args) => msUntil(context.due[target], context.at, warnMs(context));

/** Delay until a target's breach: `due - at`. */
const untilBreach = (target: SlaTarget) => ({ context }: Args) => msUntil(context.due[target], context.at);

/** Whether a target gets a warning: a window is set and its start was still ahead when the timers were armed. */
const warns = (context: CaseSlaContext, target: SlaTarget) => warnMs(context) > 0 && msUntil(context.due[target], context.at, warnMs(context)) > 0;

/** The internal event telling one region the due time an event carries; at the start, the input's (XState's init event holds the input). */
function targetChanged(event: CaseSlaEvent | { type: 'xstate.init'; input?: CaseSlaInput }, target: SlaTarget): CaseSlaEvent {
  const times = 'input' in event ? event.input?.times : hasTimes(event) ? event : undefined;
  return { type: 'sla.targetChanged', target, dueAt: times?.[dueField[target]] ?? null };
}

const caseName = (context: CaseSlaContext) => (context.number !== null ? `Case #${context.number}` : 'A case');

const slaEvent = (target: SlaTarget, kind: 'warning' | 'breach') => ({
  type: 'recordSlaEvent',
  params: ({ context }: Args): RecordSlaEventParams => ({ caseId: context.caseId, target, kind, dueAt: context.due[target] as string }),
}) as const;

const escalationTask = (level: 1 | 2) => ({
  type: 'createEscalationTask',
  params: ({ context }: Args): EscalationTaskParams => {
    const reason = context.escalatedFor ? `breached its ${targetLabel[context.escalatedFor]} SLA` : 'was escalated';
    const still = level === 2 ? `, still unresolved after ${context.escalateAfterMinutes} minutes` : '';
    return {
      teamId: context.teamId, level, priority: level === 2 ? 'urgent' : 'high', linkToSubject: true,
      title: `Escalation level ${level}: ${caseName(context)} ${reason}${still}`,
    };
  },
}) as const;

/**
 * One region per target: `off` (no due time) or `running`: `waiting` ->
 * `warned` (warning recorded) at `due - warnBefore`, and -> `breached` (breach
 * recorded, escalation raised) at `due`. A new due time re-enters `running`,
 * which cancels the old timers; a null one goes `off`.
 */
function targetRegion(target: SlaTarget) {
  // Only a moved due time re-arms: re-entering with the same one would record its warning or breach twice.
  const changed = ({ context, event }: Args) => event.type === 'sla.targetChanged' && event.target === target && event.dueAt !== context.due[target];
  return {
    initial: 'off',
    on: {
      'sla.targetChanged': [
        { guard: (args: Args) => changed(args) && args.event.type === 'sla.targetChanged' && args.event.dueAt !== null, target: '.running', actions: 'takeDue' },
        { guard: changed, target: '.off', actions: 'takeDue' },
      ],
    },
    states: {
      off: {},
      running: {
        initial: 'waiting',
        // Both timers are armed on entry, from the same `at`: a warning delivered late cannot push the breach back.
        after: { [`${target}Breach`]: '.breached' },
        states: {
          waiting: {
            // No warning window, or inside it already when armed: the warning would say nothing the breach does not.
            after: { [`${target}Warning`]: { guard: ({ context }: Args) => warns(context, target), target: 'warned' } },
          },
          warned: { entry: [slaEvent(target, 'warning'), 'countWarning'] },
          breached: { entry: [slaEvent(target, 'breach'), 'countBreach', { type: 'raiseEscalation', params: { target } }] },
        },
      },
    },
  } as const;
}

const syncAll = ['sync', 'announceFirstResponse', 'announceNextResponse', 'announceResolution'] as const;

/**
 * The case SLA statechart: a parallel `open` state with a region per target
 * (`firstResponse`, `nextResponse`, `resolution`; see {@link targetRegion}) and
 * an `escalation` region: `none` -> `level1` on a breach (a task for the
 * team's manager) -> `level2` after `escalateAfterMinutes` (a task for the
 * manager of the parent team); a resolved case goes back to `none`. Every event
 * from the case re-syncs the due times; `closed` -> `closed` (final).
 */
export const caseSlaMachine = setup({
  types: {} as { context: CaseSlaContext; input: CaseSlaInput; events: CaseSlaEvent },
  actions: {
    recordSlaEvent: effect<RecordSlaEventParams>(),
    createEscalationTask: effect<EscalationTaskParams>(),
    /** Takes the event's time, warning window and team; each target region takes its own due time (`sla.targetChanged`). */
    sync: assign(({ context, event }) => (hasTimes(event)
      ? { at: event.at, warnBeforeMinutes: event.warnBeforeMinutes ?? null, teamId: event.teamId === undefined ? context.teamId : event.teamId }
      : {})),
    /** Tells each target region its due time; a region whose due time did not move ignores it. */
    announceFirstResponse: raise(({ event }) => targetChanged(event, 'firstResponse')),
    announceNextResponse: raise(({ event }) => targetChanged(event, 'nextResponse')),
    announceResolution: raise(({ event }) => targetChanged(event, 'resolution')),
    takeDue: assign(({ context, event }) => (event.type === 'sla.targetChanged' ? { due: { ...context.due, [event.target]: event.dueAt } } : {})),
    resetEscalation: raise({ type: 'escalation.reset' as const }),
    raiseEscalation: raise((_, params: { target: SlaTarget }) => ({ type: 'escalate' as const, target: params.target })),
    countWarning: assign(({ context }) => ({ warnings: context.warnings + 1 })),
    countBreach: assign(({ context }) => ({ breaches: context.breaches + 1 })),
    countReopen: assign(({ context }) => ({ reopens: context.reopens + 1 })),
    startEscalation: assign(({ event }) => ({ escalationLevel: 1 as const, escalatedFor: event.type === 'escalate' ? event.target ?? null : null })),
    raiseLevel: assign({ escalationLevel: 2 as const }),
    endEscalation: assign({ escalationLevel: 0 as const, escalatedFor: null }),
  },
  guards: {
    isResolved: ({ event }) => event.type === 'statusChanged' && event.status === 'resolved',
    isClosed: ({ event }) => event.type === 'statusChanged' && event.status === 'closed',
    hasSecondLevel: ({ context }) => context.escalateAfterMinutes !== null,
  },
  delays: {
    firstResponseWarning: untilWarning('firstResponse'),
    firstResponseBreach: untilBreach('firstResponse'),
    nextResponseWarning: untilWarning('nextResponse'),
    nextResponseBreach: untilBreach('nextResponse'),
    resolutionWarning: untilWarning('resolution'),
    resolutionBreach: untilBreach('resolution'),
    escalation: ({ context }) => (context.escalateAfterMinutes ?? 0) * MINUTE,
  },
}).createMachine({
  id: 'case-sla',
  context: ({ input }) => ({
    caseId: input.caseId,
    number: input.number ?? null,
    teamId: input.teamId ?? input.times?.teamId ?? null,
    due: { firstResponse: null, nextResponse: null, resolution: null },
    at: input.times?.at ?? new Date(0).toISOString(),
    warnBeforeMinutes: input.times?.warnBeforeMinutes ?? null,
    escalateAfterMinutes: input.escalateAfterMinutes === undefined ? 120 : input.escalateAfterMinutes,
    escalationLevel: 0,
    escalatedFor: null,
    warnings: 0,
    breaches: 0,
    reopens: 0,
  }),
  initial: 'open',
  on: {
    'sla.updated': { actions: syncAll },
    reopened: { actions: ['countReopen', ...syncAll] },
    // Handled here only: a region handling it too would pre-empt this transition for its own states.
    statusChanged: [
      { guard: 'isClosed', target: '.closed' },
      { guard: 'isResolved', actions: [...syncAll, 'resetEscalation'] },
      { actions: syncAll },
    ],
    closed: '.closed',
  },
  states: {
    open: {
      type: 'parallel',
      // The input's due times arm their regions the way later ones re-arm them: one path for both.
      entry: ['announceFirstResponse', 'announceNextResponse', 'announceResolution'],
      states: {
        firstResponse: targetRegion('firstResponse'),
        nextResponse: targetRegion('nextResponse'),
        resolution: targetRegion('resolution'),
        escalation: {
          initial: 'none',
          on: { 'escalation.reset': { target: '.none', actions: 'endEscalation' } },
          states: {
            none: { on: { escalate: { target: 'level1', actions: 'startEscalation' } } },
            level1: {
              entry: escalationTask(1),
              after: { escalation: { guard: 'hasSecondLevel', target: 'level2', actions: 'raiseLevel' } },
            },
            level2: { entry: escalationTask(2) },
          },
        },
      },
    },
    closed: { type: 'final' },
  },
});

/**
 * Case SLA timers: per target, a warning at `due - warnBefore` and a breach at
 * `due`, recorded through `recordSlaEvent` (`cases.recordSlaEvent`, which
 * emits `case.slaWarning` / `case.slaBreached` and ignores stale timers), then
 * escalation tasks to the team's manager and, later, the manager above.
 * Pausing (due times null) cancels the timers; resuming re-arms them.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [caseSla] });
 * const triggers = createTriggers(engine, caseSlaTriggers());
 */
export const caseSla = defineWorkflow({ id: 'case-sla', version: 1, machine: caseSlaMachine });
