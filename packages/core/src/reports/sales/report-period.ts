import { z } from 'zod';
import { dateBuckets, type DateBucket, type GroupKey } from '../../storage/adapter.js';
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

/** The wall-clock time of an instant in a zone, as if that wall clock were UTC. */
function wallTime(format: Intl.DateTimeFormat, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/**
 * The ISO UTC instant of a boundary option: instants as given, dates at their
 * local midnight in `timeZone` (the later candidate when DST skips midnight).
 */
export function boundaryInstant(value: string | Date, timeZone: string): string {
  if (value instanceof Date) return value.toISOString();
  if (value.length > 10) return new Date(value).toISOString();
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const wall = Date.parse(`${value}T00:00:00.000Z`);
  const first = wall - (wallTime(format, wall) - wall);
  const second = wall - (wallTime(format, first) - first);
  return new Date(wallTime(format, second) === wall ? second : Math.max(first, second)).toISOString();
}

/** The calendar day of a boundary option, for date fields: dates as given, instants as their day in `timeZone`. */
export function boundaryDate(value: string | Date, timeZone: string): string {
  if (typeof value === 'string' && value.length === 10) return value;
  const instant = value instanceof Date ? value.getTime() : Date.parse(value);
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return format.format(new Date(instant));
}
