import type { Member, TenantScope } from '@crmkit/core';
import { memberEmail } from '../../../demo/import-sales-teams.js';

/** The members `npm run http-api` prints sign-in links for. */
export const signInRoles = ['manager', 'rep', 'agent'] as const;
/** One of {@link signInRoles}. */
export type SignInRole = (typeof signInRoles)[number];

/**
 * Who signs in as what, by email, so that a restart finds them again. The rep
 * is the dataset's busiest agent (most open deals of the full file) and the
 * manager is his manager, who sees his team's deals; the dataset has no
 * service desk, so the agent is the seed's own.
 */
export const signInEmails: Record<SignInRole, string> = {
  manager: memberEmail('Melvin Marxen'),
  rep: memberEmail('Darcel Schlecht'),
  agent: 'sam.service@service.example',
};

/** Adds the service desk the dataset lacks: the agent and the team `Service` they work in. */
export async function seedServiceDesk(t: TenantScope): Promise<{ agent: Member; teamId: string }> {
  const team = await t.teams.create({ name: 'Service' });
  const agent = await t.members.create({ name: 'Sam Service', email: signInEmails.agent, role: 'agent', teamIds: [team.id] });
  return { agent, teamId: team.id };
}

/** The sign-in members of a seeded tenant; throws when the tenant was not seeded by this seed. */
export async function findSignInMembers(t: TenantScope): Promise<Record<SignInRole, Member>> {
  const found = {} as Record<SignInRole, Member>;
  for (const role of signInRoles) {
    const [member] = (await t.members.list({ where: { email: signInEmails[role] }, limit: 1 })).items;
    if (!member) throw new Error(`No member ${signInEmails[role]} in tenant ${t.tenantId}: reseed it (--reset)`);
    found[role] = member;
  }
  return found;
}
