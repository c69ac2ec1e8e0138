import { coreModels, type ModelDefinition, type StorageAdapter } from '@crmkit/core';

/**
 * Every stored reference to a contact or company, found from the models (so a
 * model added with a `contactId` is counted without touching the tests), and
 * counting helpers the merge tests compare before and after a merge.
 */
export interface RefKind {
  key: string;
  model: ModelDefinition;
  field: string;
  kind: 'id' | 'ids' | 'link';
  /** Other fields of the unique keys the field is part of (a contact is in a campaign once). */
  pairs: string[][];
}

export function referenceKinds(entity: 'contact' | 'company'): RefKind[] {
  const idFields = entity === 'contact' ? ['contactId'] : ['companyId', 'parentCompanyId'];
  const out: RefKind[] = [];
  for (const model of Object.values(coreModels) as ModelDefinition[]) {
    for (const field of idFields) {
      if (!model.fields[field]) continue;
      const pairs = model.indexes.filter((i) => i.unique && i.fields.includes(field)).map((i) => i.fields.filter((f) => f !== field));
      if (model.name === 'interactionContact') pairs.push(['interactionId']);
      out.push({ key: `${model.name}.${field}`, model, field, kind: 'id', pairs });
    }
    if (entity === 'contact' && model.fields.contactIds) out.push({ key: `${model.name}.contactIds`, model, field: 'contactIds', kind: 'ids', pairs: [] });
    if (model.fields.linkedType && model.fields.linkedId) out.push({ key: `${model.name}.linkedId`, model, field: 'linkedId', kind: 'link', pairs: [] });
  }
  return out;
}

type Row = Record<string, unknown>;

/** The rows of one reference kind that point at any of `ids`. */
export async function rowsReferencing(adapter: StorageAdapter, tenantId: string, entity: string, ref: RefKind, ids: string[]): Promise<Row[]> {
  const where =
    ref.kind === 'id' ? { [ref.field]: { in: ids } }
    : ref.kind === 'ids' ? { or: ids.map((id) => ({ [ref.field]: { has: id } })) }
    : { linkedType: entity, linkedId: { in: ids } };
  return (await adapter.findMany({ model: ref.model, tenantId, where })) as Row[];
}

/** Per reference kind: how many rows point at `ids`. */
export async function countReferences(adapter: StorageAdapter, tenantId: string, entity: 'contact' | 'company', ids: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ref of referenceKinds(entity)) out[ref.key] = (await rowsReferencing(adapter, tenantId, entity, ref, ids)).length;
  return out;
}

/**
 * What the counts must be after merging `mergedIds` into `survivorId`: every
 * row that pointed at one of them points at the survivor, except that rows of
 * a unique pair (the same campaign, list, deal or interaction twice) become one.
 */
export async function expectedAfterMerge(
  adapter: StorageAdapter, tenantId: string, entity: 'contact' | 'company', survivorId: string, mergedIds: string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const all = [survivorId, ...mergedIds];
  for (const ref of referenceKinds(entity)) {
    let rows = await rowsReferencing(adapter, tenantId, entity, ref, all);
    // A merged company's own row goes away with the merge; its parent link with it.
    if (ref.model.name === entity) rows = rows.filter((r) => !mergedIds.includes(r.id as string));
    if (ref.kind !== 'id' || ref.pairs.length === 0) {
      out[ref.key] = rows.length;
      continue;
    }
    const seen = new Set<string>();
    for (const row of rows) seen.add(ref.pairs.map((pair) => pair.map((f) => String(row[f])).join('|')).join('#'));
    out[ref.key] = seen.size;
  }
  return out;
}
