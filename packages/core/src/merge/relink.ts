import type { WriteScope } from '../common/context.js';
import { campaignMemberStatuses } from '../campaigns/campaign-member.schema.js';
import type { DuplicateEntity } from '../duplicates/duplicate.schema.js';
import { coreModels } from '../schema.js';
import type { Row } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Where } from '../storage/where.js';

/** One kind of stored reference to a contact or company. */
export interface Reference {
  model: ModelDefinition<object>;
  field: string;
  /** `id`: a column holding the id; `ids`: a JSON array of ids; `link`: a (type, id) pair (task links). */
  kind: 'id' | 'ids' | 'link';
  /**
   * For `id`: the other fields of each unique key the reference is part of
   * (a contact is in a campaign once): a merged row that would repeat a
   * survivor's row is folded into it instead of moved.
   */
  pairKeys: string[][];
}

/** The fields that hold an id of each entity, in every model. */
const idFields: Record<DuplicateEntity, { id: string[]; ids: string[] }> = {
  contact: { id: ['contactId'], ids: ['contactIds'] },
  company: { id: ['companyId', 'parentCompanyId'], ids: ['companyIds'] },
};

/** Links that are one per pair in meaning though no unique index says so. */
const extraPairKeys: Record<string, string[][]> = { interactionContact: [['interactionId']] };

/**
 * Every reference to records of `entity` in the core's models, found from the
 * models themselves (a model added later with a `contactId` is relinked
 * without a change here). Extensions' tables (workflow instances) are not
 * core's models: their `personalData` handlers relink them (see {@link relink}).
 */
export function referencesTo(entity: DuplicateEntity, models: readonly ModelDefinition<object>[] = Object.values(coreModels) as ModelDefinition<object>[]): Reference[] {
  const out: Reference[] = [];
  for (const model of models) {
    for (const field of idFields[entity].id) {
      if (model.fields[field] === undefined) continue;
      const unique = model.indexes.filter((i) => i.unique && i.fields.map((f) => f.replace(/^-/, '')).includes(field));
      const pairKeys = [...unique.map((i) => i.fields.map((f) => f.replace(/^-/, '')).filter((f) => f !== field)), ...(extraPairKeys[model.name] ?? [])];
      // An empty pair key is a unique field alone (one RFM score per contact): any survivor row is the twin.
      out.push({ model, field, kind: 'id', pairKeys });
    }
    for (const field of idFields[entity].ids) if (model.fields[field]?.type === 'json') out.push({ model, field, kind: 'ids', pairKeys: [] });
    if (model.fields.linkedType !== undefined && model.fields.linkedId !== undefined) out.push({ model, field: 'linkedId', kind: 'link', pairKeys: [] });
  }
  return out;
}

/** What a relink did: references moved to the survivor, and rows folded into a survivor's row that already said the same. */
export interface Relinked {
  relinked: Record<string, number>;
  collapsed: Record<string, number>;
}

const chunk = 500;
const rank = (status: unknown) => campaignMemberStatuses.indexOf(status as (typeof campaignMemberStatuses)[number]);

/**
 * How a merged row folds into the survivor's row for the same pair: campaign
 * members keep the furthest status and every time either reached; other
 * links (deal contacts, segment lists, interaction contacts) are just dropped.
 */
function folded(model: ModelDefinition<object>, kept: Row, dropped: Row): Row | null {
  if (model.name !== 'campaignMember') return null;
  const data: Row = {};
  if (rank(dropped.status) > rank(kept.status)) data.status = dropped.status;
  for (const field of ['sentAt', 'openedAt', 'respondedAt', 'convertedAt', 'unsubscribedAt', 'responseInteractionId']) {
    if ((kept[field] ?? null) === null && (dropped[field] ?? null) !== null) data[field] = dropped[field];
  }
  return Object.keys(data).length > 0 ? data : null;
}

const add = (counts: Record<string, number>, key: string, n: number) => {
  if (n > 0) counts[key] = (counts[key] ?? 0) + n;
};

/**
 * Points every reference to a merged record at the survivor, inside the
 * merge's transaction. Rows are moved by `updateMany` per model (one
 * statement each, version bumped); pair links are read in chunks of 500 to
 * fold repeats; JSON id lists are rewritten row by row and audited. Then
 * each `personalData` handler with a `relink` moves the extension's own
 * references (workflow subjects), since core does not know their tables.
 */
