import { fileURLToPath } from 'node:url';
import type { Company } from '@crmkit/core';
import { type ImportReport, importDataset } from '../../../demo/import-dataset.js';
import { listAll } from '../../../demo/import-rows.js';
import type { Host } from '../host/host.js';
import { findSignInMembers, seedServiceDesk } from './demo-members.js';
import { seedContacts } from './seed-contacts.js';
import { seedOrders } from './seed-orders.js';
import { seedFreshPipeline } from './seed-pipeline.js';
import { seedService } from './seed-service.js';
import { seedTasks } from './seed-tasks.js';
import { seedWebhook } from './seed-webhook.js';

/** The CRM + Sales Opportunities dataset shipped in the repository. */
export const defaultDataDir = fileURLToPath(new URL('../../../data/crm-sales-opportunities', import.meta.url));

/** Options of {@link seedDemo}. */
export interface SeedOptions {
  /** @default 'demo' */
  tenantId?: string;
  /** @default {@link defaultDataDir} */
  dataDir?: string;
  /** Import only the first `limit` opportunities of the 8,800 (tests use a few hundred). @default all */
  limit?: number;
  /** Called after each imported opportunity. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** What {@link seedDemo} made, with the wall time of each step in ms. */
export interface SeedReport {
  dataset: ImportReport;
  contacts: number;
  dealsLinked: number;
  freshDeals: number;
  interactions: number;
  tasks: number;
  cases: number;
  orders: number;
  rfmScored: number;
  /** The (inactive) example webhook subscription. */
  webhookSubscriptionId: string;
  timings: Record<'dataset' | 'contacts' | 'orders' | 'pages' | 'total', number>;
}

/** Whether the tenant holds anything yet: the seed expects an empty tenant and the runner seeds only then. */
export async function isSeeded(host: Host, tenantId = 'demo'): Promise<boolean> {
  return (await host.crm.system(tenantId).members.list({ limit: 1 })).items.length > 0;
}

/**
 * Seeds a tenant for the example server: the demo's sales dataset
 * (members, teams, companies, products, the `Sales` pipeline, deals with
 * their stage history) through examples/demo's `importDataset`, then what
 * the pages show and the dataset lacks: contacts on every company and deal,
 * orders of won deals with RFM scores, this week's deals of the sign-in
 * rep with their conversations, tasks in every inbox, and the service
 * desk's SLA policy with open cases, and an inactive webhook subscription. Runs as the system (`crm.system`).
 * Leaves the host's background loops alone: the caller starts them.
 * @example
 * const report = await seedDemo(host, { limit: 300 });
 */
export async function seedDemo(host: Host, options: SeedOptions = {}): Promise<SeedReport> {
  const t = host.crm.system(options.tenantId ?? 'demo');
  const started = performance.now();
  const lap = (() => { let last = started; return () => { const now = performance.now(); const ms = now - last; last = now; return Math.round(ms); }; })();

  const dataset = await importDataset(t, {
    dataDir: options.dataDir ?? defaultDataDir,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const datasetMs = lap();
  const desk = await seedServiceDesk(t);
  const companies = await listAll<Company>((o) => t.companies.list(o));
  const people = await seedContacts(t, companies);
  const contactsMs = lap();
  const orders = await seedOrders(t);
  const ordersMs = lap();

  const { rep, manager } = await findSignInMembers(t);
  const contactsOf = (companyId: string) => people.byCompany.get(companyId) ?? [];
  const fresh = await seedFreshPipeline(t, { rep, pipeline: dataset.pipeline, companies, contactsOf, clock: host.clock });
  const tasks = await seedTasks(t, { rep, manager, agent: desk.agent, deals: fresh.deals, clock: host.clock });
  // The triggers' first pass puts their cursor at the end of the event log
  // (crmkit's `startFrom: 'now'`): the import's ~30,000 events are skipped,
  // the cases' below start their SLA workflows once the host runs.
  await host.triggers.runDue();
  const service = await seedService(t, { agent: desk.agent, teamId: desk.teamId, contacts: [...people.byCompany.values()].flat(), clock: host.clock });
  const webhookSubscriptionId = await seedWebhook(host, t.tenantId);
  const pagesMs = lap();

  return {
    dataset, contacts: people.contacts, dealsLinked: people.dealsLinked, freshDeals: fresh.deals.length, interactions: fresh.interactions,
    tasks, cases: service.cases.length, orders: orders.orders, rfmScored: orders.scored, webhookSubscriptionId,
    timings: { dataset: datasetMs, contacts: contactsMs, orders: ordersMs, pages: pagesMs, total: Math.round(performance.now() - started) },
  };
}
