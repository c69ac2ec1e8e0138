import { ValidationError } from '../errors.js';
import { storageLimits } from './limits.js';
import type { FieldType } from './schema.js';

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

/** Why a value cannot be stored or compared: a message and where inside the value (for JSON). */
export interface ValueProblem {
  /** What is wrong, completing "<model>.<field> ...". */
  readonly message: string;
  /** Keys inside a JSON value leading to the offending part; empty for the value itself. */
  readonly path: readonly (string | number)[];
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const safeMin = BigInt(Number.MIN_SAFE_INTEGER);
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);
const isoTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const isoDate = /^\d{4}-\d\d-\d\d$/;

const problem = (message: string, path: readonly (string | number)[] = []): ValueProblem => ({ message, path });
const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
const expected = (what: string, value: unknown): ValueProblem => problem(`must be ${what}, got ${describe(value)}`);

/**
 * Text both databases store exactly: SQLite would rewrite a lone UTF-16
 * surrogate to U+FFFD and Postgres refuses it, Postgres refuses NUL (SQLite
 * keeps it), so both are refused everywhere.
 */
function textProblem(text: string): ValueProblem | undefined {
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    return problem('contains a lone UTF-16 surrogate, which is not valid Unicode text');
  }
  if (text.includes('\0')) return problem('contains a NUL character (U+0000), which PostgreSQL cannot store');
  return undefined;
}

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Whether `YYYY-MM-DD` at the start of `text` (already matched by a pattern) is a real day of years 0001-9999. */
function realDay(text: string): boolean {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

function timestampProblem(value: unknown): ValueProblem | undefined {
  if (typeof value === 'string' && isoTimestamp.test(value)) {
    // The canonical form is checked by its digits: a Date would silently turn Feb 30 into Mar 1.
    const ok = realDay(value) && digits(value, 11, 13) < 24 && digits(value, 14, 16) < 60 && digits(value, 17, 19) < 60;
    return ok ? undefined : problem(`is not a real instant: ${JSON.stringify(value)}`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
    return expected('an ISO 8601 timestamp string or a Date', value);
  }
  try {
    toTimestamp(value);
    return undefined;
  } catch (error) {
    return problem(`is not a valid timestamp: ${(error as Error).message}`);
  }
}

function dateProblem(value: unknown): ValueProblem | undefined {
  if (typeof value === 'string') {
    return isoDate.test(value) && realDay(value) ? undefined : problem(`must be a calendar date YYYY-MM-DD of years 0001-9999, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  if (value instanceof Date) return timestampProblem(value);
  return expected('a YYYY-MM-DD string or a Date', value);
}

function integerProblem(value: unknown, min: bigint, max: bigint, what: string): ValueProblem | undefined {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return undefined;
    if (!Number.isFinite(value)) return problem(`must be a finite integer, got ${value}`);
    if (!Number.isInteger(value)) return problem(`must be an integer, got ${value}`);
    return problem(`is ${value}, beyond ±(2^53 - 1), where a number has lost precision; pass a bigint`);
  }
  if (typeof value === 'bigint') return value >= min && value <= max ? undefined : problem(`is ${value}, outside ${what}`);
  return expected('an integer', value);
}

/** A problem found inside a JSON value, with the keys leading to it prepended on the way out. */
function inside(found: ValueProblem, key: string | number): ValueProblem {
  return { message: found.message, path: [key, ...found.path] };
}

// The path is built only on the way out of a failure: this runs on every JSON value written.
function jsonProblem(value: unknown, depth: number, converted = false): ValueProblem | undefined {
  switch (typeof value) {
    case 'string':
      return textProblem(value);
    case 'number':
      // JSON.stringify would write null for NaN and Infinity: refused rather than silently changed.
      return Number.isFinite(value) ? undefined : problem(`holds ${value}, which JSON cannot represent`);
    case 'boolean':
    case 'undefined':
      // undefined properties are left out, as JSON.stringify does.
      return undefined;
    case 'bigint':
      return problem('holds a bigint, which JSON cannot represent; store it as a string');
    case 'function':
    case 'symbol':
      return problem(`holds a ${typeof value}, which JSON cannot represent`);
  }
  if (value === null) return undefined;
  if (depth >= storageLimits.maxJsonDepth) {
    return problem(`is nested more than ${storageLimits.maxJsonDepth} levels deep (or holds a cycle)`);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = jsonProblem(value[i], depth + 1);
      if (found !== undefined) return inside(found, i);
    }
    return undefined;
  }
  const object = value as Record<string, unknown> & { toJSON?: unknown };
  if (!converted && typeof object.toJSON === 'function') {
    if (value instanceof Date && Number.isNaN(value.getTime())) return problem('holds an invalid Date');
    // As JSON.stringify: the value toJSON returns is written as it is, without calling its own toJSON.
    return jsonProblem((object.toJSON as () => unknown)(), depth, true);
  }
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const found = textProblem(key) ?? jsonProblem(object[key], depth + 1);
    if (found !== undefined) return inside(found, key);
  }
  return undefined;
}

/**
 * Why a non-null value cannot be stored in a field of `type` exactly as given,
 * on every database crmkit supports, or `undefined` when it can. Strings must
 * be well-formed Unicode without NUL; integers safe integers (or bigints within
 * the safe range), bigint fields 64-bit; numbers finite; timestamps and dates
 * real instants and days of years 0001-9999; JSON values free of NaN, Infinity,
 * bigints, functions and cycles, at most {@link storageLimits.maxJsonDepth} deep.
 * Adapters call it on every value they write.
 */
export function storableProblem(type: FieldType, value: unknown): ValueProblem | undefined {
  switch (type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? textProblem(value) : expected('a string', value);
    case 'integer':
      return integerProblem(value, safeMin, safeMax, '±(2^53 - 1): use a bigint field');
    case 'bigint':
      return integerProblem(value, int64Min, int64Max, 'the 64-bit range');
    case 'number':
      if (typeof value !== 'number') return expected('a number', value);
      return Number.isFinite(value) ? undefined : problem(`must be a finite number, got ${value}`);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : expected('true or false', value);
    case 'timestamp':
      return timestampProblem(value);
    case 'date':
      return dateProblem(value);
    case 'json':
      return jsonProblem(value, 0);
  }
}

/** What a where operand is compared with: a field of a type, or a value inside a JSON field (`custom.tier`). */
export type OperandTarget = FieldType | 'jsonPath';

/**
 * Why a non-null where operand cannot be compared with a field of `type` (or a
 * JSON path) the same way on every database, or `undefined` when it can. The
 * rules are those of {@link storableProblem}, except that integer fields
 * compare with any 64-bit integer, and a plain `json` field or a JSON path
 * compares with strings, finite numbers, booleans and `Date`s (a path also
 * with 64-bit bigints).
 */
export function comparableProblem(target: OperandTarget, value: unknown): ValueProblem | undefined {
  if (target === 'integer') return integerProblem(value, int64Min, int64Max, 'the 64-bit range');
  if (target !== 'json' && target !== 'jsonPath') return storableProblem(target, value);
  switch (typeof value) {
    case 'string':
      return textProblem(value);
    case 'number':
      return Number.isFinite(value) ? undefined : problem(`must be a finite number, got ${value}`);
    case 'boolean':
      return undefined;
    case 'bigint':
      if (target === 'json') return problem('cannot compare a whole JSON value with a bigint; compare a JSON path');
      return value >= int64Min && value <= int64Max ? undefined : problem(`is ${value}, outside the 64-bit range`);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? problem('is an invalid Date') : undefined;
  return expected('a string, number, boolean or Date', value);
}

/**
 * Throws when a non-null value cannot be stored in `model.field`; see
 * {@link storableProblem}. The error's issue path is the field followed by the
 * keys inside a JSON value.
 *
 * @throws {ValidationError}
 */
export function assertStorable(modelName: string, field: string, type: FieldType, value: unknown): void {
  const found = storableProblem(type, value);
  if (found !== undefined) throw valueError(`${modelName}.${field}`, found, [field]);
}

/** The {@link ValidationError} of a {@link ValueProblem} found at `path` (which the problem's own path extends). */
export function valueError(subject: string, found: ValueProblem, path: readonly PropertyKey[]): ValidationError {
  const at = found.path.length > 0 ? ` at ${found.path.map(String).join('.')}` : '';
  return ValidationError.single(`${subject}${at} ${found.message}`, [...path, ...found.path]);
}
