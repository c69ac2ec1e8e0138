import { type ModelDefinition, type RoleDefinition, type Row, type StorageAdapter, coreModels, createCrm, newId } from '@crmkit/core';
import { contactRows } from './fixtures.js';

/**
 * The code roles of the access suite. A member's `role` is always one of the
 * built-in names and every built-in reads all contacts, so a restricted reader
 * is a built-in replaced in code: `rep` reads its own contacts, `agent` its
 * teams' (sub-teams included). The reads measured only need `read`.
 */
export const benchRoles: RoleDefinition[] = [
  { name: 'rep', grants: { contact: { read: 'own' } } },
  { name: 'agent', grants: { contact: { read: 'team' } } },
];

/** What the restricted side lists: how the tenant's contacts are owned and who reads them. */
export type Scenario = 'own' | 'team' | 'team-share';

/** A seeded tenant: its id, the acting member and the owners whose contacts that member may read. */
export interface SeededTenant {
  tenantId: string;
  actorId: string;
  /** Every member whose contacts the actor reads (the actor included). */
  visibleOwners: string[];
  /** Contacts in the tenant. */
  contacts: number;
}

const batchSize = 10_000;
/**
 * Shares of the tenant with members other than the actor, by default; and
 * always one with the actor of a contact they own anyway: a member with a
 * share gets the share semi-join in every query of the entity (the dearer
 * predicate) while the rows listed stay the same.
 */
const defaultShares = 500;

/**
 * Seeds one tenant for a scenario through the system scope (members, teams)
 * and `adapter.createMany` (contacts, shares: the fixture rows, as the other
 * suites seed):
 * - `own`: the actor (`rep`, level own) owns every contact;
 * - `team`: five members of the actor's team and its sub-team (`agent`, level
 *   team) own them, one in five each, the actor included;
 * - `team-share`: 25 members in five teams own them; the actor's team owns one
 *   in five, so the restricted list skips four rows in five (informational).
 */
export async function seedTenant(adapter: StorageAdapter, scenario: Scenario, n: number, seed: number, shares = defaultShares): Promise<SeededTenant> {
  const tenantId = `access-${scenario}-${n}-${shares}`;
  const crm = await createCrm({ adapter, access: { roles: benchRoles } });
  const sys = crm.system(tenantId);
  const teamCount = scenario === 'team-share' ? 5 : 1;
  const perTeam = scenario === 'own' ? 1 : 5;
  const owners: string[][] = [];
  for (let t = 0; t < teamCount; t++) {
    const team = await sys.teams.create({ name: `Team ${t}` });
    // Two of the five sit in a sub-team: the actor's `team` level spans both teams.
    const sub = await sys.teams.create({ name: `Team ${t} sub`, parentTeamId: team.id });
    const members: string[] = [];
    for (let m = 0; m < perTeam; m++) {
      const role = scenario === 'own' ? 'rep' : 'agent';
      members.push((await sys.members.create({ name: `Member ${t}-${m}`, role, teamIds: [m >= 3 ? sub.id : team.id] })).id);
    }
    owners.push(members);
  }
  // Others' shares go to 20 members outside the actor's teams (one share per contact and member).
  const outsiders: string[] = [];
  for (let i = 0; i < 20; i++) outsiders.push((await sys.members.create({ name: `Outsider ${i}`, role: 'admin' })).id);
  const allOwners = owners.flat();
  const rows = contactRows(n, { tenantId, seed });
  rows.forEach((row, i) => {
    row.ownerId = allOwners[i % allOwners.length]!;
    row.companyId = null;
  });
  const contactModel = coreModels.contact as ModelDefinition;
  for (let i = 0; i < rows.length; i += batchSize) await adapter.createMany({ model: contactModel, tenantId, rows: rows.slice(i, i + batchSize) });
  const now = new Date().toISOString();
  const share = (recordId: unknown, memberId: string): Row => ({
    tenantId, id: newId(), createdAt: now, updatedAt: now, entity: 'contact', recordId, memberId, teamId: null, access: 'read', sharedBy: null,
  });
  const shareRows = Array.from({ length: Math.min(shares, n * outsiders.length) }, (_, i) => share(rows[i % n]!.id, outsiders[Math.floor(i / n)]!));
  shareRows.push(share(rows[0]!.id, owners[0]![0]!));
  const shareModel = coreModels.share as ModelDefinition;
  for (let i = 0; i < shareRows.length; i += batchSize) await adapter.createMany({ model: shareModel, tenantId, rows: shareRows.slice(i, i + batchSize) });
  return { tenantId, actorId: owners[0]![0]!, visibleOwners: owners[0]!, contacts: n };
}
