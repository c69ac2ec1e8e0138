import type { TenantContext, WriteScope } from '../common/context.js';
import { shareModel } from '../access/role.model.js';
import { EntityStore } from '../common/entity-store.js';
import { newId } from '../common/ids.js';
import { assertNoCycle } from '../common/references.js';
import { companyEntity } from '../companies/company.entity.js';
import type { Company } from '../companies/company.schema.js';
import { contactEntity } from '../contacts/contact.entity.js';
import type { Contact } from '../contacts/contact.schema.js';
import type { DuplicateEntity } from '../duplicates/duplicate.schema.js';
import { ConflictError, NotFoundError, StateError } from '../errors.js';
import { recordConsentChanges } from '../privacy/consent-changes.js';
import { mergedRecordModel } from './merged-record.model.js';
import { relink } from './relink.js';
import { survivorOf } from './resolve.js';
import { checkFieldChoices, survivingValues } from './surviving-values.js';

/** A parsed merge request. */
export interface MergeRequest {
  entity: DuplicateEntity;
  survivorId: string;
  mergedIds: string[];
  fields: Record<string, string>;
  expectedVersions?: Record<string, number> | undefined;
}

/** What `duplicates.merge` returns. */
export interface MergeResult<T = Contact | Company> {
  /** The survivor as it is after the merge. */
  survivor: T;
  /** References moved to the survivor, by `model.field` (`dealContact.contactId`, `task.linkedId`...). */
  relinked: Record<string, number>;
  /**
   * Links folded into a row the survivor already had, by `model.field`: the
   * same campaign twice (one row kept, the furthest status), the same static
   * list, the same deal.
   */
  collapsed: Record<string, number>;
}

type AnyRecord = { id: string; version: number } & Record<string, unknown>;

/**
 * Locks every record of the merge, in id order so that two merges of
 * overlapping records wait for each other instead of deadlocking, and checks
 * the expected versions under the lock.
 * @throws {NotFoundError} @throws {StateError} for a record already merged or erased @throws {ConflictError}
 */
async function lockAll(w: WriteScope, store: EntityStore<object, unknown>, request: MergeRequest): Promise<Map<string, AnyRecord>> {
  const records = new Map<string, AnyRecord>();
  for (const id of [request.survivorId, ...request.mergedIds].sort()) {
    const row = await w.tx.findOne({ model: store.model, tenantId: w.ctx.tenantId, id, forUpdate: true });
    if (row === undefined) {
      const survivor = await survivorOf(w.ctx, request.entity, id, w.tx);
      // Redirects are plumbing, read whatever the grant: name the survivor only to whom may read it.
      const readable = survivor !== undefined && (await w.tx.findOne({ model: store.model, tenantId: w.ctx.tenantId, id: survivor })) !== undefined;
      if (readable) throw new StateError(`${request.entity} ${JSON.stringify(id)} was already merged into ${JSON.stringify(survivor)}`);
      throw new NotFoundError(request.entity, id);
    }
    const record = store.toRecord(row) as AnyRecord;
    // An erased contact (`privacy.erase`) holds no personal data to merge, and its erasure record must keep naming it.
    if (record.erasedAt !== undefined && record.erasedAt !== null) throw new StateError(`${request.entity} ${JSON.stringify(id)} was erased and cannot be merged`);
    const expected = request.expectedVersions?.[id];
    if (expected !== undefined && expected !== record.version) throw new ConflictError(request.entity, id, expected, record.version);
    records.set(id, record);
  }
  return records;
}

/**
 * Merges records into a survivor in one transaction: lock, choose the
 * surviving values, delete the merged rows (audited, with the survivor they
 * went to), relink every reference, update the survivor, record where the
 * merged ids went (flattening chains) and emit `<entity>.merged`.
 */
