import { monotonicFactory } from 'ulidx';

/**
 * ULIDs: 26 characters, sortable by creation time. Monotonic within one
 * millisecond, so ids made in one burst still sort in creation order and serve
 * as the tie-breaker of every keyset cursor.
 */
const ulid = monotonicFactory();

/** Makes a new sortable unique id. */
export function newId(): string {
  return ulid();
}
