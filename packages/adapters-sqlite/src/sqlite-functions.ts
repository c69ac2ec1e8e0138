import type BetterSqlite3 from 'better-sqlite3';

const dayMs = 86_400_000;

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds, exact to the second. */
function offsetAt(zone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * Offsets by zone and UTC day, for days without a transition: one map lookup per
 * row instead of a formatToParts call. A day whose offset differs at its two ends
 * holds a transition and is computed per instant.
 */
const dayOffsets = new Map<string, Map<number, number | null>>();

function localMs(zone: string, ms: number): number {
  const day = Math.floor(ms / dayMs);
  let days = dayOffsets.get(zone);
  if (days === undefined) dayOffsets.set(zone, (days = new Map()));
  let offset = days.get(day);
  if (offset === undefined) {
    const start = offsetAt(zone, day * dayMs);
    offset = start === offsetAt(zone, day * dayMs + dayMs - 1000) ? start : null;
    // Bounded: about 270 years of days per zone.
    if (days.size > 100_000) days.clear();
    days.set(day, offset);
  }
  return ms + (offset ?? offsetAt(zone, ms));
}

/**
 * The first day (`YYYY-MM-DD`) of the bucket holding the local date of an ISO
 * timestamp in an IANA zone: what Postgres' `date_trunc(unit, ts at time zone
 * zone)` gives, weeks from Monday.
 */
export function zonedBucket(timestamp: string, unit: string, zone: string): string {
  // Setters rather than Date.UTC, which reads years 0-99 as 1900-1999.
  const d = new Date(Math.floor(localMs(zone, Date.parse(timestamp)) / dayMs) * dayMs);
  switch (unit) {
    case 'day':
      break;
    case 'week':
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      break;
    case 'month':
      d.setUTCDate(1);
      break;
    case 'quarter':
      d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3), 1);
      break;
    case 'year':
      d.setUTCMonth(0, 1);
      break;
    default:
      throw new RangeError(`Unknown date bucket ${unit}`);
  }
  return d.toISOString().slice(0, 10);
}

/**
 * Registers the deterministic JavaScript functions crmkit's SQLite dialect
 * calls: `crmkit_zoned_bucket(timestamp, unit, zone)` (see {@link zonedBucket}),
 * which SQLite cannot compute without a time-zone database.
 */
export function registerSqliteFunctions(db: BetterSqlite3.Database): void {
  db.function('crmkit_zoned_bucket', { deterministic: true }, (timestamp: unknown, unit: unknown, zone: unknown) =>
    typeof timestamp === 'string' ? zonedBucket(timestamp, String(unit), String(zone)) : null,
  );
}
