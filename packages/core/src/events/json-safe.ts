/**
 * A payload as JSON can hold it: bigints become numbers when they are safe
 * integers and decimal strings beyond (JSON numbers past 2^53 would be read
 * back rounded). Returns the value itself when it holds no bigint, which is
 * the common case and costs one walk.
 */
export function jsonSafe<T>(value: T): T {
  return hasBigint(value) ? (replaceBigints(value) as T) : value;
}

function hasBigint(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasBigint);
  for (const key in value) if (hasBigint((value as Record<string, unknown>)[key])) return true;
  return false;
}

function replaceBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(replaceBigints);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = replaceBigints(item);
  return out;
}