export async function mergeRecords(ctx: TenantContext, request: MergeRequest): Promise<MergeResult> {
  checkFieldChoices(request.entity, request.fields);
  const store = (request.entity === 'contact' ? new EntityStore(ctx, contactEntity) : new EntityStore(ctx, companyEntity)) as unknown as EntityStore<object, unknown>;
  return ctx.write(async (actorWrite) => {
    // Read (and locked) through the actor's grant: a record they may not read is missing.
    const locked = await lockAll(actorWrite, store, request);
    // Merging is its own action: `merge` on the survivor and on every merged record.
    for (const id of locked.keys()) await ctx.assertAllowed(store.model, id, 'merge', actorWrite.systemTx);
    // The rest is what an allowed merge implies: deleting the merged rows, updating the survivor and moving
    // every reference to it (deals, cases, campaign members... of anyone), which must reach every row.
    const w = actorWrite.asSystem();
    const ordered = [request.survivorId, ...request.mergedIds].map((id) => locked.get(id)!);
    const patch = survivingValues(ctx, request.entity, ordered, request.fields);
    const tenantId = ctx.tenantId;
    // Merged rows go first: their unique values (external id, domain) may move to the survivor.
    for (const merged of ordered.slice(1)) {
      await w.tx.delete({ model: store.model, tenantId, id: merged.id, expectedVersion: merged.version });
      // What it held, as a plain delete records it, and where it went.
      const held = Object.entries(store.entity.toRow(merged) as Record<string, unknown>)
        .filter(([field]) => !['tenantId', 'id'].includes(field))
        .map(([field, from]) => ({ field, from, to: null }));
      w.audit(request.entity, merged.id, 'delete', [{ field: 'mergedInto', from: null, to: request.survivorId }, ...held], merged.version);
    }
    // Shares of a merged record go with it: what it was shared for is now the survivor's, whose own shares decide.
    await w.tx.deleteMany({ model: shareModel, tenantId, where: { entity: request.entity, recordId: { in: request.mergedIds } } });
    const { relinked, collapsed } = await relink(w, request.entity, request.survivorId, request.mergedIds);
    const { before, after, changes } = await store.patch(w, request.survivorId, () => patch);
    if (request.entity === 'contact') {
      // The most restrictive consent may revoke what the survivor had: the history says so, with the merge as source.
      await recordConsentChanges(w, [{ contactId: request.survivorId, from: (before as Contact).consent, to: (after as Contact).consent }], 'merge');
    }
    if (request.entity === 'company') {
      const parentId = (after as Company).parentCompanyId;
      if (parentId !== null) {
        await assertNoCycle(request.survivorId, parentId, async (id) => ((await store.find(id, w.tx)) as Company | undefined)?.parentCompanyId ?? null, 'parentCompanyId');
      }
    }
    // Older merges into the merged records now resolve to the new survivor: chains stay one read long.
    await w.tx.updateMany({
      model: mergedRecordModel, tenantId, where: { entity: request.entity, survivorId: { in: request.mergedIds } }, data: { survivorId: request.survivorId, updatedAt: w.now },
    });
    await w.tx.createMany({
      model: mergedRecordModel, tenantId,
      rows: request.mergedIds.map((mergedId) => ({
        id: newId(), createdAt: w.now, updatedAt: w.now, entity: request.entity, mergedId, survivorId: request.survivorId, mergedAt: w.now,
      })),
    });
    const survivorVersion = (after as AnyRecord).version;
    w.audit(request.entity, request.survivorId, 'update', [{ field: 'merged', from: null, to: { mergedIds: request.mergedIds, relinked, collapsed } }], survivorVersion);
    const payload = { survivorId: request.survivorId, mergedIds: [...request.mergedIds], relinked };
    if (request.entity === 'contact') {
      if (changes.length > 0) w.emit('contact.updated', { record: after as Contact, changes });
      w.emit('contact.merged', payload);
    } else {
      if (changes.length > 0) w.emit('company.updated', { record: after as Company, changes });
      w.emit('company.merged', payload);
    }
    return { survivor: after as Contact | Company, relinked, collapsed };
  });
}
