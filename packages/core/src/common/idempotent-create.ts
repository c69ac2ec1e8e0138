import { z } from 'zod';
import { DuplicateError } from '../errors.js';
import type { WriteScope } from './context.js';
import type { EntityStore } from './entity-store.js';

/** Options of the `create` methods of entities that take an idempotency key. */
export interface CreateOptions {
  /**
   * A key naming this create (a workflow effect's key, an import row's id, a
   * client's request id): a later create with the same key in the tenant
   * returns the record this one made, unchanged, and emits nothing. Stored on
   * the record (`idempotencyKey`), unique per tenant.
   */
  idempotencyKey?: string;
}

/** Schema of {@link CreateOptions}. */
export const createOptionsSchema = z
  .strictObject({ idempotencyKey: z.string().min(1).max(200).optional() })
  .optional()
  .default({});

/**
 * Runs a create once per idempotency key: the record an earlier create with
 * the key made is returned as it is; two concurrent creates with one key
 * leave one record, and the loser returns it. Writes in the store's tenant context.
 */
export async function createOnce<R extends object, T>(
  store: EntityStore<R, T>,
  key: string | undefined,
  create: (w: WriteScope) => Promise<T>,
): Promise<T> {
  const ctx = store.ctx;
  if (key === undefined) return ctx.write(create);
  const existing = await store.first({ idempotencyKey: key });
  if (existing !== undefined) return existing;
  try {
    return await ctx.write(create);
  } catch (error) {
    // Inside a host transaction a unique violation ends the transaction: nothing to read then.
    if (!(error instanceof DuplicateError) || ctx.unit !== undefined) throw error;
    const winner = await store.first({ idempotencyKey: key });
    if (winner === undefined) throw error;
    return winner;
  }
}
