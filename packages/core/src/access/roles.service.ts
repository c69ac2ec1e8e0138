import type { TenantContext, WriteScope } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertExists } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { entities, type EntityName } from '../entities/registry.js';
import { StateError, ValidationError } from '../errors.js';
import { memberModel } from '../members/member.model.js';
import { type AccessAction, type AccessLevel, accessActions, type FieldAccessRule } from './access-levels.js';
import type { AccessPolicy } from './access-policy.js';
import { loadPolicy } from './load-policy.js';
import { type Role, roleEntity } from './role.entity.js';
import type { roleModel } from './role.model.js';
import { roleDefinitionSchema } from './role.schema.js';
import { type EffectiveAccess, type RoleInput, type RolePatch, rolePatchSchema } from './role-service-input.js';
import { codeRoles } from './role-service-names.js';

/**
 * The roles a tenant stores beyond the ones in code. A stored role takes the
 * place of a code or built-in role of the same name in that tenant, so a
 * tenant can tighten `rep` without touching the host's code. Reached as
 * `crm.tenant(id).roles`.
 *
 * Who may change roles is itself a grant: the `role` entity's levels (of the
 * built-ins, only `admin` creates, updates and deletes roles).
 */
export class RolesService extends RecordService<NonNullable<(typeof roleModel)['rowType']>, Role> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, roleEntity);
  }

  /**
   * Stores a role.
   * @throws {ValidationError} for a malformed definition (see `roleDefinitionSchema`)
   * @throws {DuplicateError} for a name the tenant's stored roles already use
   * @throws {ForbiddenError} unless the actor may create roles
   * @example
   * await t.roles.create({ name: 'field-sales', grants: { '*': { read: 'all' }, deal: { read: 'team', update: 'own' } } });
   */
  async create(input: RoleInput): Promise<Role> {
    const data = parseInput(roleDefinitionSchema, input, 'role');
    return this.#changingRoles(async (w) => {
      const role = await this.store.insert(w, {
        name: data.name, description: data.description ?? null, grants: data.grants, fields: data.fields ?? {},
      });
      w.emit('role.created', { record: role });
      return role;
    });
  }

  /**
   * Changes a role; `grants` and `fields`, when given, replace the role's. A
   * rename is refused, like a delete, while members name the old name and no
   * code or built-in role answers to it.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError} for a taken name
   * @throws {StateError} for a rename that would leave members naming nothing @throws {ForbiddenError}
   */
  async update(id: string, patch: RolePatch, options?: WriteOptions): Promise<Role> {
    const roleId = parseInput(idSchema, id, 'role id');
    const data = parseInput(rolePatchSchema, patch, 'role patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.#changingRoles(async (w) => {
      const { after, changes } = await this.store.patch(w, roleId, async (before) => {
        const next = parseInput(roleDefinitionSchema, {
          name: data.name ?? before.name,
          description: data.description === undefined ? before.description : data.description,
          grants: data.grants ?? before.grants,
          fields: data.fields ?? before.fields,
        }, 'role');
        if (next.name !== before.name) await this.#assertUnnamed(w, before.name, 'renamed');
        return { name: next.name, description: next.description ?? null, grants: next.grants, fields: next.fields ?? {} };
      }, expectedVersion);
      if (changes.length > 0) w.emit('role.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Deletes a role. Refused while members name it in `roles` and no code or
   * built-in role answers to the name: take it from them first, so a
   * member's roles always name roles that exist. Deleting a stored role that
   * replaced a code or built-in one is always possible: the name then means
   * that role again. (A member who names a name nothing answers to, should
   * one ever exist, gets nothing from it.)
   * @throws {NotFoundError} @throws {ConflictError} @throws {StateError} while members name it @throws {ForbiddenError}
   */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const roleId = parseInput(idSchema, id, 'role id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.#changingRoles(async (w) => {
      const role = await this.store.get(roleId, w.tx, true);
      await this.#assertUnnamed(w, role.name, 'deleted');
      const record = await this.store.remove(w, roleId, expectedVersion);
      w.emit('role.deleted', { record });
    });
  }

  /**
   * What a member may do, as the access checks resolve it: their roles, the
   * level of every entity and action, and their field rules. Without
   * `memberId`, the actor's (exactly what this scope enforces); another
   * member's needs the right to read that member.
   * @throws {ValidationError} in the system scope without `memberId` (it has no actor)
   * @throws {NotFoundError} for no such member (or one the actor may not read) @throws {StateError} for an inactive member
   * @example
   * const { levels } = await crm.tenant('acme', { actorId }).roles.effective();
   * levels.deal.update; // 'own'
   */
  async effective(memberId?: string): Promise<EffectiveAccess> {
    const id = memberId === undefined ? undefined : parseInput(idSchema, memberId, 'member id');
    const target = id ?? this.ctx.actorId;
    if (target === null) throw ValidationError.single('The system scope has no actor: name the member', ['memberId']);
    let policy: AccessPolicy;
    if (target === this.ctx.actorId && this.ctx.access !== null) {
      policy = (await this.ctx.policy())!;
    } else {
      if (target !== this.ctx.actorId) await assertExists(this.ctx.storage, this.ctx, 'member', target);
      policy = await loadPolicy(this.ctx.systemStorage, this.ctx.tenantId, target, codeRoles(this.ctx.runtime));
    }
    return describePolicy(policy);
  }

  /**
   * Runs a write of roles. The actor's own policy may name the role, so it is
   * read again: by later calls of the same unit, and after the write settles
   * (a rolled-back change must not stay in the scope's cache).
   */
  async #changingRoles<T>(fn: (w: WriteScope) => Promise<T>): Promise<T> {
    try {
      return await this.ctx.write(async (w) => {
        const out = await fn(w);
        this.ctx.access?.forget();
        return out;
      });
    } finally {
      this.ctx.access?.forget();
    }
  }

  /**
   * Refuses to take away a name members still hold, unless a code or built-in
   * role goes on answering to it. Counted without the actor's grant: the
   * actor may not see every member, and every one of them matters.
   * @throws {StateError}
   */
  async #assertUnnamed(w: WriteScope, name: string, what: 'deleted' | 'renamed'): Promise<void> {
    if (codeRoles(this.ctx.runtime).has(name)) return;
    const holders = await w.systemTx.count({ model: memberModel, tenantId: this.ctx.tenantId, where: { roles: { has: name } } });
    if (holders > 0) throw new StateError(`Role ${JSON.stringify(name)} cannot be ${what}: ${holders} member(s) still have it`);
  }
}

/** A policy as plain data: levels of every entity and action, field rules where there are any. */
function describePolicy(policy: AccessPolicy): EffectiveAccess {
  const levels = {} as Record<EntityName, Record<AccessAction, AccessLevel>>;
  const fields: Partial<Record<EntityName, Record<string, FieldAccessRule>>> = {};
  for (const entity of Object.keys(entities) as EntityName[]) {
    levels[entity] = Object.fromEntries(accessActions.map((a) => [a, policy.level(entity, a)])) as Record<AccessAction, AccessLevel>;
    const rules = policy.fieldRules(entity);
    if (rules.size > 0) fields[entity] = Object.fromEntries(rules);
  }
  return { roles: policy.roles.map((r) => r.name), levels, fields };
}
