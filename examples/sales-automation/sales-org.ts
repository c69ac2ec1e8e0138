import type { TenantScope } from '@crmkit/core';
import { listAll } from './list-all.js';

/** What the machines need to know about the imported sales organisation. */
export interface SalesOrg {
  /** The team of each rep (their manager's team): it approves the rep's discounts. */
  teamOf: ReadonlyMap<string, string>;
  /** The team that takes inbound leads, its manager (who gets escalations) and members. */
  leadTeam: { id: string; name: string; managerId: string; memberIds: string[] };
}

/**
 * Reads the organisation the importer created: one team per manager with its
 * reps. Trigger callbacks are synchronous, so what they look up is read here once.
 * @throws {Error} when no team has a manager and two members
 */
export async function loadSalesOrg(t: TenantScope): Promise<SalesOrg> {
  const teams = await listAll((o) => t.teams.list(o), { orderBy: { name: 'asc' } });
  const members = await listAll((o) => t.members.list(o));
  const teamOf = new Map<string, string>();
  for (const member of members) {
    const team = teams.find((candidate) => candidate.managerId !== null && member.teamIds.includes(candidate.id));
    if (team) teamOf.set(member.id, team.id);
  }
  for (const team of teams) {
    const memberIds = members.filter((m) => m.active && m.teamIds.includes(team.id)).map((m) => m.id);
    if (team.managerId && memberIds.length >= 2) return { teamOf, leadTeam: { id: team.id, name: team.name, managerId: team.managerId, memberIds } };
  }
  throw new Error('No team with a manager and two members to take leads');
}
