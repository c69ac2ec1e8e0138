import { type Crm, ManualClock, type TenantScope } from '@crmkit/core';
import { createTriggers, type TriggerRunner, type WorkflowEngine } from '@crmkit/workflows';
import { type Catalogue, createCatalogue } from './catalogue.js';
import { createCustomers, type Customers } from './customers.js';
import { Desk } from './desk.js';
import { EventJournal } from './event-journal.js';
import { createDeskEngine } from './desk-engine.js';
import { deskTriggers } from './desk-triggers.js';
import { openDeskCrm } from './open-crm.js';
import { Scenario } from './scenario.js';
import { scriptEnd } from './script.js';
import { createPolicies, type DeskPolicies } from './service-hours.js';
import { createServiceOrg, type ServiceOrg } from './service-org.js';
import { nextTimerAt, settle } from './settle.js';
import { SurveyOutbox } from './survey-outbox.js';

const MINUTE = 60_000;

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** SQLite file, or `:memory:`. */
  db: string;
  /** Longest clock step between scripted moments and timers, in minutes. @default 60 */
  stepMinutes?: number;
  /** Go-live, the start of simulated time. @default Monday 21 December 2026, 08:00 in Berlin */
  start?: string;
  /** The end of simulated time. @default the end of the script (Friday 8 January 2027, noon in Berlin) */
  end?: string;
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
  outbox: SurveyOutbox;
  /** The events committed from go-live on. */
  journal: EventJournal;
  desk: Desk;
  org: ServiceOrg;
  catalogue: Catalogue;
  customers: Customers;
  policies: DeskPolicies;
  startedAt: Date;
  /** Clock moves made. */
  steps: number;
  /** Wall time of the simulation, setup included. */
  elapsedMs: number;
  close(): Promise<void>;
}

/**
 * Sets up the device maker's service desk (catalogue, team, customers with
 * their orders, assets, warranties and contracts, SLA policies), puts the
 * after-sales machines live with their triggers and plays the script on a
 * manual clock. Each move goes to the next scripted moment, the next workflow
 * timer or `stepMinutes` ahead, whichever comes first; then the steps due
 * run, and triggers and the engine until nothing is left at that instant.
 */
export async function runSimulation(options: SimulationOptions): Promise<Simulation> {
  const began = performance.now();
  const tenantId = 'lumen';
  const clock = new ManualClock(options.start ?? '2026-12-21T08:00+01:00');
  const startedAt = clock.now();
  const crm = await openDeskCrm(options.db, clock);
  try {
    const t = crm.tenant(tenantId);
    const org = await createServiceOrg(t);
    const catalogue = await createCatalogue(t);
    const customers = await createCustomers(t, catalogue, org);
    const policies = await createPolicies(t, [customers.hotel.company.id]);

    const journal = new EventJournal(t);
    const outbox = new SurveyOutbox();
    const engine = createDeskEngine(crm, clock, outbox);
    // The first pass (in settle) starts the trigger set from now: the records above fire nothing,
    // and contracts whose renewal moment is still ahead are picked up when it passes.
    const triggers = createTriggers(engine, deskTriggers(), { onError: (error) => console.error('trigger:', error) });
    await settle(triggers, engine);

    const desk = new Desk(crm, tenantId, engine, org, catalogue, customers);
    const scenario = new Scenario(desk);
    const end = Date.parse(options.end ?? scriptEnd);
    const maxStep = (options.stepMinutes ?? 60) * MINUTE;
    let steps = 0;
    for (;;) {
      for (const what of await scenario.runDue(clock.now())) options.onStep?.(clock.now(), what);
      await settle(triggers, engine);
      const now = clock.now().getTime();
      if (now >= end) break;
      const candidates = [now + maxStep, end, scenario.nextAt, await nextTimerAt(crm, tenantId, clock.now())];
      clock.set(new Date(Math.min(...candidates.filter((at): at is number => at !== undefined && at > now))));
      steps++;
    }
    await triggers.stop();
    journal.stop();

    return {
      crm, t, tenantId, clock, engine, triggers, outbox, journal, desk, org, catalogue, customers, policies, startedAt, steps,
      elapsedMs: performance.now() - began,
      close: () => crm.close(),
    };
  } catch (error) {
    await crm.close();
    throw error;
  }
}
