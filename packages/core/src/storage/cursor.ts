import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.js';

/**
 * Turns keyset positions into the opaque `nextCursor` strings services hand
 * out, and back. A cursor is the position's values as base64url JSON followed
 * by an HMAC-SHA256 (truncated to 128 bits) over the values and the list the
 * cursor belongs to, so any string that this codec did not hand out for that
 * same list (another tenant, entity, ordering, record; an altered, truncated or
 * made-up string) is refused before it reaches the database.
 */
export interface CursorCodec {
  /**
   * The cursor of a position in the list named by `scope`.
   * @param scope identifies the list: tenant, entity, ordering (see `list.ts`)
   * @param values the keyset values of the position, in ordering order, `id` last
   */
  encode(scope: string, values: readonly unknown[]): string;
  /**
   * The values of a cursor made by {@link encode} with the same scope and key.
   * @throws {ValidationError} for anything else.
   */
  decode(scope: string, cursor: unknown): unknown[];
}

/** Cursors are at most this long, so a huge string is refused before it is hashed. */
const maxCursorLength = 4096;
const macBytes = 16;

// One key per process unless the host configures one: cursors then stop working after a
// restart and on other processes, which is why CrmOptions.cursorSecret exists.
let processKey: Buffer | undefined;

function invalid(cause?: unknown): ValidationError {
  const message = 'Invalid cursor: pass the nextCursor of the previous page of the same list';
  return new ValidationError(message, [{ path: ['cursor'], message, code: 'custom' }], cause === undefined ? {} : { cause });
}

/**
 * Creates the codec of one `Crm` instance.
 *
 * @param secret the HMAC key; at least 16 bytes (32 random bytes recommended). Processes that
 *   must accept each other's cursors, or cursors issued before a restart, need the same secret.
 * @default a random key per process
 * @throws {ValidationError} for a secret shorter than 16 bytes.
 */
export function createCursorCodec(secret?: string | Uint8Array): CursorCodec {
  let key: Buffer;
  if (secret === undefined) {
    key = processKey ??= randomBytes(32);
  } else {
    key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (key.length < 16) throw ValidationError.single('cursorSecret must be at least 16 bytes long', ['cursorSecret']);
  }
  const mac = (scope: string, payload: string): Buffer =>
    createHmac('sha256', key).update(scope).update('\n').update(payload).digest().subarray(0, macBytes);
  return {
    encode(scope, values) {
      const json = JSON.stringify(values, (_key, value: unknown) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value));
      const payload = Buffer.from(json, 'utf8').toString('base64url');
      return `${payload}.${mac(scope, payload).toString('base64url')}`;
    },
    decode(scope, cursor) {
      if (typeof cursor !== 'string' || cursor.length > maxCursorLength) throw invalid();
      const dot = cursor.indexOf('.');
      if (dot < 0) throw invalid();
      const payload = cursor.slice(0, dot);
      const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
      // base64url decoding skips stray characters, so the re-encoding must be exact too.
      if (given.length !== macBytes || given.toString('base64url') !== cursor.slice(dot + 1)) throw invalid();
      if (!timingSafeEqual(given, mac(scope, payload))) throw invalid();
      try {
        const values: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'), (_key, value: unknown) =>
          typeof value === 'object' && value !== null && '$bigint' in value ? BigInt(String((value as { $bigint: unknown }).$bigint)) : value,
        );
        if (!Array.isArray(values)) throw new Error('not a list');
        return values;
      } catch (error) {
        throw invalid(error);
      }
    },
  };
}
