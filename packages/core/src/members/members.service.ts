import { actorMemoKey, type TenantContext } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { memberEntity } from './member.entity.js';
import { type Member, type MemberInput, memberInputSchema, type MemberPatch, memberPatchSchema } from './member.schema.js';

/** The host's users who own records. Reached as `crm.tenant(id).members`. */
export class MembersService extends RecordService<NonNullable<(typeof memberEntity)['model']['rowType']>, Member> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, memberEntity);
  }

  /**
   * Adds a member.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown team or owner @throws {DuplicateError} for a taken email
   * @example
   * const rep = await t.members.create({ name: 'Moses Frase', email: 'moses@example.com', role: 'rep' });
   */
  async create(input: MemberInput): Promise<Member> {
    const data = parseInput(memberInputSchema, input, 'member');
    return this.ctx.write(async (w) => {
      await assertAllExist(w.tx, this.ctx, 'team', data.teamIds);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const member = await this.store.insert(w, {
        name: data.name, role: data.role, teamIds: data.teamIds, active: data.active,
        email: data.email ?? null, externalId: data.externalId ?? null,
        ...ownedDefaults(this.ctx, 'member', data),
      });
      w.emit('member.created', { record: member });
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
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: MemberPatch, options?: WriteOptions): Promise<Member> {
    const memberId = parseInput(idSchema, id, 'member id');
    const data = parseInput(memberPatchSchema, patch, 'member patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      if (data.teamIds) await assertAllExist(w.tx, this.ctx, 'team', data.teamIds);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { after, changes } = await this.store.patch(
        w,
        memberId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'member', before.custom, data.custom) }),
        expectedVersion,
      );
      // A member deactivated here must not go on acting in the rest of the unit.
      w.unit.memo.delete(actorMemoKey(this.ctx.tenantId, memberId));
      if (changes.length > 0) w.emit('member.updated', { record: after, changes });
      return after;
    });
  }
}
