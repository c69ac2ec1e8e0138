import type { Row } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import { triggerCursorModel, triggerFireModel } from '../storage/models.js';
import { targetWorkflow } from './action.js';
import { type CronTrigger, cronSchedule } from './cron-trigger.js';
import { acrossTenants, claimCursors, type CursorSource, ensureCursors, type LogSource, saveCursor, stateOf } from './cursors.js';
import { fieldDateScan, type FieldDateTrigger } from './date-trigger.js';
import { eventFeed } from './event-feed.js';
import type { EventTrigger } from './event-trigger.js';
import { fire, type Firing } from './fire.js';
import { startLoop, type TriggerLoop, type TriggerLoopOptions } from './loop.js';
import { tenantFeed } from './tenant-feed.js';

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
   * Where the event triggers of a new trigger set start reading the event
   * log: `'now'`, the end of the log when the set's first pass runs (events
   * committed before are never fired), or `'beginning'`, every event ever
   * written. Only read when the set's cursor is created; a set converted
   * from 0.1.0's per-tenant cursors continues from them either way.
   * @default 'now'
   */
  startFrom?: 'now' | 'beginning';
  /**
   * @deprecated Not needed: tenants are learnt from the event log, whoever
   * wrote their events. Still honoured: the listed tenants get their date and
   * cron cursors on the first pass that lists them, before their first event.
   */
  tenants?: () => Iterable<string> | Promise<Iterable<string>>;
  /**
   * @deprecated Ignored: the runner reads the event log, which holds the
   * events of every process. Events committed in this process always end the
   * loop's pause early.
   */
  listen?: boolean;
  /**
   * @deprecated Ignored: the event log is read in commit order, so a late
   * commit is never behind the cursor and nothing is re-read.
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
 * Runs triggers durably against the CRM's database: follows the event log
 * across tenants in commit order, scans date fields and keeps cron schedules
 * per tenant, with cursors that survive restarts and firings deduplicated per
 * (trigger, source). Several runners of one trigger set (in any processes)
 * share the work: each cursor is leased by one of them at a time.
 */
export class TriggerRunner {
  readonly #engine: WorkflowEngine;
  readonly #name: string;
  readonly #options: TriggerRunnerOptions;
  /** Sources followed per tenant: date scans, cron schedules. */
  readonly #sources = new Map<string, CursorSource>();
  /** Sources followed across tenants: the event feed, tenant discovery. */
  readonly #logs = new Map<string, LogSource>();
  /** Tenants whose cursors this process has ensured. */
  readonly #known = new Set<string>();
  readonly #unlisten: () => void;
  #ensured: Promise<void> | undefined;
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
    // A pass hands its cursor back well before the lease would let another runner take it over.
    const budgetMs = engine.options.leaseMs / 3;
    const fireOne = (firing: Firing) => this.#fire(firing);
    for (const trigger of triggers) {
      const source = trigger.kind === 'fieldDate' ? fieldDateScan(engine, trigger, batchSize, fireOne)
        : trigger.kind === 'cron' ? cronSchedule(engine, trigger, fireOne) : undefined;
      if (source) this.#sources.set(source.key, source);
    }
    const events = triggers.filter((t): t is EventTrigger => t.kind === 'event');
    const logs: LogSource[] = [];
    if (events.length > 0) {
      logs.push(eventFeed(engine, events, { batchSize, startFrom: options.startFrom ?? 'now', budgetMs, wallNow: Date.now }, fireOne));
    }
    if (this.#sources.size > 0) logs.push(tenantFeed(engine, [...this.#sources.values()], batchSize, budgetMs, this.#known, (t) => this.#ensureTenant(t)));
    for (const log of logs) this.#logs.set(log.key, log);
    // The log holds every process's events; one committed here only ends the loop's pause early.
    this.#unlisten = engine.crm.onAnyEvent(() => this.#loop?.wake());
  }

  /**
   * Creates a tenant's date and cron cursors now (durably), instead of when
   * the runner first reads one of its events.
   * @deprecated Not needed: tenants are learnt from the event log. Only
   * useful for date and cron triggers in a tenant that has written no event.
   */
  watch(tenantId: string): Promise<void> {
    return this.#ensureTenant(tenantId);
  }

  /** Creates the tenant cursors of the set that the tenant lacks (triggers added since it was met, too). */
  async #ensureTenant(tenantId: string): Promise<void> {
    await ensureCursors(this.#engine, this.#name, tenantId, [...this.#sources.values()]);
    this.#known.add(tenantId);
  }

  /**
   * One pass: creates the set's log cursors on first use, then leases every
   * due cursor (the event feed, tenant discovery, date scans, cron schedules)
   * and fires what is due by the engine's clock. Tests call it after moving
   * a manual clock.
   */
  async runDue(options: { limit?: number } = {}): Promise<TriggerWork> {
    this.#work = emptyWork();
    this.#ensured ??= this.#ensureLogs().catch((error: unknown) => {
      this.#ensured = undefined;
      throw error;
    });
    await this.#ensured;
    if (this.#options.tenants) {
      for (const tenantId of await this.#options.tenants()) if (!this.#known.has(tenantId)) await this.#ensureTenant(tenantId);
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
    this.#unlisten();
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

  async #ensureLogs(): Promise<void> {
    for (const log of this.#logs.values()) await log.ensure(this.#name);
  }

  async #pass(row: Row): Promise<void> {
    const tenantId = row.tenantId as string;
    const now = this.#engine.clock.now();
    const log = tenantId === acrossTenants ? this.#logs.get(row.cursorKey as string) : undefined;
    const source = log === undefined ? this.#sources.get(row.cursorKey as string) : undefined;
    if (!log && !source) {
      // The trigger was removed from this set; keep its position in case it comes back.
      await saveCursor(this.#engine, row, { ...stateOf(row), dueAt: new Date(now.getTime() + 86_400_000) });
      return;
    }
    try {
      // A tenant first met through its cursors may lack the cursors of triggers added since.
      if (source && !this.#known.has(tenantId)) await this.#ensureTenant(tenantId);
      const state = stateOf(row);
      const next = log ? await log.pass(state, (progress) => saveCursor(this.#engine, row, progress, false)) : await source!.pass(tenantId, state);
      await saveCursor(this.#engine, row, next);
    } catch (error) {
      this.#report(error);
      // The position stays where the last checkpoint left it: what was read since is read again (the fire rows deduplicate).
      const saved = await this.#engine.storage.findOne({ model: triggerCursorModel, tenantId, id: row.id as string });
      await saveCursor(this.#engine, row, { ...stateOf(saved ?? row), dueAt: new Date(now.getTime() + this.#engine.options.retryBaseMs) });
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
 * ]);
 * triggers.start({ pollIntervalMs: 500 });
 */
export function createTriggers(engine: WorkflowEngine, triggers: readonly Trigger[], options: TriggerRunnerOptions = {}): TriggerRunner {
  return new TriggerRunner(engine, triggers, options);
}
