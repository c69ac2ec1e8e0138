import { type BusinessCalendar, businessCalendar, type BusinessCalendarOptions } from '../calendar/business-calendar.js';

const MINUTE = 60_000;

/**
 * How one case's SLA is measured, copied from its policy when the case
 * opened: a later policy change leaves it alone.
 */
export interface SlaRules {
  /** Targets count working time of `calendar` instead of wall-clock time. */
  businessHours: boolean;
  /** The calendar; with `businessHours: false` it still gives business-minute figures. */
  calendar: BusinessCalendarOptions | null;
}

/** Where one SLA target of a case stands. Instants are ISO strings. */
export interface SlaClock {
  /** The target in minutes of the policy's kind of time; null when the policy sets none (only measured). */
  targetMinutes: number | null;
  startedAt: string;
  /** `running`: counting; `paused`: the case waits on the customer (or is on hold); `met` / `breached`: reached, in or past the target; `stopped`: ended unreached (resolved without a response). */
  state: 'running' | 'paused' | 'met' | 'breached' | 'stopped';
  /** Since when it counts, while running. */
  runningSince: string | null;
  /** Wall-clock time counted up to `runningSince` (or the end), net of pauses, in ms. */
  elapsedMs: number;
  /** Working time counted likewise; null without a calendar. */
  elapsedBusinessMs: number | null;
  /** When the target is reached if nothing pauses it; null when paused, ended or without target. */
  dueAt: string | null;
  reachedAt: string | null;
  /** The due time a warning / breach was recorded for (`cases.recordSlaEvent`), so a timer fires once per due time. */
  warnedFor: string | null;
  breachedFor: string | null;
}

const calendars = new Map<string, BusinessCalendar>();

/** The calendar of the rules (built once per distinct options: building one makes an `Intl` formatter). */
export function calendarOf(rules: SlaRules): BusinessCalendar | null {
  if (rules.calendar === null) return null;
  const key = JSON.stringify(rules.calendar);
  let calendar = calendars.get(key);
  if (calendar === undefined) calendars.set(key, (calendar = businessCalendar(rules.calendar)));
  return calendar;
}

/** Wall-clock and working time counted by a clock up to `at` (the running part included). */
export function elapsedAt(clock: SlaClock, at: string, rules: SlaRules): { ms: number; businessMs: number | null } {
  if (clock.runningSince === null) return { ms: clock.elapsedMs, businessMs: clock.elapsedBusinessMs };
  const calendar = calendarOf(rules);
  const from = new Date(clock.runningSince);
  const to = new Date(at);
  const ms = clock.elapsedMs + Math.max(0, to.getTime() - from.getTime());
  const businessMs = calendar === null ? null : (clock.elapsedBusinessMs ?? 0) + calendar.workingTimeBetween(from, to);
  return { ms, businessMs };
}

/** The elapsed time the target is compared with: working time in business hours, else wall-clock time. */
function measured(rules: SlaRules, elapsed: { ms: number; businessMs: number | null }): number {
  return rules.businessHours ? (elapsed.businessMs ?? 0) : elapsed.ms;
}

/**
 * When a clock running from `at` with this much counted reaches its target:
 * `calendar.addWorkingTime(at, remaining)` in business hours, `at + remaining`
 * otherwise. A clock already past its target is due at `at`.
 */
function dueFrom(clock: SlaClock, at: string, rules: SlaRules): string | null {
  if (clock.targetMinutes === null) return null;
  const remaining = Math.max(0, clock.targetMinutes * MINUTE - measured(rules, { ms: clock.elapsedMs, businessMs: clock.elapsedBusinessMs }));
  const calendar = calendarOf(rules);
  if (rules.businessHours && calendar !== null) return calendar.addWorkingTime(new Date(at), remaining).toISOString();
  return new Date(Date.parse(at) + remaining).toISOString();
}

