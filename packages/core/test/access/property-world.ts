import {
  type AccessLevel, accessLevels, type Crm, type EntityGrant, memberRoles, type RoleDefinition, type TenantScope, StateError, ValidationError,
} from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { type ModelEntity, roleTable, TenantModel } from './access-model.js';

/**
 * Random worlds for the access properties: role definitions (custom ones and
 * replacements of built-ins), and per tenant a forest of teams, members with
 * one to three roles, stored roles (`t.roles`) of their own or replacing a
 * code or built-in role, records with random owners and shares. `seedTenant`
 * writes a world through the system scope and returns its model.
 */

/** The custom roles' names; members take them besides their built-in `role`. */
export const customRoleNames = ['field-sales', 'support', 'auditor'] as const;
/** The values of the field the properties filter on and change (`lastName` of contacts, `source` of deals). */
export const fieldValues = ['A', 'B', 'C'] as const;

const level = fc.constantFrom(...accessLevels);
const perAction = fc.record(
  { read: level, create: level, update: level, delete: level, assign: level, export: level },
  { requiredKeys: [] },
) as fc.Arbitrary<Partial<Record<string, AccessLevel>>>;
const entityGrant: fc.Arbitrary<EntityGrant> = fc.oneof(level, perAction) as fc.Arbitrary<EntityGrant>;

/** A role with random levels on contacts, deals, cases and `'*'`; reading the set-up the calls need is always granted. */
function roleArb(name: string): fc.Arbitrary<RoleDefinition> {
  return fc.record({ '*': entityGrant, contact: entityGrant, deal: entityGrant, case: entityGrant }, { requiredKeys: [] }).map((grants) => ({
    name,
    grants: { ...grants, pipeline: { read: 'all' }, stage: { read: 'all' }, member: { read: 'all' }, team: { read: 'all' }, slaPolicy: { read: 'all' } },
  }));
}

/** The code roles of a run: every custom role, and random replacements of some built-ins. */
export const rolesArb: fc.Arbitrary<RoleDefinition[]> = fc
  .tuple(fc.tuple(...customRoleNames.map(roleArb)), fc.subarray([...memberRoles]).chain((names) => fc.tuple(...names.map(roleArb))))
  .map(([custom, replaced]) => [...custom, ...replaced]);

/** The name of a role only a tenant's stored roles define (members of other tenants drop it). */
export const storedOnlyName = 'desk';
/** A tenant's stored roles (`t.roles.create`): a role of its own, or one replacing a code or built-in role of the name. */
const storedArb = fc.uniqueArray(fc.constantFrom(storedOnlyName, ...customRoleNames, ...memberRoles), { maxLength: 2 }).chain((names) => fc.tuple(...names.map(roleArb)));

/** One member: a built-in `role`, up to two more role names, up to two teams (indexes). */
const memberArb = fc.record({
  role: fc.constantFrom(...memberRoles),
  roles: fc.subarray([...customRoleNames, ...memberRoles, storedOnlyName], { maxLength: 2 }),
  teams: fc.uniqueArray(fc.nat({ max: 4 }), { maxLength: 2 }),
});
const recordArb = fc.record({
  entity: fc.constantFrom<ModelEntity>('contact', 'deal', 'case'),
  owner: fc.option(fc.nat(), { nil: null }),
  /** A case's team. */
  team: fc.option(fc.nat(), { nil: null }),
  value: fc.constantFrom(...fieldValues),
});
const shareArb = fc.record({ record: fc.nat(), to: fc.nat(), toTeam: fc.boolean(), access: fc.constantFrom<'read' | 'write'>('read', 'write') });

/** One tenant's world, by indexes (`owner`, `to`, `record` are taken modulo what exists). */
export const tenantArb = fc.record({
  // Team i's parent is an earlier team (so the teams form a forest), or none.
  teams: fc.array(fc.option(fc.nat(), { nil: null, freq: 3 }), { minLength: 1, maxLength: 5 }),
  members: fc.array(memberArb, { minLength: 2, maxLength: 5 }),
  records: fc.array(recordArb, { minLength: 1, maxLength: 8 }),
  shares: fc.array(shareArb, { maxLength: 4 }),
  stored: storedArb,
});
/** A tenant world as generated. */
export type TenantSpec = typeof tenantArb extends fc.Arbitrary<infer T> ? T : never;

/** A record of the run, whatever its tenant: what operations pick their target from. */
export interface PoolEntry {
  tenant: number;
  id: string;
  entity: ModelEntity;
}

/** A seeded tenant: its model, the pipeline deals go in, and its system scope. */
export interface SeededTenant {
  model: TenantModel;
  pipelineId: string;
  sys: TenantScope;
  memberIds: string[];
  teamIds: string[];
  /** The tenant's stored roles by name, with their ids. */
  storedIds: Map<string, string>;
  /** The roles without the tenant's: the code's over the built-ins. */
  codeTable: Map<string, RoleDefinition>;
}

/** Creates a contact, deal or case (queued to `teamId`) as `t` (the system or an actor), owned by `ownerId`. */
export async function createRecord(
  t: TenantScope, tenant: SeededTenant, entity: ModelEntity, ownerId: string | null, teamId: string | null, value: string,
): Promise<{ id: string; ownerId: string | null }> {
  if (entity === 'contact') return t.contacts.create({ firstName: 'P', lastName: value, ownerId });
  if (entity === 'case') return t.cases.create({ subject: value, ownerId, teamId });
  return t.deals.create({ title: 'D', pipelineId: tenant.pipelineId, ownerId, source: value });
}

