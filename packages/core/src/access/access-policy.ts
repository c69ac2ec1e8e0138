import { entities, type EntityName } from '../entities/registry.js';
import { storageLimits } from '../storage/limits.js';
import type { Where } from '../storage/where.js';
import { type AccessAction, type AccessLevel, type FieldAccessRule, widerLevel } from './access-levels.js';
import { shareModel } from './role.model.js';
import { type RoleDefinition, roleLevel } from './role.schema.js';
import { memberModel } from '../members/member.model.js';
import { type ParentLink, type Protection, protectionOf } from './protections.js';

/** A where-tree no row matches. */
export const nothing: Where = { id: { in: [] } };

/** Sentinel of {@link AccessPolicy.scope}: every row may be read. */
const unrestricted = null;

/**
 * What one acting member may do, resolved from their roles, teams (with
 * sub-teams) and the tenant's shares: levels per entity and action, the
 * where-trees that scope each model's reads and writes in SQL, and field
 * rules. Built once per tenant scope from the member's row (see `loadPolicy`).
 */
export class AccessPolicy {
  readonly #levels = new Map<string, AccessLevel>();
  readonly #scopes = new Map<string, Where | null>();
  readonly #fields = new Map<EntityName, Map<string, FieldAccessRule>>();

  constructor(
    /** The acting member. */
    readonly actorId: string,
    /** The member's roles, resolved to their definitions. */
    readonly roles: readonly RoleDefinition[],
    /** The member's teams and every team inside them. */
    readonly teamIds: readonly string[],
    /** Every member of those teams, the actor included. */
    readonly teamMemberIds: ReadonlySet<string>,
    /** The entities with records shared with the member or their teams when the policy was read. */
    readonly sharedEntities: ReadonlySet<string> = new Set(),
  ) {}

  /** The most permissive level the member's roles grant. */
  level(entity: EntityName, action: AccessAction): AccessLevel {
    const key = `${entity}:${action}`;
    let level = this.#levels.get(key);
    if (level === undefined) {
      level = 'none';
      for (const role of this.roles) level = widerLevel(level, roleLevel(role, entity, action));
      this.#levels.set(key, level);
    }
    return level;
  }

  /**
   * The where-tree of the rows of `modelName` the member may `action`, or
   * `null` when every row is allowed (and for models that are not scoped).
   * Writes scope records of entities; reads also scope child and polymorphic rows.
   */
  scope(modelName: string, action: AccessAction = 'read'): Where | null {
    const key = `${modelName}:${action}`;
    if (this.#scopes.has(key)) return this.#scopes.get(key)!;
    const protection = protectionOf(modelName);
    const where = protection === undefined ? unrestricted : this.#build(modelName, protection, action);
    this.#scopes.set(key, where);
    return where;
  }

  /** Whether a new record's row (its owner fields) falls inside the member's `action` level, before it exists. */
  allowsRow(entity: EntityName, action: AccessAction, row: Record<string, unknown>): boolean {
    const level = this.level(entity, action);
    if (level === 'all') return true;
    if (level === 'none') return false;
    const protection = protectionOf(entities[entity].model.name);
    if (protection?.kind !== 'record') return false;
    if (protection.ownerFields.some((f) => row[f] === this.actorId)) return true;
    if (level !== 'team') return false;
    return protection.ownerFields.some((f) => typeof row[f] === 'string' && this.teamMemberIds.has(row[f] as string))
      || protection.teamFields.some((f) => typeof row[f] === 'string' && this.teamIds.includes(row[f] as string));
  }

  /**
   * The rule for a field of an entity (a record field, or `custom.<key>`):
   * the most permissive of the roles that may read the entity at all.
   */
  fieldRule(entity: EntityName, field: string): FieldAccessRule | undefined {
    return this.fieldRules(entity).get(field);
  }

  /** Every field of the entity that is hidden or read-only for the member. */
  fieldRules(entity: EntityName): ReadonlyMap<string, FieldAccessRule> {
    let rules = this.#fields.get(entity);
    if (rules === undefined) {
      rules = new Map();
      const readers = this.roles.filter((role) => roleLevel(role, entity, 'read') !== 'none');
      const named = new Set(readers.flatMap((role) => Object.keys(role.fields?.[entity] ?? {})));
      for (const field of named) {
        const each = readers.map((role) => role.fields?.[entity]?.[field]);
        if (each.some((rule) => rule === undefined)) continue;
        rules.set(field, each.includes('readOnly') ? 'readOnly' : 'hidden');
      }
      this.#fields.set(entity, rules);
    }
    return rules;
  }

  #build(modelName: string, protection: Protection, action: AccessAction): Where | null {
    if (protection.kind === 'child') return action === 'read' ? this.#parents(protection.parents) : unrestricted;
    if (protection.kind === 'polymorphic') return action === 'read' ? this.#polymorphic(modelName, protection.typeField, protection.idField) : unrestricted;
    const own = this.#levelWhere(protection.entity, protection.ownerFields, protection.teamFields, action);
    const parents = this.#parents(protection.parents);
    if (own === unrestricted) return parents;
    return parents === unrestricted ? own : { and: [own, parents] };
  }

