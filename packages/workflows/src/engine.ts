import { type Clock, ConflictError, type Crm, NotFoundError, newId, type Row, type Storage, withRetry } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { BusinessCalendar } from './calendar.js';
import type { Subject, WorkflowDefinition } from './definition.js';
import { builtinEffects } from './effects/builtin.js';
import type { EffectHandler } from './effects/effect.js';
import { builtinQueue } from './queue/builtin-queue.js';
import type { WorkflowQueue } from './queue/queue.js';
import { WorkflowRegistry } from './registry.js';
import { type DeadJob, deliverDue, type DueWork } from './runtime/deliver.js';
import { toInstance, type WorkflowInstance, type WorkflowStep } from './runtime/instance-view.js';
import { planTransition } from './runtime/plan.js';
import { SendBatcher } from './runtime/send-batcher.js';
import type { Worker, WorkerOptions } from './runtime/worker.js';
import { type PlanTarget, writePlan, type WriteSettings } from './runtime/write-plan.js';
import { workflowMigrations } from './migrations/index.js';
import { instanceModel, jobModel, stepModel } from './storage/models.js';

/** Options of {@link createWorkflowEngine}. */
export interface WorkflowEngineOptions {
  /** The CRM whose database holds instances, timers and jobs. */
  crm: Crm;
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
   * Attempts of an effect before it is dead-lettered.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * First retry delay of a failed effect; each later one doubles, up to an hour.
   * @default 1000
   */
  retryBaseMs?: number;
  /**
   * How long a worker holds a claimed timer or job before another may take it over.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Keep one history row per applied event.
   * @default true
   */
  history?: boolean;
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
  /** The record the instance is about; also how triggers find instances. */
  subject?: Subject;
  /** The machine's input. */
  input?: unknown;
}

/**
 * Runs XState machines durably on the CRM's database: every event is one
 * transaction that writes the next snapshot, its timers and its effects, so a
 * crash at any point loses nothing and applies nothing twice.
 */
export class WorkflowEngine {
  /** @internal */ readonly crm: Crm;
  /** @internal */ readonly registry: WorkflowRegistry;
  /** @internal */ readonly clock: Clock;
  /** @internal */ readonly handlers: Record<string, EffectHandler>;
  /** @internal */ readonly queue: WorkflowQueue;
  /** @internal */ readonly options: Required<Pick<WorkflowEngineOptions, 'maxAttempts' | 'retryBaseMs' | 'leaseMs' | 'history'>>;
  readonly #calendar: BusinessCalendar | undefined;
  readonly #batcher: SendBatcher | undefined;

  /** @internal */
  constructor(options: WorkflowEngineOptions) {
    this.crm = options.crm;
    this.registry = new WorkflowRegistry(options.workflows);
    this.clock = options.clock ?? options.crm.clock;
    this.handlers = { ...builtinEffects, ...options.actions };
    this.#calendar = options.calendar;
    this.queue = options.queue ?? builtinQueue();
    // One writer connection: concurrent sends share transactions (group commit).
    // With several connections, sends run in parallel transactions instead.
    this.#batcher = options.crm.adapter.capabilities.multipleConnections
      ? undefined
      : new SendBatcher(options.crm.adapter, (tx, tenantId, instanceId, event) => this.applyEvent(tx, tenantId, instanceId, event));
    this.options = {
      maxAttempts: options.maxAttempts ?? 5,
      retryBaseMs: options.retryBaseMs ?? 1000,
      leaseMs: options.leaseMs ?? 30_000,
      history: options.history ?? true,
    };
  }

  /** @internal */
  get storage(): Storage {
    return this.crm.adapter;
  }

  /**
   * Creates the workflow tables (also reachable as `createCrm({ migrations: workflowMigrations })`),
   * then whatever the queue needs (graphile-worker's schema).
   */
  async migrate(): Promise<string[]> {
    const applied = await this.crm.adapter.migrate(workflowMigrations);
    await this.queue.migrate?.(this);
    return applied;
  }

  /**
   * Starts an instance of the newest version of a workflow: runs the initial
   * transition and stores its snapshot, timers and effects in one transaction.
   * @example
   * const run = await engine.start('acme', 'follow-up', { subject: { type: 'contact', id: ada.id }, input: { contactId: ada.id } });
   */
  start(tenantId: string, workflowId: string, options: StartOptions = {}): Promise<WorkflowInstance> {
    return this.storage.transaction((tx) => this.startIn(tx, tenantId, workflowId, options));
  }

