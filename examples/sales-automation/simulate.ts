import { type Crm, type Deal, ManualClock, type TenantScope } from '@crmkit/core';
import { createTriggers, type TriggerRunner, type WorkflowEngine } from '@crmkit/workflows';
import { type ImportReport, importDataset } from '../demo/import-dataset.js';
import { CampaignRecorder } from './campaign.js';
import { goLive } from './go-live.js';
import { type Lead, startLeads } from './leads.js';
import { openAutomationCrm } from './open-crm.js';
import { createSalesEngine } from './sales-engine.js';
import { loadSalesOrg, type SalesOrg } from './sales-org.js';
import { salesTriggers } from './sales-triggers.js';
import { Scenario } from './scenario.js';
import { settle } from './settle.js';

const HOUR = 3_600_000;

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** The dataset directory (`examples/data/crm-sales-opportunities`). */
  dataDir: string;
  /** Opportunities to import. */
  limit: number;
  /** SQLite file, or `:memory:`. */
  db: string;
  /** @default 6 */
  weeks?: number;
  /** @default 6 */
  stepHours?: number;
  /** Go-live, the start of simulated time. @default Monday 8 January 2018, 09:00 in New York */
  start?: string;
  /** Called with each scripted step as it runs. */
  onStep?: (at: Date, what: string) => void;
}

/** A finished simulation, open for inspection; `close()` it. */
export interface Simulation {
  crm: Crm;
  t: TenantScope;
  tenantId: string;
  clock: ManualClock;
  engine: WorkflowEngine;
  triggers: TriggerRunner;
  campaign: CampaignRecorder;
  org: SalesOrg;
  imported: ImportReport;
  /** The deals open at go-live, in creation order (their roles in the scenario follow this order). */
  openDeals: Deal[];
  leads: Lead[];
  startedAt: Date;
  steps: number;
  /** Wall time of the simulated weeks, after the import. */
  simulationMs: number;
  close(): Promise<void>;
}

/**
 * Imports the dataset, puts the four standard machines live and plays a few
 * weeks of sales work on a manual clock: every step moves the clock, runs
 * the scripted actions due, then triggers and due timers and effects.
 */
export async function runSimulation(options: SimulationOptions): Promise<Simulation> {
  const tenantId = 'demo';
  const clock = new ManualClock(options.start ?? '2018-01-08T14:00:00.000Z');
  const startedAt = clock.now();
  const crm = await openAutomationCrm(options.db, clock);
  try {
    const t = crm.tenant(tenantId);
    const imported = await importDataset(t, { dataDir: options.dataDir, limit: options.limit });
    const began = performance.now();

    const campaign = new CampaignRecorder();
    const engine = createSalesEngine(crm, clock, campaign);
    const org = await loadSalesOrg(t);
    const openDeals = await goLive(t, engine, tenantId, org);
    const leads = await startLeads(t, engine, tenantId, org);
    // The runner's first pass (in settle) starts the trigger set from now: the import and go-live fire nothing.
    // It learns the tenant from the event log, as it would tenants written by other processes.
    const triggers = createTriggers(engine, salesTriggers(engine, org, { inactiveDays: 21, campaignId: 'we-miss-you' }), {
      onError: (error) => console.error('trigger:', error),
    });
    await settle(triggers, engine);

    const scenario = new Scenario({ t, engine, tenantId, openDeals, leads, pipelineId: imported.pipeline.id });
    const end = startedAt.getTime() + (options.weeks ?? 6) * 7 * 24 * HOUR;
    const stepMs = (options.stepHours ?? 6) * HOUR;
    let steps = 0;
    while (clock.now().getTime() < end) {
      const hours = (clock.now().getTime() - startedAt.getTime()) / HOUR;
      for (const what of await scenario.runDue(hours)) options.onStep?.(clock.now(), what);
      await settle(triggers, engine);
      clock.advance(stepMs);
      steps++;
    }
    await settle(triggers, engine);
    await triggers.stop();

    return {
      crm, t, tenantId, clock, engine, triggers, campaign, org, imported, openDeals, leads, startedAt, steps,
      simulationMs: performance.now() - began,
      close: () => crm.close(),
    };
  } catch (error) {
    await crm.close();
    throw error;
  }
}
