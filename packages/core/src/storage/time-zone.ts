import { ValidationError } from '../errors.js';

// Area/Location names only: Intl also takes offsets such as "+01:00", which Postgres would read
// with the POSIX sign (east negative), so the two databases would bucket the same row apart.
const zoneName = /^(?:UTC|[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*){1,2})$/;
const known = new Set<string>(['UTC']);

/**
 * Checks an IANA time-zone name (`Europe/Paris`, `America/Argentina/Buenos_Aires`,
 * `UTC`) for a zoned date bucket: the form `Area/Location` and a zone the
 * runtime's time-zone database knows. Offsets (`+01:00`) and abbreviations
 * (`CET`) are refused, since databases read them differently.
 *
 * @throws {ValidationError} naming the zone.
 */
export function validateTimeZone(zone: unknown, path: PropertyKey[] = []): string {
  if (typeof zone === 'string' && known.has(zone)) return zone;
  let ok = typeof zone === 'string' && zoneName.test(zone);
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone as string });
    } catch {
      ok = false;
    }
  }
  if (!ok) throw ValidationError.single(`Unknown time zone ${JSON.stringify(zone)}: use an IANA name such as "Europe/Paris"`, path);
  known.add(zone as string);
  return zone as string;
}