export async function relink(w: WriteScope, entity: DuplicateEntity, survivorId: string, mergedIds: readonly string[]): Promise<Relinked> {
  const tenantId = w.ctx.tenantId;
  const out: Relinked = { relinked: {}, collapsed: {} };
  for (const ref of referencesTo(entity)) {
    const { model, field } = ref;
    const key = `${model.name}.${field}`;
    if (ref.kind === 'link') {
      const n = await w.tx.updateMany({ model, tenantId, where: { linkedType: entity, linkedId: { in: [...mergedIds] } }, data: { linkedId: survivorId, updatedAt: w.now } as never });
      add(out.relinked, key, n);
    } else if (ref.kind === 'ids') {
      // Each row once, every merged id in it replaced: a deal with two of the merged contacts is one relinked row.
      const merged = new Set(mergedIds);
      for (;;) {
        const rows = (await w.tx.findMany({ model, tenantId, where: { or: mergedIds.map((id) => ({ [field]: { has: id } })) }, orderBy: [{ field: 'id' }], limit: chunk })) as Row[];
        for (const row of rows) {
          const before = row[field] as string[];
          const after = [...new Set(before.map((id) => (merged.has(id) ? survivorId : id)))];
          const updated = (await w.tx.update({ model, tenantId, id: row.id as string, data: { [field]: after, updatedAt: w.now } as never })) as Row;
          w.audit(model.name, row.id as string, 'update', [{ field, from: before, to: after }], (updated.version as number | undefined) ?? null);
        }
        add(out.relinked, key, rows.length);
        if (rows.length < chunk) break;
      }
    } else if (ref.pairKeys.length === 0) {
      // A company's subsidiaries: the survivor itself never becomes its own child.
      const self: Where = model.name === entity ? { id: { ne: survivorId } } : {};
      const n = await w.tx.updateMany({ model, tenantId, where: { [field]: { in: [...mergedIds] }, ...self }, data: { [field]: survivorId, updatedAt: w.now } as never });
      add(out.relinked, key, n);
    } else {
      // One merged id at a time: two merged contacts in the same campaign fold into one row too.
      for (const mergedId of mergedIds) await relinkPairs(w, ref, key, survivorId, mergedId, out);
    }
  }
  for (const handler of w.ctx.runtime.personalData) {
    if (handler.relink === undefined) continue;
    const moved = await handler.relink({ storage: w.tx, tenantId, entity, survivorId, mergedIds: [...mergedIds], now: w.now });
    for (const [key, n] of Object.entries(moved)) add(out.relinked, key, n);
  }
  return out;
}

async function relinkPairs(w: WriteScope, ref: Reference, key: string, survivorId: string, mergedId: string, out: Relinked): Promise<void> {
  const { model, field } = ref;
  const tenantId = w.ctx.tenantId;
  for (;;) {
    const rows = (await w.tx.findMany({ model, tenantId, where: { [field]: mergedId }, orderBy: [{ field: 'id' }], limit: chunk })) as Row[];
    if (rows.length === 0) return;
    const dropped = new Set<string>();
    for (const pair of ref.pairKeys) {
      const sameKey = (a: Row, b: Row) => pair.every((f) => (a[f] ?? null) === (b[f] ?? null));
      const twins: Where = pair.length === 0 ? {} : { or: rows.map((r) => Object.fromEntries(pair.map((f) => [f, r[f] ?? null]))) };
      const kept = (await w.tx.findMany({ model, tenantId, where: { [field]: survivorId, ...twins } })) as Row[];
      for (const row of rows) {
        const twin = kept.find((k) => sameKey(k, row));
        if (twin === undefined || dropped.has(row.id as string)) continue;
        dropped.add(row.id as string);
        const data = folded(model, twin, row);
        if (data !== null) await w.tx.update({ model, tenantId, id: twin.id as string, data: { ...data, updatedAt: w.now } as never });
      }
    }
    if (dropped.size > 0) await w.tx.deleteMany({ model, tenantId, where: { id: { in: [...dropped] } } });
    const moved = rows.filter((r) => !dropped.has(r.id as string)).map((r) => r.id as string);
    if (moved.length > 0) await w.tx.updateMany({ model, tenantId, where: { id: { in: moved } }, data: { [field]: survivorId, updatedAt: w.now } as never });
    add(out.relinked, key, moved.length);
    add(out.collapsed, key, dropped.size);
  }
}
