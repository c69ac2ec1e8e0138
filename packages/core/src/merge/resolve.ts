import type { EntityStore } from '../common/entity-store.js';
import type { TenantContext } from '../common/context.js';
import { NotFoundError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { mergedRecordModel } from './merged-record.model.js';

/** The survivor a merged id went to (the final one of a chain), or undefined for an id never merged. */
export async function survivorOf(ctx: TenantContext, entity: string, id: string, storage: Storage = ctx.storage): Promise<string | undefined> {
  const [row] = await storage.findMany({ model: mergedRecordModel, tenantId: ctx.tenantId, where: { entity, mergedId: id }, limit: 1, select: ['survivorId'] });
  return row?.survivorId;
}

/**
 * The record with this id, or the survivor it was merged into: what
 * `contacts.get` / `companies.get` return, so ids kept by the host before a
 * merge keep working. @throws {NotFoundError} naming the id asked for
 */
export async function getOrSurvivor<R extends object, T>(store: EntityStore<R, T>, id: string): Promise<T> {
  const found = await store.find(id);
  if (found !== undefined) return found;
  const survivorId = await survivorOf(store.ctx, store.model.name, id);
  const survivor = survivorId === undefined ? undefined : await store.find(survivorId);
  if (survivor === undefined) throw new NotFoundError(store.model.name, id);
  return survivor;
}
