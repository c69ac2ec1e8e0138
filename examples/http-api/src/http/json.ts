/**
 * JSON for responses. crmkit returns money and sums as `number` while they
 * fit in 2^53 and as `bigint` beyond; `JSON.stringify` throws on a bigint, so
 * one that is a safe integer becomes a number and a larger one a decimal string.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v));
}

/** The value as a client receives it: what `toJson` writes, parsed back. */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(toJson(value)) as T;
}
