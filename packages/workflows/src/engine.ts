import {
  type Clock, ConflictError, type Crm, createCursorCodec, type CursorCodec, NotFoundError, type Page, type Row, StateError, type Storage,
  ValidationError, withRetry,
} from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { BusinessCalendar } from '@crmkit/core';
import type { Subject, WorkflowDefinition } from './definition.js';
import { builtinEffects } from './effects/builtin.js';
import type { EffectHandler } from './effects/effect.js';
import { workflowMigrations } from './migrations/index.js';
import { builtinQueue } from './queue/builtin-queue.js';
import type { WorkflowQueue } from './queue/queue.js';
import { WorkflowRegistry } from './registry.js';
import type { Applied, EngineSettings } from './runtime/context.js';
import { type DeadJob, deliverDue, type DueWork } from './runtime/deliver.js';
import { toInstance, type WorkflowInstance, type WorkflowStep } from './runtime/instance-view.js';
import { Runtime } from './runtime/runtime.js';
import { SendBatcher } from './runtime/send-batcher.js';
import type { Worker, WorkerOptions } from './runtime/worker.js';
import { instanceModel, jobModel, stepModel } from './storage/models.js';

/** Options of {@link createWorkflowEngine}. */
export interface WorkflowEngineOptions {
  /** The CRM whose database holds instances, timers and jobs. */
  crm: Crm;
  /**
   * The key signing the cursors of {@link WorkflowEngine.list}, at least 16 bytes, as
   * `createCrm({ cursorSecret })` does for the CRM's lists.
   * @default a random key per process
   */
  cursorSecret?: string | Uint8Array;
  /** Every workflow version the engine may run (old versions stay while instances use them). */
  workflows: readonly WorkflowDefinition[];
  /** Effect handlers by action name; they replace built-in ones of the same name. */
  actions?: Record<string, EffectHandler>;
  /**
   * Source of time for due timers and effects.
   * @default the CRM's clock
   */
  clock?: Clock;
  /** Working time for delays listed in a definition's `businessDelays`. */
  calendar?: BusinessCalendar;
  /**
   * Attempts of an effect before it is dead-lettered, on every queue. An
   * attempt counts from the moment it begins, so one whose worker died counts too.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * Pause after the first failed attempt of an effect; each later one doubles,
   * up to an hour. The same on every queue (on graphile-worker the next attempt
   * is a job due at that time, measured by the database server's clock).
   * @default 1000
   */
  retryBaseMs?: number;
  /**
   * How long a worker holds a claimed timer or an effect attempt before another
   * may take it over (the built-in queue), and how long a graphile worker
   * process may miss its heartbeat before its jobs are handed to others.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Keep one history row per applied event.
   * @default true
   */
  history?: boolean;
  /**
   * On a single-writer database (SQLite): how many instance rows this engine
   * keeps after writing them, so that the next event to one of them skips
   * reading it back. Every write is still guarded by the instance revision, so
   * a row changed by another process is re-read, never overwritten. `0` turns
   * it off. Ignored on databases with several connections (Postgres), where
   * each event reads and locks the row.
   * @default 1000
   */
  instanceCacheSize?: number;
  /**
   * How due timers and effect jobs reach workers: {@link builtinQueue} polls
   * the rows (SQLite, one process); {@link graphileQueue} delivers them with
   * graphile-worker on PostgreSQL, for many worker processes.
   * @default builtinQueue()
   */
  queue?: WorkflowQueue;
}

/** Options of {@link WorkflowEngine.start}. */
export interface StartOptions {
  /**
   * The record the instance is about; also how triggers find instances. Its
   * `type` names an entity of the CRM (`deal`, `contact`, `company`...), and
   * the record must exist in the instance's tenant.
   */
  subject?: Subject;
  /** The machine's input. */
  input?: unknown;
}

/** Options of {@link WorkflowEngine.list}: filters (all optional, combined with and) and paging. */
export interface ListInstancesOptions {
  /** Only instances of this workflow (any version). */
  workflowId?: string;
  /** Only instances in this state, as {@link WorkflowInstance.state} spells it (`qualified.awaitingContact`). */
  state?: string;
  /** Only instances with this status. */
  status?: WorkflowInstance['status'];
  /**
   * Page size, 1 to 1000.
   * @default 50
   */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * Runs XState machines durably on the CRM's database: every event is one
 * transaction that writes the next snapshot, its timers and its effects, so a
 * crash at any point loses nothing and applies nothing twice.
 *
 * Create it with {@link createWorkflowEngine}.
 */
export class WorkflowEngine {
  readonly #runtime: Runtime;
  readonly #cursors: CursorCodec;
  readonly #batcher: SendBatcher | undefined;

