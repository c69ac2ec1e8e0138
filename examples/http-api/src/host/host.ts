import { type Clock, type Crm, createCrm, type StorageAdapter, systemClock } from '@crmkit/core';
import { caseSla, caseSlaTriggers, createTriggers, createWorkflowEngine, type TriggerRunner, type WorkflowEngine, type Worker, workflowMigrations } from '@crmkit/workflows';
import { Credentials } from '../auth/credentials.js';
import { publicOnlyFetch, type WebhookNetwork } from '../webhooks/receiver-address.js';
import { Webhooks } from '../webhooks/webhooks.js';
import { hostMigrations } from './host-migrations.js';

/** Options of {@link createHost}. */
export interface HostOptions {
  /** Where crmkit keeps the data: `sqliteAdapter({ filename })`, `postgresAdapter(...)`. */
  adapter: StorageAdapter;
  /** @default the system clock */
  clock?: Clock;
  /** Signs page cursors and session cookies; give the same one to every server process. @default random per process */
  secret?: string;
  /**
   * Which receivers webhooks may reach: `public` refuses subscriptions to
   * `localhost` or to addresses inside the network, and resolves names when
   * each delivery connects, refusing any that points inside (see
   * `receiver-address.ts`); `any` reaches every address. @default 'public'
   */
  webhookNetwork?: WebhookNetwork;
  /** Dead webhook deliveries in a row after which the subscription is turned off (`disabledAt`, `disabledReason`); 0 never. @default 20 */
  disableWebhookAfterDeadDeliveries?: number;
  /** How webhooks reach receivers (a test's fake receiver). @default `publicOnlyFetch()` under `public`, else globalThis.fetch */
  fetch?: typeof fetch;
  /** Inbound channel secrets by channel name (`email`, `sms`), shared with the provider. @default {} */
  inboundSecrets?: Record<string, string>;
  /** Minutes after an SLA breach before the case's escalation. @default 60 */
  escalateAfterMinutes?: number;
}

/**
 * Everything the HTTP app runs on: the crm (with access control on), the
 * workflow engine with its triggers, credentials and webhooks. Background
 * work (workflow timers and effects, triggers, webhook dispatch, task
 * reminders) runs after {@link Host.start}; tests call {@link Host.settle}.
 */
export interface Host {
  readonly crm: Crm;
  readonly engine: WorkflowEngine;
  readonly triggers: TriggerRunner;
  readonly credentials: Credentials;
  readonly webhooks: Webhooks;
  readonly clock: Clock;
  readonly options: HostOptions;
  /** Starts the background loops. */
  start(): void;
  /** Runs background work until nothing is left that is due now (tests, scripts). */
  settle(): Promise<void>;
  /** Stops the loops and closes the database. */
  close(): Promise<void>;
}

/** Opens crmkit with the host's tables and the engine, migrated. */
export async function createHost(options: HostOptions): Promise<Host> {
  const clock = options.clock ?? systemClock;
  const crm = await createCrm({
    adapter: options.adapter,
    clock,
    access: {},
    migrations: [...workflowMigrations, ...hostMigrations],
    ...(options.secret === undefined ? {} : { cursorSecret: options.secret }),
  });
  await crm.migrate();
  // One retry policy for every effect; webhooks read maxAttempts to mark a delivery's last failed attempt dead.
  const retries = { retryBaseMs: 1000, maxAttempts: 6 };
  const network = options.webhookNetwork ?? 'public';
  const fetch = options.fetch ?? (network === 'public' ? publicOnlyFetch() : globalThis.fetch);
  const webhooks = new Webhooks({
    crm, clock, fetch, network, maxAttempts: retries.maxAttempts,
    ...(options.disableWebhookAfterDeadDeliveries === undefined ? {} : { disableAfterDeadDeliveries: options.disableWebhookAfterDeadDeliveries }),
  });
  const engine = createWorkflowEngine({
    crm,
    clock,
    workflows: [caseSla, ...webhooks.workflows],
    actions: webhooks.actions,
    ...retries,
    ...(options.secret === undefined ? {} : { cursorSecret: options.secret }),
  });
  webhooks.bind(engine);
  // From the beginning of the event log: cases opened before the first pass (the seed, a restart of a
  // new deployment) still get their SLA workflow; firings are deduplicated per event, so nothing runs twice.
  const triggers = createTriggers(engine, caseSlaTriggers({ escalateAfterMinutes: options.escalateAfterMinutes ?? 60 }), {
    name: 'http-api', startFrom: 'beginning', onError: (error) => console.error('trigger:', error),
  });
  let worker: Worker | undefined;
  let started = false;
  return {
    crm, engine, triggers, credentials: new Credentials(crm, clock), webhooks, clock, options,
    start() {
      if (started) return;
      started = true;
      worker = engine.runWorker({ onError: (error) => console.error('worker:', error) });
      triggers.start();
      webhooks.start();
    },
    async settle() {
      for (let round = 0; round < 50; round++) {
        const fired = await triggers.runDue();
        const dispatched = await webhooks.dispatch();
        const done = await engine.runDue();
        const busy = fired.started + fired.signalled + dispatched + done.timersFired + done.jobsDone + done.jobsFailed + done.remindersSent;
        if (busy === 0) return;
      }
      throw new Error('Background work did not settle in 50 rounds');
    },
    async close() {
      await Promise.all([worker?.stop(), started ? triggers.stop() : undefined, webhooks.stop()]);
      await crm.close();
    },
  };
}
