import {
  type Clock, ConflictError, type Crm, coreModels, type ModelDefinition, newId, NotFoundError, type Row, type Storage, type StorageAdapter,
  type TenantScope, ValidationError,
} from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { BusinessCalendar } from '@crmkit/core';
import type { Subject, WorkflowDefinition } from '../definition.js';
import type { EffectHandler } from '../effects/effect.js';
import { WorkflowDefinitionError } from '../errors.js';
import type { WorkflowQueue } from '../queue/queue.js';
import type { WorkflowRegistry } from '../registry.js';
import { instanceModel, jobModel, stepModel, timerModel } from '../storage/models.js';
import type { Applied, ApplyOptions, EngineRuntime, EngineSettings } from './context.js';
import { type CacheView, InstanceCache, isJsonSafe } from './instance-cache.js';
import { planTransition, restore, transitionFrom } from './plan.js';
import { type PlanTarget, writePlan, type WriteSettings } from './write-plan.js';

/** What the runtime is built from (the engine's resolved options). */
export interface RuntimeParts {
  crm: Crm;
  clock: Clock;
  registry: WorkflowRegistry;
  handlers: Record<string, EffectHandler>;
  queue: WorkflowQueue;
  settings: EngineSettings;
  calendar: BusinessCalendar | undefined;
  /** Instance rows kept for the next event (single-writer databases only); 0 turns the cache off. */
  instanceCacheSize: number;
}

/** A subject type -> the core model it names (`deal` -> the deal model). */
const subjectModels = new Map<string, ModelDefinition>(Object.values(coreModels).map((model) => [model.name, model]));

/** Tenant ids already checked; bounded, since any string may be passed. */
const checkedTenantsLimit = 10_000;

/** The engine's internals: the apply path, the instance cache and the settings every module reads. */
export class Runtime implements EngineRuntime {
  readonly crm: Crm;
  readonly storage: StorageAdapter;
  readonly clock: Clock;
  readonly registry: WorkflowRegistry;
  readonly handlers: Readonly<Record<string, EffectHandler>>;
  readonly queue: WorkflowQueue;
  readonly settings: EngineSettings;
  readonly calendar: BusinessCalendar | undefined;
  readonly #cache: InstanceCache | undefined;
  /** Locking reads of the instance row: concurrent senders queue on the lock instead of conflicting. */
  readonly #lockRows: boolean;
  readonly #writeSettings = new WeakMap<WorkflowDefinition, WriteSettings>();
  readonly #tenants = new Map<string, TenantScope>();

  constructor(parts: RuntimeParts) {
    this.crm = parts.crm;
    this.storage = parts.crm.adapter;
    this.clock = parts.clock;
    this.registry = parts.registry;
    this.handlers = parts.handlers;
    this.queue = parts.queue;
    this.settings = parts.settings;
    this.calendar = parts.calendar;
    const single = !this.storage.capabilities.multipleConnections;
    this.#lockRows = !single;
    this.#cache = single && parts.instanceCacheSize > 0 ? new InstanceCache(parts.instanceCacheSize) : undefined;
  }

