import { z } from 'zod';
import { dateBuckets, type DateBucket, type GroupKey } from '../../storage/adapter.js';
import { ZoneClock } from '../../calendar/zone-clock.js';
import { validateTimeZone } from '../../storage/time-zone.js';

const isTimeZone = (name: string): boolean => {
  try {
    validateTimeZone(name);
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone name (`Europe/Paris`, `UTC`), as date buckets take it (`validateTimeZone`: no offsets, no abbreviations). */
export const timeZoneSchema = z.string().min(1).max(64).refine(isTimeZone, { message: 'Unknown time zone: use an IANA name such as "Europe/Paris"' });

/** The period options every sales report that groups by time takes. */
export const periodShape = {
  /** Length of a period; weeks start on Monday. @default 'month' */
  period: z.enum(dateBuckets).optional().default('month'),
  /** The zone whose calendar cuts the periods (and reads `from` / `to` given as dates). @default 'UTC' */
  timeZone: timeZoneSchema.optional().default('UTC'),
};

/** Parsed period options. */
export interface PeriodScope {
  period: DateBucket;
  timeZone: string;
}

/**
 * The grouping key that buckets a timestamp or date field into the report's
 * periods. A date field (`expectedCloseOn`) is a calendar day already, so the
 * zone only applies to timestamps.
 */
export function periodGroup(field: string, scope: PeriodScope, as = 'period'): GroupKey {
  return { field, bucket: scope.period, as, timeZone: scope.timeZone };
}

/** A boundary option: an instant, or a date read as its midnight in the report's zone. */
export const boundarySchema = z.union([z.iso.datetime({ offset: true }), z.iso.date(), z.date()]);

/**
 * The ISO UTC instant of a boundary option: instants as given, dates at their
 * local midnight in `timeZone` (the later candidate when DST skips midnight).
 */
export function boundaryInstant(value: string | Date, timeZone: string): string {
  if (value instanceof Date) return value.toISOString();
  if (value.length > 10) return new Date(value).toISOString();
  const day = { year: Number(value.slice(0, 4)), month: Number(value.slice(5, 7)), day: Number(value.slice(8, 10)) };
  return new Date(new ZoneClock(timeZone, 'report').instantOf(day, 0)).toISOString();
}

/** The calendar day of a boundary option, for date fields: dates as given, instants as their day in `timeZone`. */
export function boundaryDate(value: string | Date, timeZone: string): string {
  if (typeof value === 'string' && value.length === 10) return value;
  const instant = value instanceof Date ? value.getTime() : Date.parse(value);
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return format.format(new Date(instant));
}
