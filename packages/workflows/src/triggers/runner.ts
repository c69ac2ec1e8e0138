import type { Row } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerFireModel } from '../storage/models.js';
import { targetWorkflow } from './action.js';
import { type CronTrigger, cronSchedule } from './cron-trigger.js';
import { claimCursors, type CursorSource, ensureCursors, saveCursor, stateOf } from './cursors.js';
import { fieldDateScan, type FieldDateTrigger } from './date-trigger.js';
import { eventFeed } from './event-feed.js';
import type { EventTrigger } from './event-trigger.js';
import { fire, type Firing } from './fire.js';
import { startLoop, type TriggerLoop, type TriggerLoopOptions } from './loop.js';
import { ulidTime } from './ulid-time.js';

/** Any trigger: {@link onEvent}, {@link relativeToField} or {@link cron}. */
export type Trigger = EventTrigger | FieldDateTrigger | CronTrigger;

/** Options of {@link createTriggers}. */
export interface TriggerRunnerOptions {
  /**
   * Names the trigger set: cursors are kept per set, so two services with
   * different triggers on one database need different names.
   * @default 'default'
   */
  name?: string;
  /**
   * The host's tenants, asked on every pass. A tenant is watched from the first
   * pass that knows it (its cursor rows are durable from then on); tenants are
   * also learnt from events heard in this process and from {@link TriggerRunner.watch}.
   * Without it, a tenant whose events are all written by other processes is
   * only watched once something calls `watch` for it.
   */
  tenants?: () => Iterable<string> | Promise<Iterable<string>>;
  /**
   * Learn tenants from events committed in this process (`crm.onAnyEvent`).
   * @default true
   */
  listen?: boolean;
  /**
   * How long after its id was made an event may still commit, in ms: each pass
   * re-reads that much of the feed so that a late commit is not skipped.
   * @default 10000
   */
  settleMs?: number;
  /**
   * Rows read per query.
   * @default 200
   */
  batchSize?: number;
  /**
   * Called when a trigger's callback throws (the firing is recorded as failed) or a pass fails (retried later).
   * @default logs to `console.error`
   */
  onError?: (error: unknown) => void;
}

/** What one {@link TriggerRunner.runDue} did. */
export interface TriggerWork {
  /** Instances started. */
  started: number;
  /** Firings that sent an event to the subject's instances (possibly none). */
  signalled: number;
  /** `run` callbacks of cron triggers completed. */
  ran: number;
  /** Sources that had already fired (a re-read after a restart). */
  duplicates: number;
  /** Firings whose callback threw. */
  failed: number;
}

/** A firing whose callback threw; it is not retried. */
export interface TriggerFailure {
  /** The trigger's id. */
  triggerId: string;
  /** The event id, `recordId@date` or cron slot. */
  sourceKey: string;
  /** `Name: message` of the error. */
  error: string;
  /** ISO timestamp. */
  firedAt: string;
}

/**
 * Runs triggers durably against the CRM's database: reads the event outbox,
 * scans date fields and keeps cron schedules, per tenant, with cursors that
 * survive restarts and firings deduplicated per (trigger, source).
 */
export class TriggerRunner {
  readonly #engine: WorkflowEngine;
  readonly #name: string;
  readonly #options: TriggerRunnerOptions;
  readonly #sources = new Map<string, CursorSource>();
  readonly #known = new Set<string>();
  /** Tenants heard in this process but not yet watched, with the wall time of their first event. */
  readonly #heard = new Map<string, number>();
  readonly #unlisten: (() => void) | undefined;
  #work: TriggerWork = emptyWork();
  #loop: TriggerLoop | undefined;