  /**
   * The tenant's services in the system scope, which also validates the id
   * exactly as `crm.tenant()` does. Effects and triggers act for the tenant,
   * not for a member: with `createCrm({ access })` they must see and change
   * every record, so they take `crm.system(tenantId)` explicitly (the same
   * scope as `crm.tenant(tenantId)` without an actor, said out loud).
   * @throws {ValidationError} for a malformed tenant id
   */
  tenant(tenantId: string): TenantScope {
    let scope = this.#tenants.get(tenantId);
    if (scope === undefined) {
      scope = this.crm.system(tenantId);
      if (this.#tenants.size >= checkedTenantsLimit) this.#tenants.clear();
      this.#tenants.set(tenantId, scope);
    }
    return scope;
  }

  async transaction<T>(fn: (tx: Storage, view: CacheView | undefined) => Promise<T>): Promise<T> {
    const view = this.#cache?.view();
    const result = await this.storage.transaction((tx) => fn(tx, view));
    view?.commit();
    return result;
  }

  /**
   * Starts an instance in `tx`: checks the tenant id and that the subject
   * exists in that tenant, runs the initial transition and writes it.
   * @throws {ValidationError} for a malformed tenant id or an unknown subject type
   * @throws {NotFoundError} for an unknown workflow, or a subject the tenant does not have
   */
  async start(tx: Storage, tenantId: string, workflowId: string, subject: Subject | undefined, input: unknown): Promise<Row> {
    this.tenant(tenantId);
    const definition = this.registry.latest(workflowId);
    if (subject !== undefined) await this.#checkSubject(tx, tenantId, subject);
    const plan = planTransition(definition.machine, { input });
    const target: PlanTarget = { kind: 'new', id: newId(), workflowId, workflowVersion: definition.version, subject: subject ?? null };
    // A new instance has no revision to be stale against: the write always happens.
    return (await writePlan(tx, tenantId, target, plan, { type: 'xstate.init' }, this.clock.now(), this.#settingsOf(definition)))!;
  }

  async #checkSubject(tx: Storage, tenantId: string, subject: Subject): Promise<void> {
    if (typeof subject !== 'object' || subject === null || typeof subject.type !== 'string' || typeof subject.id !== 'string' || subject.id === '') {
      throw ValidationError.single('A subject is { type, id } with a non-empty id', ['subject']);
    }
    const model = subjectModels.get(subject.type);
    if (model === undefined) {
      throw ValidationError.single(`Unknown subject type ${JSON.stringify(subject.type)}: use an entity of the CRM (${[...subjectModels.keys()].join(', ')})`, ['subject', 'type']);
    }
    if ((await tx.findOne({ model, tenantId, id: subject.id })) === undefined) throw new NotFoundError(subject.type, subject.id);
  }

  async apply(tx: Storage, tenantId: string, instanceId: string, event: EventObject, options: ApplyOptions = {}): Promise<Applied> {
    const key = InstanceCache.key(tenantId, instanceId);
    const view = options.view;
    let entry = view?.get(key);
    // Without a view this call cannot know whether its transaction commits: the entry is dropped, not updated.
    if (view === undefined) this.#cache?.delete(key);
    let row = entry?.row ?? (await this.#read(tx, tenantId, instanceId));
    if (options.claim !== undefined && !(await options.claim(tx))) return row === undefined ? undefined : { row, fired: false };
    for (;;) {
      if (row === undefined) return undefined;
      if (row.status !== 'active') return { row, fired: false };
      let computed: ReturnType<typeof transitionFrom> & { definition: WorkflowDefinition };
      try {
        const { definition, snapshot } = this.#resolve(row);
        const live = entry !== undefined && entry.definition === definition && snapshot === row.snapshot ? entry.live : restore(definition.machine, snapshot);
        computed = { ...transitionFrom(definition.machine, live, {}, event), definition };
      } catch (error) {
        if (entry === undefined) throw error;
        // Computed from a cached row that may be stale: the failure counts only if the stored row fails too.
        view?.set(key, undefined);
        entry = undefined;
        row = await this.#read(tx, tenantId, instanceId);
        continue;
      }
      const { plan, next, definition } = computed;
      const target: PlanTarget = { kind: 'existing', row, workflowVersion: definition.version };
      const written = await writePlan(tx, tenantId, target, plan, event, this.clock.now(), this.#settingsOf(definition));
      if (written !== undefined) {
        view?.set(key, isJsonSafe(plan.snapshot) ? { row: written, definition, live: next } : undefined);
        return { row: written, fired: true };
      }
      // The row read in this transaction is stale only if another writer got in without the lock: the caller retries.
      if (entry === undefined) throw new ConflictError(instanceModel.name, instanceId, row.version as number, -1);
      // A cached row was stale (another process or engine moved the instance on): compute again from storage.
      view?.set(key, undefined);
      entry = undefined;
      row = await this.#read(tx, tenantId, instanceId);
    }
  }

  /**
   * Stops an active instance in `tx`: status `stopped`, its timers deleted,
   * its pending effect jobs `cancelled` (which also fences an attempt in
   * flight: its outcome is not recorded), the queue's copies withdrawn, and a
   * `crmkit.stop` history step. A finished instance is returned unchanged.
   */
  async stop(tx: Storage, tenantId: string, instanceId: string, view: CacheView | undefined): Promise<Row | undefined> {
    this.tenant(tenantId);
    const key = InstanceCache.key(tenantId, instanceId);
    view?.set(key, undefined);
    this.#cache?.delete(key);
    const row = await this.#read(tx, tenantId, instanceId);
    if (row === undefined || row.status !== 'active') return row;
    const at = this.clock.now().toISOString();
    const version = row.version as number;
    const data = { status: 'stopped', updatedAt: at, lastEventAt: at };
    const written = await tx.updateMany({ model: instanceModel, tenantId, where: { id: instanceId, version }, data });
    if (written === 0) throw new ConflictError(instanceModel.name, instanceId, version, -1);
    const enqueue = this.queue.enqueue;
    const timers = enqueue ? await tx.findMany({ model: timerModel, tenantId, where: { instanceId }, select: ['sendId'] }) : [];
    await tx.deleteMany({ model: timerModel, tenantId, where: { instanceId } });
    const pending = { instanceId, status: 'pending' };
    const jobs = enqueue ? await tx.findMany({ model: jobModel, tenantId, where: pending }) : [];
    await tx.updateMany({ model: jobModel, tenantId, where: pending, data: { status: 'cancelled', leasedUntil: null, finishedAt: at, updatedAt: at } });
    if (enqueue && (timers.length > 0 || jobs.length > 0)) {
      await enqueue.call(this.queue, tx, {
        tenantId, instanceId, timers: [], jobs: [], cancelledSendIds: timers.map((t) => t.sendId as string), cancelledJobs: jobs,
      });
    }
    if (this.settings.history) {
      await tx.create({
        model: stepModel, tenantId,
        data: {
          id: newId(), createdAt: at, updatedAt: at, instanceId, revision: version + 1, eventType: 'crmkit.stop', event: { type: 'crmkit.stop' },
          fromState: row.state as string, toState: row.state as string, at,
        },
      });
    }
    return { ...row, ...data, version: version + 1 };
  }

  #read(tx: Storage, tenantId: string, instanceId: string): Promise<Row | undefined> {
    return tx.findOne({ model: instanceModel, tenantId, id: instanceId, forUpdate: this.#lockRows });
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
    const own = latest.version === version ? latest : this.registry.version(id, version);
    if (!own) throw new WorkflowDefinitionError(`Workflow ${id} version ${version} is not registered and has no migration to ${latest.version}`, id);
    return { definition: own, snapshot };
  }

  #settingsOf(definition: WorkflowDefinition): WriteSettings {
    let settings = this.#writeSettings.get(definition);
    if (settings === undefined) {
      settings = {
        maxAttempts: this.settings.maxAttempts,
        calendar: this.calendar,
        businessDelays: new Set(definition.businessDelays ?? []),
        history: this.settings.history,
        enqueue: this.queue.enqueue?.bind(this.queue),
      };
      this.#writeSettings.set(definition, settings);
    }
    return settings;
  }
}
