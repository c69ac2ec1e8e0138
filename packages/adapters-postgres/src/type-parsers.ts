/**
 * The text-format parsers both drivers apply to every result column, by type
 * OID and per query, so that what crmkit reads never depends on the parsers a
 * host configured on its own pool (or on PGlite). They assume the server's
 * default `DateStyle` (ISO), as pg's own date parsers do, and accept any
 * session `TimeZone`.
 */

/** Type OIDs of the parsers below (`pg_type.oid`). */
export const oids = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

const identity = (text: string): string => text;
// Not JSON.parse itself: PGlite passes the type OID as a second argument, which JSON.parse would take for a reviver.
const parseJson = (text: string): unknown => JSON.parse(text);

/** int8: a number when it is a safe integer, a bigint beyond (the contract's `bigint` form). */
export function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/**
 * numeric: a number, except an integer beyond 2^53 (a `sum` of int8 is
 * numeric in Postgres), which stays exact as a bigint.
 */
export function parseNumeric(text: string): number | bigint {
  const n = Number(text);
  if (Number.isSafeInteger(n) || !Number.isFinite(n)) return n;
  return integerText.test(text) ? BigInt(text) : n;
}
const integerText = /^-?\d+$/;

const isoTimestamp = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/** Whether `text` has only ASCII digits from `start` to `end`. */
function digits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** The first three digits of a fraction of a second, truncated like `to_char(..., 'MS')`. */
function millis(fraction: string | undefined): string {
  if (fraction === undefined) return '000';
  return fraction.length >= 3 ? fraction.slice(0, 3) : (fraction + '00').slice(0, 3);
}

/**
 * timestamptz / timestamp (taken as UTC): `YYYY-MM-DDTHH:MM:SS.mmmZ`, in UTC,
 * milliseconds truncated. The common case (a UTC session, years 0001 to
 * 9999) is a rearrangement of the text; other offsets and BC dates go through
 * date arithmetic. ±infinity reads as null, as `to_char` made it.
 *
 * @throws {Error} for text not in the ISO `DateStyle`.
 */
export function parseTimestamp(text: string): string | null {
  const length = text.length;
  // 'YYYY-MM-DD HH:MM:SS', then '.f' to '.ffffff', then '+00' (timestamptz in a UTC session) or nothing (timestamp).
  if (length >= 19 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32) {
    const end = text.endsWith('+00') ? length - 3 : length;
    if (end === 19 || (end > 20 && end <= 26 && text.charCodeAt(19) === 46 && digits(text, 20, end))) {
      // One flat string from char codes: a fifth of the time and memory of slicing and concatenating.
      const c = (i: number): number => text.charCodeAt(i);
      return String.fromCharCode(
        c(0), c(1), c(2), c(3), 45, c(5), c(6), 45, c(8), c(9), 84, c(11), c(12), 58, c(14), c(15), 58, c(17), c(18), 46,
        end > 20 ? c(20) : 48, end > 21 ? c(21) : 48, end > 22 ? c(22) : 48, 90,
      );
    }
  }
  if (text === 'infinity' || text === '-infinity') return null;
  const m = isoTimestamp.exec(text);
  if (m === null) throw new Error(`Unexpected timestamp text ${JSON.stringify(text)}: crmkit needs the ISO DateStyle`);
  const year = m[12] === undefined ? Number(m[1]) : 1 - Number(m[1]);
  const offsetSeconds =
    m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which maps years 0 to 99 to 1900 to 1999.
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]) - offsetSeconds, Number(millis(m[7])));
  if (Number.isNaN(date.getTime())) return text;
  return date.toISOString();
}

/** date: `YYYY-MM-DD` as the server writes it in the ISO DateStyle. */
export function parseDate(text: string): string | null {
  if (text.length === 10 && text.charCodeAt(4) === 45) return text;
  if (text === 'infinity' || text === '-infinity') return null;
  if (/^\d{4,}-\d\d-\d\d( BC)?$/.test(text)) return text;
  throw new Error(`Unexpected date text ${JSON.stringify(text)}: crmkit needs the ISO DateStyle`);
}

/** The parser of each type crmkit reads, by OID; other types keep the connection's own parsers. */
export const textParsers: Readonly<Record<number, (text: string) => unknown>> = Object.freeze({
  [oids.bool]: (text: string) => text === 't',
  [oids.int8]: parseInt8,
  [oids.int2]: Number,
  [oids.int4]: Number,
  [oids.text]: identity,
  [oids.bpchar]: identity,
  [oids.varchar]: identity,
  [oids.json]: parseJson,
  [oids.jsonb]: parseJson,
  [oids.float4]: Number,
  [oids.float8]: Number,
  [oids.numeric]: parseNumeric,
  [oids.date]: parseDate,
  [oids.timestamp]: parseTimestamp,
  [oids.timestamptz]: parseTimestamp,
});