/** A clock starting at `at`, paused from the start when the case already waits. */
export function startClock(at: string, targetMinutes: number | null, rules: SlaRules, paused: boolean): SlaClock {
  const clock: SlaClock = {
    targetMinutes, startedAt: at, state: 'running', runningSince: at, elapsedMs: 0,
    elapsedBusinessMs: rules.calendar === null ? null : 0, dueAt: null, reachedAt: null, warnedFor: null, breachedFor: null,
  };
  return paused ? pauseClock(clock, at, rules) : { ...clock, dueAt: dueFrom(clock, at, rules) };
}

/** Stops counting at `at`; the time counted so far is kept. A clock not running is returned as it is. */
export function pauseClock(clock: SlaClock, at: string, rules: SlaRules): SlaClock {
  if (clock.state !== 'running') return clock;
  const elapsed = elapsedAt(clock, at, rules);
  return { ...clock, state: 'paused', runningSince: null, elapsedMs: elapsed.ms, elapsedBusinessMs: elapsed.businessMs, dueAt: null };
}

/** Counts again from `at`, with the due time recomputed from what is left of the target. */
export function resumeClock(clock: SlaClock, at: string, rules: SlaRules): SlaClock {
  if (clock.state !== 'paused') return clock;
  const resumed: SlaClock = { ...clock, state: 'running', runningSince: at };
  return { ...resumed, dueAt: dueFrom(resumed, at, rules) };
}

/** The target was reached at `at` (a response, the resolution): met when within the target, else breached. */
export function reachClock(clock: SlaClock, at: string, rules: SlaRules): SlaClock {
  if (clock.state !== 'running' && clock.state !== 'paused') return clock;
  const elapsed = elapsedAt(clock, at, rules);
  const breached = clock.targetMinutes !== null && measured(rules, elapsed) > clock.targetMinutes * MINUTE;
  return {
    ...clock, state: breached ? 'breached' : 'met', runningSince: null, elapsedMs: elapsed.ms,
    elapsedBusinessMs: elapsed.businessMs, dueAt: null, reachedAt: at,
  };
}

/** Ends a clock that will not be reached (the case was resolved before a response). */
export function stopClock(clock: SlaClock, at: string, rules: SlaRules): SlaClock {
  if (clock.state !== 'running' && clock.state !== 'paused') return clock;
  return { ...pauseClock(clock, at, rules), state: 'stopped' };
}

/** Counts a reached clock on from `at` (a reopened case's resolution time goes on from where it stood). */
export function continueClock(clock: SlaClock, at: string, rules: SlaRules, paused: boolean): SlaClock {
  if (clock.state === 'running' || clock.state === 'paused') return clock;
  const waiting: SlaClock = { ...clock, state: 'paused', reachedAt: null };
  return paused ? waiting : resumeClock(waiting, at, rules);
}

/** The clock measured against another target from `at` on (the case's priority changed). */
export function retargetClock(clock: SlaClock, targetMinutes: number | null, at: string, rules: SlaRules): SlaClock {
  if (clock.state !== 'running' && clock.state !== 'paused') return clock;
  if (clock.state === 'paused') return { ...clock, targetMinutes };
  const elapsed = elapsedAt(clock, at, rules);
  const settled: SlaClock = { ...clock, targetMinutes, runningSince: at, elapsedMs: elapsed.ms, elapsedBusinessMs: elapsed.businessMs };
  return { ...settled, dueAt: dueFrom(settled, at, rules) };
}

/** Whether the clock is past its target at `at`. */
export function isOverdue(clock: SlaClock, at: string, rules: SlaRules): boolean {
  return clock.targetMinutes !== null && measured(rules, elapsedAt(clock, at, rules)) > clock.targetMinutes * MINUTE;
}

/** A duration in ms as minutes (the figures stored on cases are exact, fractions kept). */
export function toMinutes(ms: number): number;
export function toMinutes(ms: number | null): number | null;
export function toMinutes(ms: number | null): number | null {
  return ms === null ? null : ms / MINUTE;
}
