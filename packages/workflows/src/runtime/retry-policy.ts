import type { Row } from '@crmkit/core';
import type { EngineSettings } from './context.js';

/** Longest pause between two attempts of an effect. */
export const maxRetryDelayMs = 3_600_000;

/**
 * The pause after failed attempt number `attempt` (1 for the first):
 * `retryBaseMs`, then twice that, and so on, capped at an hour. The one
 * backoff of every queue.
 */
export function retryDelayMs(settings: Pick<EngineSettings, 'retryBaseMs'>, attempt: number): number {
  return Math.min(maxRetryDelayMs, settings.retryBaseMs * 2 ** (attempt - 1));
}

/** How an attempt ended, as the job row records it. */
export type Settlement =
  | { kind: 'done' }
  | { kind: 'failed'; error: unknown }
  /** The attempt that began before this one never reported back (its worker stopped or lost its lease) and was the last allowed. */
  | { kind: 'abandoned'; attempt: number };

/** The text kept in a job row's `lastError`. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The fields a settled attempt writes to its job row: done; pending again
 * after the backoff; or dead once `maxAttempts` attempts have begun. The
 * retry policy of every queue lives here.
 */
export function settledFields(settings: EngineSettings, job: Row, settlement: Settlement, now: Date): Row {
  const at = now.toISOString();
  if (settlement.kind === 'done') return { status: 'done', leasedUntil: null, finishedAt: at, lastError: null, updatedAt: at };
  if (settlement.kind === 'abandoned') {
    return {
      status: 'dead', leasedUntil: null, finishedAt: at, updatedAt: at,
      lastError: `Attempt ${settlement.attempt} of ${job.maxAttempts as number} began but never reported back (its worker stopped or lost its lease)`,
    };
  }
  const attempts = job.attempts as number;
  const dead = attempts >= (job.maxAttempts as number);
  return {
    status: dead ? 'dead' : 'pending', leasedUntil: null, lastError: errorText(settlement.error), updatedAt: at,
    dueAt: dead ? (job.dueAt as string) : new Date(now.getTime() + retryDelayMs(settings, attempts)).toISOString(),
    finishedAt: dead ? at : null,
  };
}
