import { brand, entityOfRecord } from '../entities/entity.js';
import { recordFieldsOf } from './field-columns.js';
import type { EntityName } from '../entities/registry.js';
import { type FieldView, isRegistryEntity, type PathTree } from './field-view.js';
import { entityOfModel } from './protections.js';

/**
 * `value` (whatever a service call returned: a record, a page, a customer
 * view, a timeline) without the fields hidden from the member, at any depth.
 * Records are known by their brand (see `brand` in entities/entity.ts).
 * Nothing is mutated: results may be memoised inside crmkit (a pipeline with
 * its stages), so an object that loses a field is copied, and so is every
 * object and array on the way to it; the rest is returned as it is. Copies of
 * records keep their brand. Audit entries lose the changes of hidden fields.
 */
export function stripHidden<T>(value: T, view: FieldView): T {
  const done = new Map<object, unknown>();

  const strip = (input: unknown): unknown => {
    if (typeof input !== 'object' || input === null) return input;
    const seen = done.get(input);
    if (seen !== undefined) return seen;
    // A cycle (none in crmkit's results) ends at the object itself.
    done.set(input, input);
    let out: unknown = input;
    if (Array.isArray(input)) out = mapArray(input, strip);
    else if (isPlain(input)) out = stripObject(input as Record<string, unknown>);
    done.set(input, out);
    return out;
  };

  const stripObject = (record: Record<string, unknown>): Record<string, unknown> => {
    const name = entityOfRecord(record);
    const tree = name !== undefined && isRegistryEntity(name) ? view.hiddenTree(name) : undefined;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const node = tree?.get(key);
      if (node === true) {
        copy ??= { ...record };
        delete copy[key];
        continue;
      }
      const before = record[key];
      const after = strip(node === undefined ? before : withoutPaths(before, node));
      if (after !== before) (copy ??= { ...record })[key] = after;
    }
    if (name === 'auditEntry') copy = stripAuditChanges(copy ?? record, view) ?? copy;
    else if (name === undefined) copy = stripEvent(copy ?? record) ?? copy;
    return copy === undefined ? record : name === undefined ? copy : brand(copy, name);
  };

  /**
   * A domain event as the outbox keeps it (`privacy.export` returns a
   * person's): its payload's `record` is a record of the entity the type
   * starts with, stored as JSON and so unbranded, and its `changes` are
   * audit changes. Undefined when nothing changes.
   */
  const stripEvent = (event: Record<string, unknown>): Record<string, unknown> | undefined => {
    const { type, data } = event;
    if (typeof type !== 'string' || typeof data !== 'object' || data === null || !('occurredAt' in event)) return undefined;
    const entity = type.slice(0, type.indexOf('.'));
    if (!isRegistryEntity(entity) || view.hiddenTree(entity) === undefined) return undefined;
    const payload = data as Record<string, unknown>;
    const out: Record<string, unknown> = { ...payload };
    if (typeof payload.record === 'object' && payload.record !== null && entityOfRecord(payload.record) === undefined) {
      out.record = strip(brand({ ...(payload.record as object) }, entity));
    }
    if (Array.isArray(payload.changes)) out.changes = stripChanges(entity, payload.changes as AuditChangeLike[], view) ?? payload.changes;
    return out.record === payload.record && out.changes === payload.changes ? undefined : { ...event, data: out };
  };

  return strip(value) as T;
}

/** `value` without the paths of `tree` (a hidden `custom.salary` inside `custom`), copied when one was there. */
function withoutPaths(value: unknown, tree: PathTree): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const [key, node] of tree) {
    if (!Object.hasOwn(object, key)) continue;
    if (node === true) {
      copy ??= { ...object };
      delete copy[key];
    } else {
      const inner = withoutPaths(object[key], node);
      if (inner !== object[key]) (copy ??= { ...object })[key] = inner;
    }
  }
  return copy ?? value;
}

interface AuditChangeLike {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * An audit entry's changes name model fields (`amountMinor`, `custom`): a
 * change of a column made of a hidden record field goes, and a JSON column
 * loses its hidden paths in `from` and `to`. Undefined when nothing changes.
 */
function stripAuditChanges(entry: Record<string, unknown>, view: FieldView): Record<string, unknown> | undefined {
  const entity = typeof entry.entity === 'string' ? entityOfModel(entry.entity) : undefined;
  if (entity === undefined || !Array.isArray(entry.changes)) return undefined;
  const changes = stripChanges(entity, entry.changes as AuditChangeLike[], view);
  return changes === undefined ? undefined : { ...entry, changes };
}

/** Changes of a record of `entity` (audit entries, `*.updated` events) without hidden fields; undefined when none is. */
function stripChanges(entity: EntityName, changes: readonly AuditChangeLike[], view: FieldView): AuditChangeLike[] | undefined {
  const tree = view.hiddenTree(entity);
  if (tree === undefined) return undefined;
  let changed = false;
  const out: AuditChangeLike[] = [];
  for (const change of changes) {
    if (tree.get(change.field) === true || recordFieldsOf(entity, change.field).some((field) => tree.get(field) === true)) {
      changed = true;
      continue;
    }
    const node = tree.get(change.field);
    if (node === undefined || node === true) {
      out.push(change);
      continue;
    }
    const from = withoutPaths(change.from, node);
    const to = withoutPaths(change.to, node);
    if (from === change.from && to === change.to) out.push(change);
    else {
      changed = true;
      // A change of hidden keys only would still tell that they changed.
      if (!sameValue(from, to)) out.push({ ...change, from, to });
    }
  }
  return changed ? out : undefined;
}

/** Deep equality of JSON values, key order aside. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function mapArray(items: unknown[], f: (item: unknown) => unknown): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const after = f(items[i]);
    if (after !== items[i]) (copy ??= items.slice())[i] = after;
  }
  return copy ?? items;
}

// Class instances (dates, errors, buffers) are not results' containers of records.
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