  #levelWhere(entity: EntityName, ownerFields: readonly string[], teamFields: readonly string[], action: AccessAction): Where | null {
    const level = this.level(entity, action);
    if (level === 'all') return unrestricted;
    const clauses: Where[] = [];
    if (level === 'own' || level === 'team') for (const f of ownerFields) clauses.push({ [f]: this.actorId });
    if (level === 'team' && this.teamIds.length > 0) {
      const members = [...this.teamMemberIds];
      for (const f of ownerFields) {
        clauses.push({ [f]: members.length <= storageLimits.maxListValues ? { in: members } : { inQuery: this.#teamMembersQuery() } });
      }
      for (const f of teamFields) clauses.push({ [f]: { in: [...this.teamIds] } });
    }
    if ((action === 'read' || action === 'update') && this.sharedEntities.has(entity)) clauses.push(this.#shared(entity, action));
    return clauses.length === 0 ? nothing : clauses.length === 1 ? clauses[0]! : { or: clauses };
  }

  #teamMembersQuery() {
    return { model: memberModel, field: 'id', where: { or: this.teamIds.map((t) => ({ teamIds: { has: t } })) } };
  }

  /**
   * Records shared with the member or one of their teams; for `update`, shared
   * for writing. One semi-join per recipient kind, each on its own partial
   * index (`crm_share_member`, `crm_share_team`): one `or` inside a single
   * sub-query made the planner read every share of the entity.
   */
  #shared(entity: EntityName, action: AccessAction): Where {
    const access = action === 'update' ? { access: 'write' } : {};
    const via = (to: Where): Where => ({ id: { inQuery: { model: shareModel, field: 'recordId', where: { entity, ...access, ...to } } } });
    const member = via({ memberId: this.actorId });
    const shared = this.teamIds.length === 0 ? member : { or: [member, via({ teamId: { in: [...this.teamIds] } })] };
    // Twice negated (`is not true is not true`, the same two-valued truth), the
    // term is no index constraint: else SQLite's planner may answer the scope's
    // `or` with a MULTI-INDEX OR on the primary key and sort every row before a
    // keyset cursor (0.05 of the system list at 100,000 contacts), where the
    // list's own index order reads 51 rows.
    return { not: { not: shared } };
  }

  #parents(parents: readonly ParentLink[]): Where | null {
    const clauses: Where[] = [];
    for (const link of parents) {
      const model = entities[link.entity].model;
      const where = this.scope(model.name, 'read');
      if (where === unrestricted) continue;
      const inside: Where = { [link.field]: { inQuery: { model, field: 'id', where } } };
      clauses.push(link.nullable === true ? { or: [{ [link.field]: null }, inside] } : inside);
    }
    return clauses.length === 0 ? unrestricted : clauses.length === 1 ? clauses[0]! : { and: clauses };
  }

  #polymorphic(modelName: string, typeField: string, idField: string): Where | null {
    const restricted: Where[] = [];
    const names: string[] = [];
    for (const name of Object.keys(entities) as EntityName[]) {
      const model = entities[name].model;
      const where = this.scope(model.name, 'read');
      if (where === unrestricted) continue;
      names.push(model.name);
      restricted.push({ [typeField]: model.name, [idField]: { inQuery: { model, field: 'id', where } } });
    }
    // Audit entries of shares (the only scoped model that is no entity's) follow the share.
    const shares = modelName === shareModel.name ? unrestricted : this.scope(shareModel.name, 'read');
    if (shares !== unrestricted) {
      names.push(shareModel.name);
      restricted.push({ [typeField]: shareModel.name, [idField]: { inQuery: { model: shareModel, field: 'id', where: shares } } });
    }
    if (names.length === 0) return unrestricted;
    return { or: [{ [typeField]: { notIn: names } }, ...restricted] };
  }
}
