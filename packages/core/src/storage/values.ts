import { ValidationError } from '../errors.js';

/**
 * Normalises an instant to the one representation crmkit stores and compares:
 * an ISO 8601 UTC string with milliseconds. Lexical order equals time order,
 * which is what lets SQLite compare timestamps as text.
 *
 * @throws {ValidationError} for an unparseable value.
 */
export function toTimestamp(value: string | Date | number): string {
  const date = value instanceof Date ? value : new Date(value);
  const time = date.getTime();
  if (Number.isNaN(time)) throw ValidationError.single(`Invalid timestamp ${JSON.stringify(String(value))}`);
  if (time < -62_135_596_800_000 || time > 253_402_300_799_999) {
    throw ValidationError.single(`Timestamp ${JSON.stringify(String(value))} is outside years 0001-9999`);
  }
  return date.toISOString();
}
