import type { Member, Team, TenantScope } from '@crmkit/core';

/** The people of the service desk. */
export interface ServiceOrg {
  /** Head of customer service: manages the office, the second escalation level. */
  head: Member;
  /** Team lead of tier 1 support: the first escalation level, and detractors' answers go to her. */
  lead: Member;
  /** The two support agents. */
  ana: Member;
  ben: Member;
  /** The account manager who owns the service contracts and subscriptions. */
  accounts: Member;
  office: Team;
  tier1: Team;
}

/** Creates the service organisation: an office, a tier 1 team under it, its lead and agents. */
export async function createServiceOrg(t: TenantScope): Promise<ServiceOrg> {
  const head = await t.members.create({ name: 'Maria Keller', email: 'maria.keller@lumen.example', role: 'manager' });
  const lead = await t.members.create({ name: 'Tamara Richter', email: 'tamara.richter@lumen.example', role: 'manager' });
  const office = await t.teams.create({ name: 'Customer Service', managerId: head.id });
  const tier1 = await t.teams.create({ name: 'Support Tier 1', managerId: lead.id, parentTeamId: office.id });
  const ana = await t.members.create({ name: 'Ana Costa', email: 'ana.costa@lumen.example', role: 'agent', teamIds: [tier1.id] });
  const ben = await t.members.create({ name: 'Ben Wolf', email: 'ben.wolf@lumen.example', role: 'agent', teamIds: [tier1.id] });
  const accounts = await t.members.create({ name: 'Clara Hoff', email: 'clara.hoff@lumen.example', role: 'rep' });
  await t.members.update(head.id, { teamIds: [office.id] });
  await t.members.update(lead.id, { teamIds: [tier1.id] });
  return { head, lead, ana, ben, accounts, office, tier1 };
}
