import type { TenantContext } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, assertNoCycle, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { StateError } from '../errors.js';
import { memberModel, teamModel } from './member.model.js';
import { teamEntity } from './member.entity.js';
import { type Team, type TeamInput, teamInputSchema, type TeamPatch, teamPatchSchema } from './member.schema.js';

/** Teams of members. Reached as `crm.tenant(id).teams`. */
export class TeamsService extends RecordService<NonNullable<(typeof teamModel)['rowType']>, Team> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, teamEntity);
  }

  /**
   * Creates a team.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown manager, parent or owner @throws {DuplicateError} for a taken name
   * @example
   * const west = await t.teams.create({ name: 'West' });
   */
  async create(input: TeamInput): Promise<Team> {
    const data = parseInput(teamInputSchema, input, 'team');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.managerId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertExists(w.tx, this.ctx, 'team', data.parentTeamId);
      const team = await this.store.insert(w, {
        name: data.name,
        managerId: data.managerId ?? null,
        parentTeamId: data.parentTeamId ?? null,
        ...ownedDefaults(this.ctx, 'team', data),
      });
      // A sub-team joins the closure of the teams above it (cases queued to it, shares with it).
      if (team.parentTeamId !== null) this.ctx.access?.forget();
      w.emit('team.created', { record: team });
      return team;
    });
  }

  /**
   * Changes a team. Refuses a parent that would make the hierarchy a cycle.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: TeamPatch, options?: WriteOptions): Promise<Team> {
    const teamId = parseInput(idSchema, id, 'team id');
    const data = parseInput(teamPatchSchema, patch, 'team patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.managerId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      if (data.parentTeamId) {
        await assertExists(w.tx, this.ctx, 'team', data.parentTeamId);
        // The walk up reads ancestors the actor may not see: a cycle is about the tree, not the grant.
        await assertNoCycle(teamId, data.parentTeamId, async (id) => (await this.store.get(id, w.systemTx)).parentTeamId, 'parentTeamId');
      }
      const { after, changes } = await this.store.patch(
        w,
        teamId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'team', before.custom, data.custom) }),
        expectedVersion,
      );
      // A new parent changes whose sub-team it is: the `team` level and team shares of the actor follow the closure.
      if (changes.some((c) => c.field === 'parentTeamId')) this.ctx.access?.forget();
      if (changes.length > 0) w.emit('team.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Deletes a team that no member belongs to and no team sits inside; move or
   * remove those first, so no member is left pointing at a missing team.
   * @throws {NotFoundError} @throws {ConflictError} @throws {StateError} while the team has members or sub-teams
   */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const teamId = parseInput(idSchema, id, 'team id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const tenantId = this.ctx.tenantId;
      // Asked first, so that a member who may not delete the team learns nothing of its members.
      await this.ctx.assertAllowed(teamModel, teamId, 'delete', w.systemTx);
      // Counted over every member and team, also those the actor may not read: none may be left pointing at it.
      const members = await w.systemTx.count({ model: memberModel, tenantId, where: { teamIds: { has: teamId } } });
      const children = await w.systemTx.count({ model: teamModel, tenantId, where: { parentTeamId: teamId } });
      if (members + children > 0) {
        throw new StateError(`Team ${teamId} still has ${members} member(s) and ${children} sub-team(s)`);
      }
      const record = await this.store.remove(w, teamId, expectedVersion);
      this.ctx.access?.forget();
      w.emit('team.deleted', { record });
    });
  }
}