  /** @internal */
  constructor(engine: WorkflowEngine, triggers: readonly Trigger[], options: TriggerRunnerOptions = {}) {
    this.#engine = engine;
    this.#name = options.name ?? 'default';
    this.#options = options;
    const ids = new Set<string>();
    for (const trigger of triggers) {
      if (ids.has(trigger.id)) throw new Error(`Two triggers have the id ${JSON.stringify(trigger.id)}; give one an explicit id`);
      ids.add(trigger.id);
      const workflow = targetWorkflow(trigger.action);
      if (workflow !== undefined) engine.registry.latest(workflow);
    }
    const batchSize = options.batchSize ?? 200;
    const fireOne = (firing: Firing) => this.#fire(firing);
    const events = triggers.filter((t): t is EventTrigger => t.kind === 'event');
    const sources: CursorSource[] = [];
    if (events.length > 0) {
      sources.push(eventFeed(engine, events, { settleMs: options.settleMs ?? 10_000, batchSize, wallNow: Date.now }, fireOne));
    }
    for (const trigger of triggers) {
      if (trigger.kind === 'fieldDate') sources.push(fieldDateScan(engine, trigger, batchSize, fireOne));
      if (trigger.kind === 'cron') sources.push(cronSchedule(engine, trigger, fireOne));
    }
    for (const source of sources) this.#sources.set(source.key, source);
    if (options.listen ?? true) {
      this.#unlisten = engine.crm.onAnyEvent((event) => {
        if (this.#known.has(event.tenantId) || this.#heard.has(event.tenantId)) return;
        this.#heard.set(event.tenantId, ulidTime(event.id));
        this.#loop?.wake();
      });
    }
  }

  /**
   * Starts watching a tenant now (durably: its cursors are written). Call it
   * when the host creates a tenant so that even its first events, written by
   * another process, fire triggers.
   */
  async watch(tenantId: string): Promise<void> {
    await ensureCursors(this.#engine, this.#name, tenantId, [...this.#sources.values()], this.#heard.get(tenantId));
    this.#known.add(tenantId);
    this.#heard.delete(tenantId);
  }

  /**
   * One pass: watches newly known tenants, then leases every due cursor (event
   * feeds, date scans, cron schedules) across tenants and fires what is due by
   * the engine's clock. Tests call it after moving a manual clock.
   */
  async runDue(options: { limit?: number } = {}): Promise<TriggerWork> {
    this.#work = emptyWork();
    const listed = this.#options.tenants ? await this.#options.tenants() : [];
    for (const tenantId of new Set([...listed, ...this.#heard.keys()])) {
      if (!this.#known.has(tenantId)) await this.watch(tenantId);
    }
    const rows = await claimCursors(this.#engine, this.#name, options.limit ?? 100);
    for (const row of rows) await this.#pass(row);
    return this.#work;
  }

  /** Runs {@link runDue} in a loop until {@link stop}; passes that fired something run back to back. */
  start(options: TriggerLoopOptions = {}): void {
    if (this.#loop) return;
    this.#loop = startLoop(() => this.runDue(), { onError: this.#options.onError, ...options });
  }

  /** Stops the loop (letting the pass in hand finish) and stops listening to events. */
  async stop(): Promise<void> {
    this.#unlisten?.();
    await this.#loop?.stop();
    this.#loop = undefined;
  }

  /** The firings of a tenant whose callback threw, oldest first. */
  async failures(tenantId: string): Promise<TriggerFailure[]> {
    const rows = await this.#engine.storage.findMany({
      model: triggerFireModel, tenantId, where: { status: 'failed' }, orderBy: [{ field: 'firedAt' }],
    });
    return rows.map(({ triggerId, sourceKey, error, firedAt }) => ({ triggerId, sourceKey, error, firedAt }) as TriggerFailure);
  }

  async #pass(row: Row): Promise<void> {
    const tenantId = row.tenantId as string;
    const now = this.#engine.clock.now();
    // A tenant first met through its cursors may lack the cursors of triggers added since.
    if (!this.#known.has(tenantId)) await this.watch(tenantId);
    const source = this.#sources.get(row.cursorKey as string);
    if (!source) {
      // The trigger was removed from this set; keep its position in case it comes back.
      await saveCursor(this.#engine, row, { ...stateOf(row), dueAt: new Date(now.getTime() + 86_400_000) });
      return;
    }
    try {
      await saveCursor(this.#engine, row, await source.pass(tenantId, stateOf(row)));
    } catch (error) {
      this.#report(error);
      await saveCursor(this.#engine, row, { ...stateOf(row), dueAt: new Date(now.getTime() + this.#engine.options.retryBaseMs) });
    }
  }

  async #fire(firing: Firing): Promise<void> {
    const outcome = await fire(this.#engine, firing, (error) => this.#report(error));
    if (outcome === 'duplicate') this.#work.duplicates++;
    else if (outcome !== 'skipped') this.#work[outcome]++;
  }

  #report(error: unknown): void {
    (this.#options.onError ?? ((e) => console.error('crmkit workflow triggers:', e)))(error);
  }
}

function emptyWork(): TriggerWork {
  return { started: 0, signalled: 0, ran: 0, duplicates: 0, failed: 0 };
}

/**
 * Creates a trigger runner for a workflow engine.
 * @throws {Error} when two triggers share an id or a trigger names an unregistered workflow
 * @example
 * const triggers = createTriggers(engine, [
 *   onEvent('deal.stageChanged', { where: { 'record.amount.minor': { gt: 1_000_000 } }, start: 'deal-stage-gates' }),
 *   relativeToField({ model: 'deal', field: 'expectedCloseOn', offset: { days: 3 }, where: { status: 'open' }, start: 'stale-deal' }),
 *   cron('0 9 * * 1', { timeZone: 'Europe/Paris', start: 'weekly-review' }),
 * ], { tenants: () => listTenantIds() });
 * triggers.start({ pollIntervalMs: 500 });
 */
export function createTriggers(engine: WorkflowEngine, triggers: readonly Trigger[], options: TriggerRunnerOptions = {}): TriggerRunner {
  return new TriggerRunner(engine, triggers, options);
}