/** Writes a tenant's world through its system scope and returns what the model knows of it. */
export async function seedTenant(crm: Crm, tenantId: string, roles: readonly RoleDefinition[], spec: TenantSpec, pool: PoolEntry[], index: number): Promise<SeededTenant> {
  const sys = crm.system(tenantId);
  // Stored roles first: a member may name one, and one of a name replaces the code's.
  const storedIds = new Map<string, string>();
  for (const role of spec.stored) storedIds.set(role.name, (await sys.roles.create(role)).id);
  const model = new TenantModel(tenantId, roleTable([...roles, ...spec.stored]));
  const storedNames = new Set(spec.stored.map((r) => r.name));
  const pipeline = await sys.pipelines.create({ name: 'Sales', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }] });
  const teamIds: string[] = [];
  for (const [i, parent] of spec.teams.entries()) {
    const parentTeamId = parent === null || i === 0 ? null : teamIds[parent % i]!;
    const team = await sys.teams.create({ name: `T${i}`, parentTeamId });
    teamIds.push(team.id);
    model.teams.set(team.id, { id: team.id, parentTeamId });
  }
  const memberIds: string[] = [];
  for (const [i, m] of spec.members.entries()) {
    const teams = [...new Set(m.teams.filter((t) => t < teamIds.length).map((t) => teamIds[t]!))];
    const roleNames = m.roles.filter((n) => n !== storedOnlyName || storedNames.has(n));
    const member = await sys.members.create({ name: `M${i}`, role: m.role, roles: roleNames, teamIds: teams });
    memberIds.push(member.id);
    model.members.set(member.id, { id: member.id, roleNames: [...new Set([m.role, ...roleNames])], teamIds: teams });
  }
  const seeded: SeededTenant = { model, pipelineId: pipeline.id, sys, memberIds, teamIds, storedIds, codeTable: roleTable(roles) };
  for (const r of spec.records) {
    const ownerId = r.owner === null ? null : memberIds[r.owner % memberIds.length]!;
    const teamId = r.entity !== 'case' || r.team === null ? null : teamIds[r.team % teamIds.length]!;
    const created = await createRecord(sys, seeded, r.entity, ownerId, teamId, r.value);
    model.records.set(created.id, { id: created.id, entity: r.entity, ownerId, teamId, value: r.value, writes: 0 });
    pool.push({ tenant: index, id: created.id, entity: r.entity });
  }
  const ids = [...model.records.keys()];
  for (const s of spec.shares) {
    const record = model.records.get(ids[s.record % ids.length]!)!;
    const to = s.toTeam ? { teamId: teamIds[s.to % teamIds.length]! } : { memberId: memberIds[s.to % memberIds.length]! };
    await sys.shares.grant({ entity: record.entity, recordId: record.id, ...to, access: s.access });
    model.share(record, to, s.access);
  }
  return seeded;
}

/**
 * Moves a member to other teams and gives them other extra roles, through
 * the system scope (`pick` chooses the member, `teamBits` and `roleBits` the
 * teams and roles). Policies read before are stale: make new scopes after.
 */
export async function regroupMember(tenant: SeededTenant, pick: number, teamBits: number, roleBits: number): Promise<void> {
  const memberId = tenant.memberIds[pick % tenant.memberIds.length]!;
  const teamIds = tenant.teamIds.filter((_, i) => (teamBits >> i) & 1).slice(0, 3);
  const roles = customRoleNames.filter((_, i) => (roleBits >> i) & 1);
  const member = await tenant.sys.members.update(memberId, { teamIds, roles });
  expect({ teamIds: member.teamIds, roles: member.roles }).toEqual({ teamIds, roles });
  const model = tenant.model.members.get(memberId)!;
  model.teamIds = teamIds;
  model.roleNames = [...new Set([model.roleNames[0]!, ...roles])];
}

/**
 * Puts a team under another (or at the top), through the system scope; a
 * parent inside the team's own subtree is refused (teams stay a forest).
 */
export async function reparentTeam(tenant: SeededTenant, pick: number, parentPick: number | null): Promise<void> {
  const teamId = tenant.teamIds[pick % tenant.teamIds.length]!;
  const parentTeamId = parentPick === null ? null : tenant.teamIds[parentPick % tenant.teamIds.length]!;
  // The team and every team below it: none of them can become its parent.
  const below = new Set([teamId]);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of tenant.model.teams.values()) {
      if (t.parentTeamId === null || !below.has(t.parentTeamId) || below.has(t.id)) continue;
      below.add(t.id);
      grew = true;
    }
  }
  const call = tenant.sys.teams.update(teamId, { parentTeamId });
  if (parentTeamId !== null && below.has(parentTeamId)) {
    await expect(call, `team ${teamId} under ${parentTeamId}, inside it`).rejects.toBeInstanceOf(ValidationError);
    return;
  }
  expect((await call).parentTeamId).toBe(parentTeamId);
  tenant.model.teams.get(teamId)!.parentTeamId = parentTeamId;
}

/**
 * Deletes one of the tenant's stored roles (`pick` chooses it), through the
 * system scope. Refused while members name it and nothing else answers to
 * the name; otherwise the name means the code's or built-in role again.
 */
export async function unstoreRole(tenant: SeededTenant, pick: number): Promise<void> {
  const names = [...tenant.storedIds.keys()];
  if (names.length === 0) return;
  const name = names[pick % names.length]!;
  const call = tenant.sys.roles.delete(tenant.storedIds.get(name)!);
  const fallback = tenant.codeTable.get(name);
  if (fallback === undefined && [...tenant.model.members.values()].some((m) => m.roleNames.includes(name))) {
    await expect(call, `deleting role ${name}, named by members`).rejects.toBeInstanceOf(StateError);
    return;
  }
  await call;
  tenant.storedIds.delete(name);
  if (fallback === undefined) tenant.model.roles.delete(name);
  else tenant.model.roles.set(name, fallback);
}
