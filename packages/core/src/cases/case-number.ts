import type { TenantContext, WriteScope } from '../common/context.js';
import { DuplicateError } from '../errors.js';
import { caseModel } from './case.model.js';

/**
 * The next case number of the tenant: one more than the highest taken. Two
 * concurrent creates may compute the same number; the unique index lets one
 * commit and the other fail with a {@link DuplicateError}, which
 * {@link withCaseNumber} answers by running the create again.
 */
export async function nextCaseNumber(w: WriteScope): Promise<number> {
  const [last] = await w.tx.findMany({ model: caseModel, tenantId: w.ctx.tenantId, orderBy: [{ field: 'number', direction: 'desc' }], limit: 1, select: ['number'] });
  return (last?.number ?? 0) + 1;
}

/** At most this many creates can race for one number before giving up: each round one of them commits. */
const attempts = 50;

/**
 * Runs a write that takes a case number until no concurrent create took the
 * same one. No wait is needed between attempts: on Postgres the losing insert
 * waited for the winner to commit, so the next attempt reads its number. Inside
 * a host transaction the failed insert has aborted the transaction, so the
 * error is the caller's to retry.
 * @throws {DuplicateError} inside a host transaction, or after {@link attempts} lost races
 */
export async function withCaseNumber<T>(ctx: TenantContext, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const lostNumber = error instanceof DuplicateError && error.entity === 'case' && error.fields.includes('number');
      if (!lostNumber || ctx.unit !== undefined || attempt >= attempts) throw error;
    }
  }
}
