import { StateError, ValidationError } from '../errors.js';
import { type LocalDate, ZoneClock } from './zone-clock.js';

/**
 * Working time: working days, daily hours and holidays of one time zone.
 * SLA clocks count business hours through it, and workflow business-hours
 * delays (`WorkflowDefinition.businessDelays`) are added to "now" through it
 * instead of the wall clock.
 */
export interface BusinessCalendar {
  /** The instant when `ms` of working time have passed after `from`. */
  addWorkingTime(from: Date, ms: number): Date;
  /**
   * The working time in `[from, to)`, in ms (0 when `to` is not after `from`):
   * the inverse of {@link addWorkingTime}, so
   * `workingTimeBetween(from, addWorkingTime(from, ms)) === ms`.
   */
  workingTimeBetween(from: Date, to: Date): number;
}

/** Options of {@link businessCalendar}. */
export interface BusinessCalendarOptions {
  /** IANA time zone the working hours and holidays are given in, e.g. `Europe/Berlin`. */
  timeZone: string;
  /**
   * Working days of the week, 0 (Sunday) to 6 (Saturday).
   * @default [1, 2, 3, 4, 5] (Monday to Friday)
   */
  workingDays?: readonly number[];
  /**
   * Working hours of each working day, local `HH:mm`; `end` may be `24:00`.
   * @default { start: '09:00', end: '17:00' }
   */
  hours?: { start: string; end: string };
  /**
   * Local dates (`YYYY-MM-DD`) without working time.
   * @default []
   */
  holidays?: readonly string[];
}

/** A run of this many days without working time means the calendar has none left (e.g. every day a holiday). */
const MAX_IDLE_DAYS = 3 * 366;

function parseTime(text: string, what: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || Number(match[2]) > 59 || minutes > 24 * 60) throw ValidationError.single(`businessCalendar: ${what} must be HH:mm, got ${JSON.stringify(text)}`, what.split('.'));
  return minutes;
}

function dateKey({ year, month, day }: LocalDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day after (or `days` after) a local date, through UTC arithmetic that knows month lengths. */
function addDays(date: LocalDate, days: number): LocalDate {
  const utc = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

/**
 * A {@link BusinessCalendar} of working days, daily working hours and holidays
 * in one IANA time zone. Working time is counted in real elapsed time, so a
 * working day that contains a DST change (e.g. with hours `00:00`-`24:00`) has
 * 23 or 25 hours.
 * @throws {ValidationError} for an unknown time zone, malformed hours or holidays, or no working day
 * @example
 * const calendar = businessCalendar({ timeZone: 'Europe/Berlin', hours: { start: '09:00', end: '17:00' }, holidays: ['2026-12-25'] });
 * calendar.workingTimeBetween(new Date('2026-12-24T08:00:00Z'), new Date('2026-12-28T09:00:00Z')); // 9 h: Thursday 8 h + Monday 1 h
 */
export function businessCalendar(options: BusinessCalendarOptions): BusinessCalendar {
  const zone = new ZoneClock(options.timeZone);
  const workingDays = new Set(options.workingDays ?? [1, 2, 3, 4, 5]);
  if (workingDays.size === 0 || [...workingDays].some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
    throw ValidationError.single('businessCalendar: workingDays must list at least one day from 0 (Sunday) to 6 (Saturday)', ['workingDays']);
  }
  const start = parseTime(options.hours?.start ?? '09:00', 'hours.start');
  const end = parseTime(options.hours?.end ?? '17:00', 'hours.end');
  if (start >= end) throw ValidationError.single('businessCalendar: hours.start must be before hours.end', ['hours']);
  const holidays = new Set(options.holidays ?? []);
  for (const holiday of holidays) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(holiday)) throw ValidationError.single(`businessCalendar: holiday ${JSON.stringify(holiday)} is not YYYY-MM-DD`, ['holidays']);
  }

  /** The working interval of a local date, or undefined on a day off. */
  function workingInterval(date: LocalDate): [number, number] | undefined {
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    if (!workingDays.has(weekday) || holidays.has(dateKey(date))) return undefined;
    return [zone.instantOf(date, start), zone.instantOf(date, end)];
  }

  return {
    /**
     * @throws {ValidationError} for a negative or non-finite `ms`
     * @throws {StateError} when the calendar has no working time left within three years
     */
    addWorkingTime(from: Date, ms: number): Date {
      if (!Number.isFinite(ms) || ms < 0) throw ValidationError.single(`businessCalendar: cannot add ${ms} ms of working time`, ['ms']);
      const at = from.getTime();
      if (ms === 0) return new Date(at);
      let remaining = ms;
      // The day before too: with hours ending at 24:00 (or a zone east of UTC) an interval can end after local midnight.
      let date = addDays(zone.dateOf(at), -1);
      for (let idle = 0; idle < MAX_IDLE_DAYS; idle++, date = addDays(date, 1)) {
        const interval = workingInterval(date);
        if (!interval || interval[1] <= at) continue;
        idle = 0;
        const begin = Math.max(at, interval[0]);
        const available = interval[1] - begin;
        // `<=`: time that ends exactly at closing ends today, not at tomorrow's opening.
        if (remaining <= available) return new Date(begin + remaining);
        remaining -= available;
      }
      throw new StateError(`businessCalendar: no working time within ${MAX_IDLE_DAYS} days after ${from.toISOString()}`);
    },

    /** @throws {ValidationError} for an invalid date */
    workingTimeBetween(from: Date, to: Date): number {
      const begin = from.getTime();
      const finish = to.getTime();
      if (!Number.isFinite(begin) || !Number.isFinite(finish)) throw ValidationError.single('businessCalendar: workingTimeBetween needs valid dates', ['from']);
      if (finish <= begin) return 0;
      let total = 0;
      // From the day before, as in addWorkingTime: an interval may end after local midnight.
      const last = zone.dateOf(finish);
      for (let date = addDays(zone.dateOf(begin), -1); dateKey(date) <= dateKey(addDays(last, 1)); date = addDays(date, 1)) {
        const interval = workingInterval(date);
        if (!interval) continue;
        const overlap = Math.min(finish, interval[1]) - Math.max(begin, interval[0]);
        if (overlap > 0) total += overlap;
      }
      return total;
    },
  };
}
