import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import type { Row } from '../storage/adapter.js';
import { memberModel, teamModel } from './member.model.js';
import { type Member, type MemberInput, memberInputSchema, type MemberPatch, memberPatchSchema } from './member.schema.js';

/** The host's users who own records. Reached as `crm.tenant(id).members`. */
export class MembersService extends RecordService<Member> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, new EntityStore<Member>(ctx, memberModel, (row: Row) => row as unknown as Member));
  }

  /**
   * Adds a member.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown team @throws {DuplicateError} for a taken email
   * @example
   * const rep = await t.members.create({ name: 'Moses Frase', email: 'moses@example.com', role: 'rep' });
   */
  async create(input: MemberInput): Promise<Member> {
    const data = parseInput(memberInputSchema, input, 'member');
    return this.ctx.write(async (w) => {
      await assertAllExist(w.tx, this.ctx, teamModel, data.teamIds);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
      const member = await this.store.insert(w, {
        ...data,
        email: data.email ?? null,
        externalId: data.externalId ?? null,
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
   * Changes a member.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: MemberPatch, options?: WriteOptions): Promise<Member> {
    const memberId = parseInput(idSchema, id, 'member id');
    const data = parseInput(memberPatchSchema, patch, 'member patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      if (data.teamIds) await assertAllExist(w.tx, this.ctx, teamModel, data.teamIds);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
      const { after, changes } = await this.store.patch(
        w,
        memberId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'member', before.custom, data.custom) }),
        expectedVersion,
      );
      if (changes.length > 0) w.emit('member.updated', { record: after, changes });
      return after;
    });
  }
}
