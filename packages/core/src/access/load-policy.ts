import { NotFoundError, StateError } from '../errors.js';
import { memberModel, teamModel } from '../members/member.model.js';
import type { Storage } from '../storage/adapter.js';
import { AccessPolicy } from './access-policy.js';
import { roleModel, shareModel } from './role.model.js';
import type { RoleDefinition } from './role.schema.js';

/**
 * Reads what an acting member may do: the member (who must exist and be
 * active), the definitions of their roles (stored ones first, then the code's,
 * then the built-ins), their teams with every sub-team, and the members of
 * those teams, and which entities have records shared with them. Five small
 * indexed reads, once per tenant scope: a share granted later reaches the
 * member's next scope.
 * @throws {NotFoundError} for no such member @throws {StateError} for an inactive one
 */
export async function loadPolicy(
  storage: Storage,
  tenantId: string,
  actorId: string,
  codeRoles: ReadonlyMap<string, RoleDefinition>,
): Promise<AccessPolicy> {
  const member = await storage.findOne({ model: memberModel, tenantId, id: actorId });
  if (member === undefined) throw new NotFoundError('member', actorId);
  if (!member.active) throw new StateError(`Member ${actorId} is inactive and cannot act`);
  const names = [...new Set([member.role, ...(member.roles ?? [])])];
  const stored = await storage.findMany({ model: roleModel, tenantId, where: { name: { in: names } } });
  const byName = new Map<string, RoleDefinition>(stored.map((r) => [r.name, { name: r.name, grants: r.grants, fields: r.fields }]));
  // A name no role answers to grants nothing: removing a role takes its rights away.
  const roles = names.map((n) => byName.get(n) ?? codeRoles.get(n)).filter((r): r is RoleDefinition => r !== undefined);
  const teamIds = await teamClosure(storage, tenantId, member.teamIds);
  const teamMemberIds = new Set<string>([actorId]);
  if (teamIds.length > 0) {
    const rows = await storage.findMany({
      model: memberModel, tenantId, where: { or: teamIds.map((t) => ({ teamIds: { has: t } })) }, select: ['id'],
    });
    for (const row of rows) teamMemberIds.add(row.id);
  }
  return new AccessPolicy(actorId, roles, teamIds, teamMemberIds, await sharedEntities(storage, tenantId, actorId, teamIds));
}

/**
 * The entities of which something is shared with the member or their teams:
 * only those get the share clause in their scope, which keeps the common
 * scope (`ownerId = actor`) a plain indexed condition.
 */
async function sharedEntities(storage: Storage, tenantId: string, actorId: string, teamIds: readonly string[]): Promise<Set<string>> {
  const to = teamIds.length > 0 ? { or: [{ memberId: actorId }, { teamId: { in: [...teamIds] } }] } : { memberId: actorId };
  const rows = await storage.aggregate({ model: shareModel, tenantId, where: to, groupBy: ['entity'], metrics: { shares: { fn: 'count' } } });
  return new Set(rows.map((row) => String(row.entity)));
}

/** The teams and every team below them, following `parentTeamId` (teams are few: one read of them all). */
async function teamClosure(storage: Storage, tenantId: string, teamIds: readonly string[]): Promise<string[]> {
  if (teamIds.length === 0) return [];
  const teams = await storage.findMany({ model: teamModel, tenantId, select: ['id', 'parentTeamId'] });
  const children = new Map<string, string[]>();
  for (const t of teams) {
    if (t.parentTeamId === null) continue;
    const list = children.get(t.parentTeamId);
    if (list) list.push(t.id);
    else children.set(t.parentTeamId, [t.id]);
  }
  const seen = new Set<string>();
  const queue = [...teamIds];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(children.get(id) ?? []));
  }
  return [...seen];
}
