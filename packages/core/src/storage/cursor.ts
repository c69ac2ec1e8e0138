import { ValidationError } from '../errors.js';
import type { Row } from './adapter.js';

/**
 * Encodes keyset values (the last row's order fields plus `id`) as an opaque,
 * URL-safe string that callers hand back to get the next page.
 */
export function encodeCursor(values: Row): string {
  const json = JSON.stringify(values, (_key, value: unknown) =>
    typeof value === 'bigint' ? { $bigint: value.toString() } : value,
  );
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws {ValidationError} when the cursor was not made by crmkit or was altered.
 */
export function decodeCursor(cursor: string): Row {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), (_key, value: unknown) =>
      typeof value === 'object' && value !== null && '$bigint' in value
        ? BigInt(String((value as { $bigint: unknown }).$bigint))
        : value,
    );
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Row;
  } catch (error) {
    throw new ValidationError('Invalid cursor', [{ path: ['cursor'], message: 'Invalid cursor', code: 'custom' }], {
      cause: error,
    });
  }
}
