import { ConflictError, StorageError } from '../errors.js';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /**
   * Attempts in all, the first included.
   * @default 5
   */
  attempts?: number;
  /**
   * Base delay in milliseconds; attempt n waits a random time up to base x 2^n (full jitter).
   * @default 10
   */
  baseDelayMs?: number;
  /**
   * Which errors are worth another attempt.
   * @default `ConflictError` and retryable `StorageError`s
   */
  retryOn?: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a read-modify-write until it does not conflict. `fn` must re-read what
 * it modifies on every attempt, so each try works on the current version.
 *
 * @throws the last error when every attempt failed, or the first one not retryable.
 * @example
 * await withRetry(async () => {
 *   const deal = await t.deals.get(id);
 *   return t.deals.update(id, { probability: deal.probability + 5 }, { expectedVersion: deal.version });
 * });
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 10;
  const retryOn = options.retryOn ?? ((e) => e instanceof ConflictError || (e instanceof StorageError && e.retryable));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryOn(error)) throw error;
      await sleep(Math.random() * base * 2 ** attempt);
    }
  }
}
