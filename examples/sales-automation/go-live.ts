import type { Deal, TenantScope } from '@crmkit/core';
import type { WorkflowEngine } from '@crmkit/workflows';
import { listAll } from './list-all.js';
import type { SalesOrg } from './sales-org.js';
import { stageGatesInput } from './stage-gates-policy.js';

/**
 * Starts `deal-stage-gates` for the deals that are open when automation goes
 * live. Triggers only see what happens from then on (a tenant's event feed
 * starts when it is first watched), so records that already exist are the
 * host's to backfill.
 * @returns the open deals, in creation order
 */
export async function goLive(t: TenantScope, engine: WorkflowEngine, tenantId: string, org: SalesOrg): Promise<Deal[]> {
  const open = await listAll((o) => t.deals.list(o), { where: { status: 'open' } });
  for (const deal of open) {
    await engine.start(tenantId, 'deal-stage-gates', { subject: { type: 'deal', id: deal.id }, input: stageGatesInput(deal, org) });
  }
  return open;
}
