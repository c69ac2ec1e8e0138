/** Crockford base 32, the ULID alphabet. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The smallest ULID of a millisecond: every id made at or after `ms` sorts
 * after it (except one with an all-zero random part). Used to turn "events of
 * the last N seconds" into a key range on the event table's primary key.
 * @internal
 */
export function ulidFloor(ms: number): string {
  let time = Math.max(0, Math.floor(ms));
  let text = '';
  for (let i = 0; i < 10; i++) {
    text = alphabet[time % 32] + text;
    time = Math.floor(time / 32);
  }
  return `${text}${'0'.repeat(16)}`;
}

/** The millisecond a ULID was made. @internal */
export function ulidTime(id: string): number {
  let time = 0;
  for (const char of id.slice(0, 10).toUpperCase()) time = time * 32 + alphabet.indexOf(char);
  return time;
}
