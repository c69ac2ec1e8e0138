import { actorMemoKey, type TenantContext } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { unknownRoleNames } from '../access/role-service-names.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { memberEntity } from './member.entity.js';
import { type Member, type MemberInput, memberInputSchema, type MemberPatch, memberPatchSchema } from './member.schema.js';

/** The host's users who own records. Reached as `crm.tenant(id).members`. */
export class MembersService extends RecordService<NonNullable<(typeof memberEntity)['model']['rowType']>, Member> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, memberEntity);
  }

  /**
   * Adds a member. Every name in `roles` must be a role: built-in, defined in
   * code (`createCrm({ access: { roles } })`) or stored by `t.roles`.
   * @throws {ValidationError} (also naming unknown roles) @throws {NotFoundError} for an unknown team or owner @throws {DuplicateError} for a taken email
   * @example
   * const rep = await t.members.create({ name: 'Moses Frase', email: 'moses@example.com', role: 'rep' });
   */
  async create(input: MemberInput): Promise<Member> {
    const data = parseInput(memberInputSchema, input, 'member');
    return this.ctx.write(async (w) => {
      await assertAllExist(w.tx, this.ctx, 'team', data.teamIds);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertRolesExist(w.systemTx, this.ctx, data.roles);
      const member = await this.store.insert(w, {
        name: data.name, role: data.role, roles: [...new Set(data.roles)], teamIds: data.teamIds, active: data.active,
        email: data.email ?? null, externalId: data.externalId ?? null,
        ...ownedDefaults(this.ctx, 'member', data),
      });
      w.emit('member.created', { record: member });
      // A member joining the actor's teams widens what the actor's `team` level reaches.
      if (member.teamIds.length > 0) this.ctx.access?.forget();
      return member;
    });
  }

  /** Active members of a team, by name. */
  async ofTeam(teamId: string): Promise<Member[]> {
    const id = parseInput(idSchema, teamId, 'team id');
    return this.store.all({ teamIds: { has: id }, active: true }, [{ field: 'name' }]);
  }

  /**
   * Changes a member. A member made inactive keeps its records but may no
   * longer act (`crm.tenant(id, { actorId })`) nor receive assignments.
   * `roles`, when given, replaces the member's (each must name a role, as in `create`).
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: MemberPatch, options?: WriteOptions): Promise<Member> {
    const memberId = parseInput(idSchema, id, 'member id');
    const data = parseInput(memberPatchSchema, patch, 'member patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    let regrant = false;
    try {
      return await this.ctx.write(async (w) => {
        if (data.teamIds) await assertAllExist(w.tx, this.ctx, 'team', data.teamIds);
        await assertExists(w.tx, this.ctx, 'member', data.ownerId);
        if (data.roles) await assertRolesExist(w.systemTx, this.ctx, data.roles);
        const roles = data.roles && [...new Set(data.roles)];
        const { after, changes } = await this.store.patch(
          w,
          memberId,
          (before) => defined({ ...data, roles, custom: mergedCustom(this.ctx, 'member', before.custom, data.custom) }),
          expectedVersion,
        );
        // A member deactivated here must not go on acting in the rest of the unit.
        w.unit.memo.delete(actorMemoKey(this.ctx.tenantId, memberId));
        regrant = changes.some((c) => c.field === 'teamIds' || (memberId === this.ctx.actorId && grantFields.has(c.field)));
        if (regrant) this.ctx.access?.forget();
        if (changes.length > 0) w.emit('member.updated', { record: after, changes });
        return after;
      });
    } finally {
      // Read again after the write settles too: a rolled-back change must not stay cached.
      if (regrant) this.ctx.access?.forget();
    }
  }
}

/**
 * The member fields the actor's policy is read from: the actor's own roles,
 * teams and being active, and (through anyone's `teamIds`) who is in the
 * actor's teams. The scope's cached policy is dropped when one changes.
 */
const grantFields = new Set(['role', 'roles', 'teamIds', 'active']);

/** Every name must answer to a role. @throws {ValidationError} naming the unknown ones */
async function assertRolesExist(storage: Storage, ctx: TenantContext, names: readonly string[]): Promise<void> {
  const unknown = await unknownRoleNames(storage, ctx, names);
  if (unknown.length > 0) throw ValidationError.single(`Unknown role(s): ${unknown.join(', ')}`, ['roles']);
}
