import type { Member, TenantScope } from '@crmkit/core';
import type { ImportIssues } from './import-issues.js';
import type { SalesTeamRow } from './read-dataset.js';

/** What {@link importSalesTeams} created. */
export interface SalesOrganisation {
  /** Sales agents (role `rep`) by name. */
  agents: Map<string, Member>;
  /** Managers (role `manager`) by name. */
  managers: Map<string, Member>;
  /** Teams created: one per regional office, one per manager inside it. */
  teamCount: number;
}

/**
 * The address the demo gives an agent or manager: the dataset names people,
 * while imports reference members by email (`owner.email`).
 */
export function memberEmail(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@sales.example`;
}

/**
 * Turns `sales_teams.csv` into members and teams: each regional office is a
 * team, each manager a member of their office with a team of their own inside
 * it, each agent a rep in their manager's team.
 */
export async function importSalesTeams(t: TenantScope, rows: SalesTeamRow[], issues: ImportIssues): Promise<SalesOrganisation> {
  const officeOfManager = new Map<string, string>();
  const agentRows: SalesTeamRow[] = [];
  const seenAgents = new Set<string>();
  for (const row of rows) {
    if (seenAgents.has(row.agent)) {
      issues.rejections.add('duplicate-agent', row.agent);
      continue;
    }
    const office = officeOfManager.get(row.manager);
    if (office !== undefined && office !== row.regionalOffice) {
      issues.rejections.add('manager-in-two-offices', `${row.manager}: ${office} and ${row.regionalOffice}`);
      continue;
    }
    officeOfManager.set(row.manager, row.regionalOffice);
    seenAgents.add(row.agent);
    agentRows.push(row);
  }

  const officeTeams = new Map<string, string>();
  for (const office of new Set(officeOfManager.values())) {
    officeTeams.set(office, (await t.teams.create({ name: office })).id);
  }
  const managers = new Map<string, Member>();
  const managerTeams = new Map<string, string>();
  for (const [name, office] of officeOfManager) {
    const parentTeamId = officeTeams.get(office) as string;
    const manager = await t.members.create({ name, email: memberEmail(name), role: 'manager', teamIds: [parentTeamId] });
    managers.set(name, manager);
    managerTeams.set(name, (await t.teams.create({ name: `${name}'s team`, managerId: manager.id, parentTeamId })).id);
  }
  const agents = new Map<string, Member>();
  for (const row of agentRows) {
    agents.set(row.agent, await t.members.create({ name: row.agent, email: memberEmail(row.agent), role: 'rep', teamIds: [managerTeams.get(row.manager) as string] }));
  }
  return { agents, managers, teamCount: officeTeams.size + managerTeams.size };
}
