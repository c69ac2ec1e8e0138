import { type Clock, type Crm, NotFoundError, StateError } from '@crmkit/core';
import type { DeadJob, EffectHandler, WorkflowDefinition, WorkflowEngine } from '@crmkit/workflows';
import { deliverWebhookHandler } from './deliver.js';
import { DispatchLoop } from './dispatch-loop.js';
import { dispatchEvents } from './dispatcher.js';
import { Subscriptions, type WebhookDelivery } from './subscriptions.js';
import type { WebhookNetwork } from './receiver-address.js';
import { deliveryModel } from './webhook.models.js';
import { type DeliverWebhookParams, webhookDelivery } from './webhook-delivery.machine.js';

/** What {@link Webhooks} runs on. */
export interface WebhooksDeps {
  crm: Crm;
  clock: Clock;
  /** How deliveries reach receivers (tests pass a fake receiver). */
  fetch: typeof fetch;
  /**
   * Which receivers subscriptions may name: a URL whose host is `localhost`
   * or an address literal outside the public internet is refused under
   * `public` (name lookups are `fetch`'s part: see `publicOnlyFetch`). @default 'public'
   */
  network?: WebhookNetwork;
  /** The engine's `maxAttempts`, so that the delivery record says when the last attempt failed. */
  maxAttempts: number;
  /** Dead deliveries in a row (each failed every attempt) after which a subscription is turned off; 0 never. @default 20 */
  disableAfterDeadDeliveries?: number;
  /** How long a receiver may take to answer, in ms. @default 10000 */
  timeoutMs?: number;
  /** Pause of the dispatch loop after a pass, in ms. @default 500 */
  pollIntervalMs?: number;
  /** Events read per page (one transaction each). @default 200 */
  batchSize?: number;
  /** A pass of the loop threw (it goes on). @default console.error */
  onError?: (error: unknown) => void;
}

/** A dead-lettered delivery: the engine's dead job of a `deliverWebhook` effect. */
export interface WebhookDeadLetter {
  /** The job id, for {@link Webhooks.retry}. */
  id: string;
  deliveryId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastError: string | null;
  finishedAt: string;
}

const action = 'deliverWebhook';

function deadLetterOf(job: DeadJob): WebhookDeadLetter {
  const { deliveryId, subscriptionId, eventId, eventType } = job.params as DeliverWebhookParams;
  return { id: job.id, deliveryId, subscriptionId, eventId, eventType, attempts: job.attempts, lastError: job.lastError, finishedAt: job.finishedAt };
}

/**
 * Outbound webhooks: subscriptions per tenant, a dispatcher that follows
 * crmkit's event log and starts a `webhook-delivery` workflow per event and
 * subscription, and the `deliverWebhook` effect that POSTs it signed. Retries,
 * backoff and dead letters are the workflow engine's, not a second queue.
 */
export class Webhooks {
  /** Register with the engine: `createWorkflowEngine({ workflows: [...webhooks.workflows] })`. */
  readonly workflows: WorkflowDefinition[] = [webhookDelivery];
  /** Register with the engine: `createWorkflowEngine({ actions: webhooks.actions })`. */
  readonly actions: Record<string, EffectHandler>;
  readonly subscriptions: Subscriptions;
  #engine: WorkflowEngine | undefined;
  #loop: DispatchLoop | undefined;
  #unlisten: (() => void) | undefined;
  /** Passes of this process run one after another: settle() and the loop never read the same page at once. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly deps: WebhooksDeps) {
    const storage = deps.crm.adapter;
    const network = deps.network ?? 'public';
    this.subscriptions = new Subscriptions(storage, deps.clock, network);
    this.actions = {
      [action]: deliverWebhookHandler({
        storage, fetch: deps.fetch, clock: deps.clock, maxAttempts: deps.maxAttempts, timeoutMs: deps.timeoutMs ?? 10_000, network,
        disableAfterDeadDeliveries: deps.disableAfterDeadDeliveries ?? 20,
      }),
    };
  }

  /** Gives the dispatcher the engine that was created with {@link workflows} and {@link actions}. */
  bind(engine: WorkflowEngine): void {
    this.#engine = engine;
  }

  #engineOrThrow(): WorkflowEngine {
    if (!this.#engine) throw new StateError('Webhooks.bind(engine) was not called');
    return this.#engine;
  }

  /**
   * One dispatch pass: starts the deliveries of every event committed since
   * the last pass (of any process). Returns how many it started.
   */
  dispatch(): Promise<number> {
    const deps = { storage: this.deps.crm.adapter, clock: this.deps.clock, engine: () => this.#engineOrThrow(), batchSize: this.deps.batchSize ?? 200 };
    const pass = this.#queue.then(() => dispatchEvents(deps));
    this.#queue = pass.catch(() => undefined);
    return pass;
  }

  /** Runs {@link dispatch} in the background, at once after every event of this process and every `pollIntervalMs`. */
  start(): void {
    if (this.#loop) return;
    const loop = new DispatchLoop(() => this.dispatch(), this.deps.pollIntervalMs ?? 500, this.deps.onError ?? ((error) => console.error('webhooks:', error)));
    this.#loop = loop;
    this.#unlisten = this.deps.crm.onAnyEvent(() => loop.wake());
    loop.wake();
  }

  /** Stops the loop; resolves once the pass in hand has finished. */
  async stop(): Promise<void> {
    this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#loop?.stop();
    this.#loop = undefined;
  }

  /** The tenant's dead-lettered deliveries, oldest first, optionally of one subscription. */
  async deadLetters(tenantId: string, subscriptionId?: string): Promise<WebhookDeadLetter[]> {
    const jobs = await this.#engineOrThrow().deadJobs(tenantId);
    return jobs.filter((job) => job.action === action).map(deadLetterOf).filter((d) => subscriptionId === undefined || d.subscriptionId === subscriptionId);
  }

  /**
   * Puts a dead-lettered delivery back, with a fresh set of attempts, due now.
   * @throws {NotFoundError} when the tenant has no such dead delivery
   */
  async retry(tenantId: string, jobId: string): Promise<WebhookDelivery> {
    const dead = (await this.deadLetters(tenantId)).find((d) => d.id === jobId);
    if (!dead) throw new NotFoundError('webhookDeadLetter', jobId);
    await this.#engineOrThrow().retryJob(tenantId, jobId);
    const at = this.deps.clock.now().toISOString();
    return this.deps.crm.adapter.update({ model: deliveryModel, tenantId, id: dead.deliveryId, data: { status: 'pending', updatedAt: at } });
  }
}
