import { ForbiddenError } from '../errors.js';
import type { FieldFilter, SubQuery, Where } from '../storage/where.js';
import type { AccessPolicy } from './access-policy.js';
import { recordFieldsOf } from './field-columns.js';
import { entityOfModel } from './protections.js';

/**
 * A where-tree with the actor's read scope added to every semi-join
 * (`inQuery`) into a scoped model, so that "contacts with two paid orders"
 * counts only orders the actor may read. Refuses a filter on a field hidden
 * from the actor (a filter would tell the hidden value apart). Trees from
 * services and callers alike go through it: it runs inside the storage.
 */
export function scopedWhere(policy: AccessPolicy, modelName: string, where: Where | undefined): Where | undefined {
  if (where === undefined) return undefined;
  const out: Where = {};
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      out[key] = (value as Where[]).map((w) => scopedWhere(policy, modelName, w)!);
    } else if (key === 'not') {
      out.not = scopedWhere(policy, modelName, value as Where)!;
    } else {
      assertVisible(policy, modelName, key);
      out[key] = isFilter(value) && value.inQuery !== undefined ? { ...value, inQuery: scopedSubQuery(policy, value.inQuery) } : value;
    }
  }
  return out;
}

function scopedSubQuery(policy: AccessPolicy, sub: SubQuery): SubQuery {
  assertVisible(policy, sub.model.name, sub.field);
  const inner = scopedWhere(policy, sub.model.name, sub.where);
  const scope = policy.scope(sub.model.name, 'read');
  const where = scope === null ? inner : inner === undefined ? scope : { and: [inner, scope] };
  return { ...sub, ...(where === undefined ? {} : { where }) };
}

/** The caller's where-tree ANDed with the actor's scope of the model for `action`. */
export function withScope(policy: AccessPolicy, modelName: string, where: Where | undefined, scope: Where | null): Where | undefined {
  const inner = scopedWhere(policy, modelName, where);
  if (scope === null) return inner;
  return inner === undefined || Object.keys(inner).length === 0 ? scope : { and: [inner, scope] };
}

/**
 * Refuses a model field (or JSON path: `custom.salary`) hidden from the actor
 * on the entity the model stores. Rules name record fields, the storage sees
 * model fields: a deal's `amountMinor` and `currency` are hidden with `amount`
 * (see field-columns.ts). A path is hidden with any prefix of it:
 * `custom.tier.code` with `custom.tier` or `custom`.
 * @throws {ForbiddenError}
 */
export function assertVisible(policy: AccessPolicy, modelName: string, key: string): void {
  const entity = entityOfModel(modelName);
  if (entity === undefined) return;
  const rules = policy.fieldRules(entity);
  if (rules.size === 0) return;
  const hidden = (path: string) => rules.get(path) === 'hidden';
  if (hidden(key) || recordFieldsOf(entity, key).some(hidden)) throw new ForbiddenError(entity, 'read', null, key);
  for (let dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
    if (hidden(key.slice(0, dot))) throw new ForbiddenError(entity, 'read', null, key);
  }
}

function isFilter(value: unknown): value is FieldFilter {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
