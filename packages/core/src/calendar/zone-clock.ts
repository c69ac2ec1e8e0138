import { ValidationError } from '../errors.js';

const MINUTE = 60_000;

/** A local calendar date. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Converts between instants and wall-clock time of one zone with
 * `Intl.DateTimeFormat`, so the platform's tz database decides offsets and DST.
 */
export class ZoneClock {
  readonly #format: Intl.DateTimeFormat;

  /** @param owner names the caller in the error for an unknown zone. */
  constructor(timeZone: string, owner = 'businessCalendar') {
    // An unknown zone fails here, at construction, rather than at the first timer.
    try {
      this.#format = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (error) {
      throw new ValidationError(`${owner}: unknown time zone ${JSON.stringify(timeZone)}`, [{ path: ['timeZone'], message: 'unknown time zone', code: 'custom' }], { cause: error });
    }
  }

  /** Local wall time of an instant, as if it were UTC (milliseconds dropped). */
  wallTime(instant: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.#format.formatToParts(new Date(instant))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    return Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second);
  }

  /** The zone's UTC offset at an instant, in ms. */
  offsetAt(instant: number): number {
    return this.wallTime(instant) - Math.floor(instant / 1000) * 1000;
  }

  /** The local date of an instant. */
  dateOf(instant: number): LocalDate {
    const wall = new Date(this.wallTime(instant));
    return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  }

  /**
   * The instant of a local date and minute of day. A time skipped by a DST
   * change maps to the same distance after the change (02:30 -> 03:30); a time
   * that occurs twice maps to one of its two occurrences.
   */
  instantOf(date: LocalDate, minuteOfDay: number): number {
    const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE;
    const first = wall - this.offsetAt(wall);
    const second = wall - this.offsetAt(first);
    if (this.wallTime(second) === wall) return second;
    // Skipped: of the two candidates (one per offset) the later one lies after the change, west and east of UTC alike.
    return Math.max(first, second);
  }
}