  /** @internal */
  constructor(options: WorkflowEngineOptions) {
    const settings: EngineSettings = {
      maxAttempts: positive(options.maxAttempts ?? 5, 'maxAttempts'),
      retryBaseMs: positive(options.retryBaseMs ?? 1000, 'retryBaseMs', 0),
      leaseMs: positive(options.leaseMs ?? 30_000, 'leaseMs'),
      history: options.history ?? true,
    };
    const queue = options.queue ?? builtinQueue();
    if (typeof queue.startWorker !== 'function') {
      throw ValidationError.single('queue must come from builtinQueue() or graphileQueue()', ['queue']);
    }
    this.#cursors = createCursorCodec(options.cursorSecret);
    this.#runtime = new Runtime({
      crm: options.crm,
      clock: options.clock ?? options.crm.clock,
      registry: new WorkflowRegistry(options.workflows),
      handlers: { ...builtinEffects, ...options.actions },
      queue,
      settings,
      calendar: options.calendar,
      instanceCacheSize: positive(options.instanceCacheSize ?? 1000, 'instanceCacheSize', 0),
    });
    const rt = this.#runtime;
    // One writer connection: concurrent sends share transactions (group commit).
    // With several connections, sends run in parallel transactions instead.
    this.#batcher = rt.storage.capabilities.multipleConnections
      ? undefined
      : new SendBatcher((fn) => rt.transaction(fn), (tx, view, tenantId, instanceId, event) => rt.apply(tx, tenantId, instanceId, event, { view }));
  }

  /** @internal The CRM (for the trigger runner). */
  get crm(): Crm {
    return this.#runtime.crm;
  }

  /** @internal The registered workflows (for the trigger runner). */
  get registry(): WorkflowRegistry {
    return this.#runtime.registry;
  }

  /** @internal The engine's clock (for the trigger runner). */
  get clock(): Clock {
    return this.#runtime.clock;
  }

  /** @internal The resolved settings (for the trigger runner). */
  get options(): EngineSettings {
    return this.#runtime.settings;
  }

  /** @internal The CRM's storage (for the trigger runner). */
  get storage(): Storage {
    return this.#runtime.storage;
  }

  /**
   * @internal Applies one event inside a transaction (for the trigger runner): the instance row
   * after it and whether a transition was written; undefined when the instance does not exist.
   */
  applyEvent(tx: Storage, tenantId: string, instanceId: string, event: EventObject): Promise<Applied> {
    return this.#runtime.apply(tx, tenantId, instanceId, event);
  }

  /**
   * Creates or upgrades the CRM's tables (`crm.migrate()`: the engine's effects,
   * triggers and reminders use them), the workflow tables (also reachable as
   * `createCrm({ migrations: workflowMigrations })`), then whatever the queue
   * needs (graphile-worker's schema).
   * @returns the ids of the migrations applied by this call
   */
  async migrate(): Promise<string[]> {
    const applied = [...(await this.#runtime.crm.migrate()), ...(await this.#runtime.storage.migrate(workflowMigrations))];
    await this.#runtime.queue.migrate?.(this.#runtime);
    return applied;
  }

  /**
   * Starts an instance of the newest version of a workflow: runs the initial
   * transition and stores its snapshot, timers and effects in one transaction.
   * @example
   * const run = await engine.start('acme', 'follow-up', { subject: { type: 'contact', id: ada.id }, input: { contactId: ada.id } });
   * @throws {ValidationError} for a malformed tenant id (the rules of `crm.tenant()`) or a subject type that is not a CRM entity
   * @throws {NotFoundError} for a workflow nobody registered (entity `workflow`), or a subject the tenant does not have
   * @throws {WorkflowDefinitionError} when the machine does something the durable runtime cannot store
   */
  start(tenantId: string, workflowId: string, options: StartOptions = {}): Promise<WorkflowInstance> {
    return this.#runtime.storage.transaction((tx) => this.startIn(tx, tenantId, workflowId, options));
  }

  /**
   * Like {@link start}, inside the caller's transaction: the instance is created
   * only if that transaction commits, so a caller can start an instance
   * together with its own rows (triggers record which event started it).
   * @example
   * await storage.transaction(async (tx) => { await tx.create(...); await engine.startIn(tx, 'acme', 'follow-up'); });
   * @throws the errors of {@link start}
   */
  async startIn(tx: Storage, tenantId: string, workflowId: string, options: StartOptions = {}): Promise<WorkflowInstance> {
    return toInstance(await this.#runtime.start(tx, tenantId, workflowId, options.subject, options.input));
  }

  /**
   * Sends an event to an instance. Concurrent senders are serialised: on a
   * single-writer database they share group-commit transactions, on Postgres
   * they queue on the instance's row lock. Events to a finished or stopped
   * instance are ignored.
   * @throws {NotFoundError} when the tenant has no such instance
   * @throws {ValidationError} for a malformed tenant id
   */
  async send<TEvent extends EventObject>(tenantId: string, instanceId: string, event: TEvent): Promise<WorkflowInstance> {
    const rt = this.#runtime;
    rt.tenant(tenantId);
    const applied = this.#batcher
      ? await this.#batcher.send(tenantId, instanceId, event)
      : await withRetry(
          () => rt.transaction((tx, view) => rt.apply(tx, tenantId, instanceId, event, { view })),
          // The row lock makes conflicts rare (an instance written without it); retried with jitter, never hot.
          { attempts: 10, retryOn: (e) => e instanceof ConflictError },
        );
    if (!applied) throw new NotFoundError('workflowInstance', instanceId);
    return toInstance(applied.row);
  }

  /**
   * Stops an active instance: status `stopped`, its pending timers deleted and
   * its pending effect jobs cancelled (an attempt already running is not
   * interrupted, but its outcome is not recorded). Later events and timers are
   * ignored. Stopping an instance that has finished changes nothing.
   * @throws {NotFoundError} when the tenant has no such instance
   */
  async stop(tenantId: string, instanceId: string): Promise<WorkflowInstance> {
    const rt = this.#runtime;
    const row = await withRetry(
      () => rt.transaction((tx, view) => rt.stop(tx, tenantId, instanceId, view)),
      { attempts: 10, retryOn: (e) => e instanceof ConflictError },
    );
    if (!row) throw new NotFoundError('workflowInstance', instanceId);
    return toInstance(row);
  }

  /** Reads an instance. @throws {NotFoundError} when the tenant has no such instance */
  async get(tenantId: string, instanceId: string): Promise<WorkflowInstance> {
    const row = await this.#runtime.storage.findOne({ model: instanceModel, tenantId, id: instanceId });
    if (!row) throw new NotFoundError('workflowInstance', instanceId);
    return toInstance(row);
  }

  /** The instances about a subject, newest first (optionally of one workflow). */
  async instancesOf(tenantId: string, subject: Subject, workflowId?: string): Promise<WorkflowInstance[]> {
    const rows = await this.#runtime.storage.findMany({
      model: instanceModel, tenantId,
      where: { subjectType: subject.type, subjectId: subject.id, ...(workflowId ? { workflowId } : {}) },
      orderBy: [{ field: 'createdAt', direction: 'desc' }],
    });
    return rows.map(toInstance);
  }

  /**
   * A page of a tenant's instances in creation order, optionally of one
   * workflow, in one state or with one status. Pages are keyset pages: an
   * instance started while paging is never skipped nor repeated.
   * @example
   * let page = await engine.list('acme', { workflowId: 'follow-up', state: 'waiting', limit: 100 });
   * while (page.nextCursor) page = await engine.list('acme', { workflowId: 'follow-up', state: 'waiting', limit: 100, cursor: page.nextCursor });
   * @throws {ValidationError} for a limit outside 1..1000 or a cursor not made by this method
   */
  async list(tenantId: string, options: ListInstancesOptions = {}): Promise<Page<WorkflowInstance>> {
    const limit = options.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw ValidationError.single('limit must be an integer from 1 to 1000', ['limit']);
    const where: Row = {};
    if (options.workflowId !== undefined) where.workflowId = options.workflowId;
    if (options.state !== undefined) where.state = options.state;
    if (options.status !== undefined) where.status = options.status;
    // A cursor is signed for this tenant and filter: it cannot page another list.
    const scope = `workflowInstance\n${tenantId}\n${JSON.stringify([options.workflowId ?? null, options.state ?? null, options.status ?? null])}`;
    let after: Row | undefined;
    if (options.cursor !== undefined) {
      const [id] = this.#cursors.decode(scope, options.cursor);
      if (typeof id !== 'string') throw ValidationError.single('The cursor was not made by engine.list', ['cursor']);
      after = { id };
    }
    const rows = await this.#runtime.storage.findMany({
      model: instanceModel, tenantId, where: where as never, orderBy: [{ field: 'id' }], limit: limit + 1, ...(after ? { after } : {}),
    });
    const items = rows.slice(0, limit).map(toInstance);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: this.#cursors.encode(scope, [last.id]) } : { items };
  }

  /** The events an instance applied, oldest first. */
  async history(tenantId: string, instanceId: string): Promise<WorkflowStep[]> {
    const rows = await this.#runtime.storage.findMany({ model: stepModel, tenantId, where: { instanceId }, orderBy: [{ field: 'revision' }] });
    return rows.map(({ revision, eventType, event, fromState, toState, at }) => ({ revision, eventType, event, fromState, toState, at }) as WorkflowStep);
  }

  /**
   * Delivers what is due now once, from the rows: timers in due order (one
   * instance's timers one after another), then effect jobs, through the same
   * fenced fire and settle functions as the workers. Tests drive it with a
   * manual clock. It reads the rows on either queue: on a graphile engine it
   * delivers what is due by the engine's clock, and graphile-worker's own jobs
   * for what it delivered find nothing left to do; a retry it records is
   * enqueued there as usual.
   */
  runDue(options: { limit?: number; concurrency?: number } = {}): Promise<DueWork> {
    return deliverDue(this.#runtime, options.limit ?? 100, options.concurrency ?? 4);
  }

  /**
   * Starts delivering due timers and effects in this process through the
   * engine's queue; `stop()` finishes the work in hand and resolves.
   */
  runWorker(options: WorkerOptions = {}): Worker {
    return this.#runtime.queue.startWorker(this.#runtime, options);
  }

  /** Effects that failed on every attempt, oldest dead first. */
  async deadJobs(tenantId: string): Promise<DeadJob[]> {
    const rows = await this.#runtime.storage.findMany({ model: jobModel, tenantId, where: { status: 'dead' }, orderBy: [{ field: 'finishedAt' }] });
    return rows.map(({ tenantId: tenant, id, instanceId, action, params, idempotencyKey, attempts, lastError, finishedAt }) =>
      ({ tenantId: tenant, id, instanceId, action, params, idempotencyKey, attempts, lastError, finishedAt }) as DeadJob);
  }

  /**
   * Puts a dead-lettered effect back in the queue with a fresh set of attempts, due now.
   * @throws {NotFoundError} when the tenant has no such job
   * @throws {StateError} when the job is not dead (pending, done or cancelled)
   */
  async retryJob(tenantId: string, jobId: string): Promise<void> {
    const rt = this.#runtime;
    const now = rt.clock.now().toISOString();
    await rt.storage.transaction(async (tx) => {
      const job = await tx.findOne({ model: jobModel, tenantId, id: jobId, forUpdate: true });
      if (!job) throw new NotFoundError(jobModel.name, jobId);
      if (job.status !== 'dead') throw new StateError(`Job ${jobId} is ${String(job.status)}, not dead: only dead jobs are retried`);
      // The update moves the job's fence: nothing of an earlier delivery can be recorded over the new attempts.
      const requeued = await tx.update({
        model: jobModel, tenantId, id: jobId, expectedVersion: job.version as number,
        data: { status: 'pending', attempts: 0, dueAt: now, leasedUntil: null, finishedAt: null, updatedAt: now },
      });
      await rt.queue.requeueJob?.(tx, requeued);
    });
  }
}

/** A non-negative (or at least `min`) integer option. */
function positive(value: number, name: string, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min) throw ValidationError.single(`${name} must be an integer of at least ${min}`, [name]);
  return value;
}

/**
 * Creates a workflow engine on a CRM.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [followUpWorkflow], actions: { sendEmail } });
 * await engine.migrate();
 * const worker = engine.runWorker({ concurrency: 4 });
 * @throws {ValidationError} for an invalid option
 * @throws {WorkflowDefinitionError} when one version of a workflow is given twice
 */
export function createWorkflowEngine(options: WorkflowEngineOptions): WorkflowEngine {
  return new WorkflowEngine(options);
}
