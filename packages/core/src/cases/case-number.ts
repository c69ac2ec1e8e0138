import type { TenantContext, WriteScope } from '../common/context.js';
import { DuplicateError } from '../errors.js';
import { caseModel } from './case.model.js';
import { caseSequenceModel } from './case-sequence.model.js';

/** The id of the case counter row of each tenant. */
const sequenceId = 'case';

/**
 * Takes the tenant's next case number. The tenant's counter row is read with a
 * row lock, so a concurrent create waits until this transaction ends and then
 * reads the number after it (SQLite's single writer gives the same order). The
 * first create of a tenant makes the row from its highest case number; two
 * such first creates at once may both try, and the loser's
 * {@link DuplicateError} on the counter is answered by {@link withCaseNumber}.
 */
export async function nextCaseNumber(w: WriteScope): Promise<number> {
  // System work: numbers are the tenant's, one sequence over every case, whatever the actor may read
  // (through their grant, the highest case would be the highest they can see, and numbers would repeat).
  const tx = w.systemTx;
  const scope = { model: caseSequenceModel, tenantId: w.ctx.tenantId };
  const counter = await tx.findOne({ ...scope, id: sequenceId, forUpdate: true });
  if (counter !== undefined) {
    await tx.update({ ...scope, id: sequenceId, data: { next: counter.next + 1, updatedAt: w.now } });
    return counter.next;
  }
  const [last] = await tx.findMany({ model: caseModel, tenantId: w.ctx.tenantId, orderBy: [{ field: 'number', direction: 'desc' }], limit: 1, select: ['number'] });
  const number = (last?.number ?? 0) + 1;
  await tx.create({ ...scope, data: { id: sequenceId, next: number + 1, createdAt: w.now, updatedAt: w.now } });
  return number;
}

/** At most this many attempts: only the first creates of a tenant, racing to make its counter, can lose. */
const attempts = 5;

/**
 * Runs a write that takes a case number again when it lost the race to make
 * the tenant's counter row (only the first creates of a tenant can). Inside a
 * host transaction the failed insert has aborted the transaction, so the error
 * is the caller's to retry.
 * @throws {DuplicateError} inside a host transaction, or after {@link attempts} lost races
 */
export async function withCaseNumber<T>(ctx: TenantContext, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const lost = error instanceof DuplicateError && (error.entity === 'caseSequence' || (error.entity === 'case' && error.fields.includes('number')));
      if (!lost || ctx.unit !== undefined || attempt >= attempts) throw error;
    }
  }
}