  /**
   * Like {@link start}, inside the caller's transaction: the instance is created
   * only if that transaction commits, so a caller can start an instance
   * together with its own rows (triggers record which event started it).
   * @example
   * await storage.transaction(async (tx) => { await tx.create(...); await engine.startIn(tx, 'acme', 'follow-up'); });
   */
  async startIn(tx: Storage, tenantId: string, workflowId: string, options: StartOptions = {}): Promise<WorkflowInstance> {
    const definition = this.registry.latest(workflowId);
    const plan = planTransition(definition.machine, { input: options.input });
    const target: PlanTarget = { kind: 'new', id: newId(), workflowId, workflowVersion: definition.version, subject: options.subject ?? null };
    const row = await writePlan(tx, tenantId, target, plan, { type: 'xstate.init' }, this.clock.now(), this.#settings(definition));
    return toInstance(row);
  }

  /**
   * Sends an event to an instance. Concurrent senders are serialised by the
   * instance revision: a conflicting write is retried on the new snapshot.
   * Events to a finished instance are ignored.
   * @throws {NotFoundError} when the tenant has no such instance
   */
  async send<TEvent extends EventObject>(tenantId: string, instanceId: string, event: TEvent): Promise<WorkflowInstance> {
    const applied = this.#batcher
      ? await this.#batcher.send(tenantId, instanceId, event)
      : await withRetry(
          () => this.storage.transaction((tx) => this.applyEvent(tx, tenantId, instanceId, event)),
          { attempts: 20, retryOn: (e) => e instanceof ConflictError },
        );
    if (!applied) throw new NotFoundError('workflowInstance', instanceId);
    return toInstance(applied.row);
  }

  /**
   * @internal Applies one event inside a transaction: the instance row after it and whether a
   * transition was written (not for a finished instance); undefined when the instance does not exist.
   */
  async applyEvent(tx: Storage, tenantId: string, instanceId: string, event: EventObject): Promise<{ row: Row; fired: boolean } | undefined> {
    const row = await tx.findOne({ model: instanceModel, tenantId, id: instanceId });
    if (!row) return undefined;
    if (row.status !== 'active') return { row, fired: false };
    const { definition, snapshot } = this.#resolve(row);
    const plan = planTransition(definition.machine, { snapshot }, event);
    const target: PlanTarget = { kind: 'existing', row, workflowVersion: definition.version };
    const written = await writePlan(tx, tenantId, target, plan, event, this.clock.now(), this.#settings(definition));
    return { row: written, fired: true };
  }

  /** Reads an instance. @throws {NotFoundError} */
  async get(tenantId: string, instanceId: string): Promise<WorkflowInstance> {
    const row = await this.storage.findOne({ model: instanceModel, tenantId, id: instanceId });
    if (!row) throw new NotFoundError('workflowInstance', instanceId);
    return toInstance(row);
  }

  /** The instances about a subject, newest first (optionally of one workflow). */
  async instancesOf(tenantId: string, subject: Subject, workflowId?: string): Promise<WorkflowInstance[]> {
    const rows = await this.storage.findMany({
      model: instanceModel, tenantId,
      where: { subjectType: subject.type, subjectId: subject.id, ...(workflowId ? { workflowId } : {}) },
      orderBy: [{ field: 'createdAt', direction: 'desc' }],
    });
    return rows.map(toInstance);
  }

  /** The events an instance applied, oldest first. */
  async history(tenantId: string, instanceId: string): Promise<WorkflowStep[]> {
    const rows = await this.storage.findMany({ model: stepModel, tenantId, where: { instanceId }, orderBy: [{ field: 'revision' }] });
    return rows.map(({ revision, eventType, event, fromState, toState, at }) => ({ revision, eventType, event, fromState, toState, at }) as WorkflowStep);
  }

  /**
   * Delivers what is due now once: timers in due order (one instance's timers
   * one after another), then effect jobs. Tests drive this with a manual clock;
   * {@link runWorker} calls it in a loop.
   */
  runDue(options: { limit?: number; concurrency?: number } = {}): Promise<DueWork> {
    return deliverDue(this, options.limit ?? 100, options.concurrency ?? 4);
  }

  /**
   * Starts delivering due timers and effects in this process through the
   * engine's queue; `stop()` finishes the work in hand and resolves.
   */
  runWorker(options: WorkerOptions = {}): Worker {
    return this.queue.startWorker(this, options);
  }

  /** Effects that failed on every attempt. */
  async deadJobs(tenantId: string): Promise<DeadJob[]> {
    const rows = await this.storage.findMany({ model: jobModel, tenantId, where: { status: 'dead' }, orderBy: [{ field: 'finishedAt' }] });
    return rows as unknown as DeadJob[];
  }

  /** Puts a dead-lettered effect back in the queue with a fresh set of attempts. @throws {NotFoundError} */
  async retryJob(tenantId: string, jobId: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.storage.transaction(async (tx) => {
      const job = await tx.update({
        model: jobModel, tenantId, id: jobId,
        data: { status: 'pending', attempts: 0, dueAt: now, leasedUntil: null, finishedAt: null, updatedAt: now },
      });
      await this.queue.requeueJob?.(tx, job);
    });
  }

  /** Which definition runs a stored instance, migrating its snapshot when the newest version knows how. */
  #resolve(row: Row): { definition: WorkflowDefinition; snapshot: Record<string, unknown> } {
    const id = row.workflowId as string;
    const version = row.workflowVersion as number;
    const snapshot = row.snapshot as Record<string, unknown>;
    const latest = this.registry.latest(id);
    if (latest.version > version && latest.migrate) {
      const migrated = latest.migrate(snapshot, version);
      if (migrated !== undefined) return { definition: latest, snapshot: migrated };
    }
    const own = this.registry.version(id, version);
    if (!own) throw new Error(`Workflow ${id} version ${version} is not registered and has no migration to ${latest.version}`);
    return { definition: own, snapshot };
  }

  #settings(definition: WorkflowDefinition): WriteSettings {
    return {
      maxAttempts: this.options.maxAttempts,
      calendar: this.#calendar,
      businessDelays: new Set(definition.businessDelays ?? []),
      history: this.options.history,
      enqueue: this.queue.enqueue?.bind(this.queue),
    };
  }
}

/**
 * Creates a workflow engine on a CRM.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [followUpWorkflow], actions: { sendEmail } });
 * await engine.migrate();
 * const worker = engine.runWorker({ concurrency: 4 });
 */
export function createWorkflowEngine(options: WorkflowEngineOptions): WorkflowEngine {
  return new WorkflowEngine(options);
}
