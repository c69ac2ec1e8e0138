import type { Deal } from '@crmkit/core';
import type { CronContext, WinBackInput, WorkflowEngine } from '@crmkit/workflows';
import { listAll } from './list-all.js';

/** How win-back watches customers. */
export interface WinBackSettings {
  /** Days without an interaction or a won deal before a customer counts as inactive. */
  inactiveDays: number;
  /** The campaign `enrollInCampaign` receives. */
  campaignId: string;
}

/**
 * Starts `win-back` for every customer (a company with a won deal) that has no
 * instance yet; the owner of its latest won deal gets the win-back task. Run by
 * a cron trigger, so at least once per slot: the instance check makes a second
 * run start nothing.
 * @returns the number of instances started
 */
export async function enrolCustomers(engine: WorkflowEngine, { tenantId, tenant }: CronContext, settings: WinBackSettings): Promise<number> {
  const won = await listAll((o) => tenant.deals.list(o), { where: { status: 'won', companyId: { isNull: false } }, orderBy: { closedAt: 'asc' } });
  const latestWin = new Map<string, Deal>();
  for (const deal of won) latestWin.set(deal.companyId as string, deal);
  let started = 0;
  for (const [companyId, deal] of latestWin) {
    const subject = { type: 'company', id: companyId };
    if ((await engine.instancesOf(tenantId, subject, 'win-back')).length > 0) continue;
    const company = await tenant.companies.get(companyId);
    const input: WinBackInput = {
      customer: { type: 'company', id: companyId, name: company.name },
      inactiveDays: settings.inactiveDays,
      ownerId: deal.ownerId,
      campaignId: settings.campaignId,
    };
    await engine.start(tenantId, 'win-back', { subject, input });
    started++;
  }
  return started;
}
