import type { Crm } from '@crmkit/core';
import { timerModel } from '@crmkit/workflows';

/** A manager, a team led by them, two active reps and an inactive one (who must never get work). */
export async function salesTeam(crm: Crm, tenantId = 'acme') {
  const t = crm.tenant(tenantId);
  const max = await t.members.create({ name: 'Max Manager', role: 'manager' });
  const team = await t.teams.create({ name: 'Inbound', managerId: max.id });
  const ada = await t.members.create({ name: 'Ada', teamIds: [team.id] });
  const bob = await t.members.create({ name: 'Bob', teamIds: [team.id] });
  const cleo = await t.members.create({ name: 'Cleo', teamIds: [team.id], active: false });
  return { t, max, team, ada, bob, cleo };
}

/** The pending timers of an instance, soonest first, as stored. */
export async function pendingTimers(crm: Crm, instanceId: string, tenantId = 'acme') {
  const rows = await crm.adapter.findMany({ model: timerModel, tenantId, where: { instanceId }, orderBy: [{ field: 'dueAt' }] });
  return rows.map((row) => ({ event: (row.event as { type: string }).type, dueAt: row.dueAt as string }));
}
