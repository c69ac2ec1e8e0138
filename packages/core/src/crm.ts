import { EventEmitter } from 'eventemitter3';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { type Clock, systemClock } from './common/clock.js';
import { type CrmRuntime, runUnit, TenantContext, type UnitOfWork } from './common/context.js';
import type { CustomFieldSchemas } from './common/custom-fields.js';
import { defaultLimits, type InputLimits, inputLimitsSchema } from './common/limits.js';
import { idSchema, parseInput, tenantIdSchema } from './common/zod-helpers.js';
import type { CrmEvent } from './events/event-map.js';
import { type CrmEmitter, safeListener } from './events/tenant-events.js';
import { coreMigrations } from './migrations/index.js';
import type { Storage, StorageAdapter } from './storage/adapter.js';
import { createCursorCodec } from './storage/cursor.js';
import type { Migration } from './storage/migration.js';
import { deliverReminders } from './tasks/reminders.js';
import type { PersonalDataHandler } from './privacy/personal-data-handler.js';
import { uniqueHandlers } from './privacy/handlers.js';
import { TenantScope } from './tenant-scope.js';
import { TenantAdmin } from './tenants/tenant-admin.js';
import { builtInRoles } from './access/built-in-roles.js';
import { type RoleDefinition, roleDefinitionSchema } from './access/role.schema.js';
import { type AccessConfig, ScopeAccess } from './access/scope-access.js';

/** Options of {@link createCrm}. */
export interface CrmOptions {
  /** Where records live: `sqliteAdapter()`, `postgresAdapter()` or your own. */
  adapter: StorageAdapter;
  /**
   * Source of time for every timestamp crmkit writes.
   * @default the system clock
   */
  clock?: Clock;
  /** Zod schemas for the `custom` fields of each entity. */
  customFields?: CustomFieldSchemas;
  /** Country for phone numbers written without `+country` (ISO 3166-1 alpha-2, e.g. `US`). */
  defaultCountry?: CountryCode;
  /** Migrations of extensions (workflows...) applied after the core's by `migrate()`. */
  migrations?: readonly Migration[];
  /**
   * Bounds on inputs (long texts, `custom`), each checked before any write; see docs/limits.md.
   * @default see {@link InputLimits}
   */
  limits?: Partial<InputLimits>;
  /**
   * Called when an event listener throws or its promise rejects. Listeners run
   * after commit, so their errors cannot undo the write; nor can this
   * function's own (they go to `console.error`).
   * @default logs to `console.error`
   */
  onListenerError?: (error: unknown, event: CrmEvent) => void;
  /**
   * The key that signs page cursors (`nextCursor`), at least 16 bytes. A list
   * accepts only cursors it handed out itself, so processes that serve one list
   * between them (several servers behind a load balancer), or cursors that must
   * outlive a restart, need the same secret.
   * @default a random key per process
   */
  cursorSecret?: string | Uint8Array;
  /**
   * Personal data that extensions keep in their own tables, exported and
   * erased with core's by `privacy.export` and `privacy.erase` (see docs/privacy.md):
   * `[workflowPersonalData]` from `@crmkit/workflows` when workflows run.
   * @default []
   */
  personalData?: readonly PersonalDataHandler[];
  /**
   * Turns access control on (see docs/access-control.md): every call through
   * `crm.tenant(id, { actorId })` is scoped to what that member's roles,
   * teams and shares allow, in SQL. `roles` adds roles to the built-in ones
   * (`admin`, `manager`, `rep`, `agent`, `read-only`) or replaces them by
   * name; tenants may store more with `t.roles`. Without it, an actor is
   * recorded in audit entries and events but not restricted.
   * @default access control off
   */
  access?: AccessOptions;
}

/** Options of {@link CrmOptions.access}. */
export interface AccessOptions {
  /** Roles defined in code, added to the built-ins (or replacing one of the same name). */
  roles?: readonly RoleDefinition[];
}

const accessOptionsSchema = z.strictObject({ roles: z.array(roleDefinitionSchema).max(1000).optional() });

/** Options of {@link Crm.tenant}. */
export interface TenantOptions {
  /**
   * The member acting: recorded in audit entries, stage history and events.
   * It must be an active member of the tenant: a write through a scope whose
   * actor is not fails with `NotFoundError` (no such member) or `StateError`
   * (inactive), before anything is written. With `createCrm({ access })`,
   * every call of the scope is also limited to what the member's roles,
   * teams and shares allow (read once, at the scope's first call), and so is
   * every read (see docs/access-control.md).
   */
  actorId?: string;
}

const tenantOptionsSchema = z.strictObject({ actorId: idSchema.optional() });

/** Options of {@link Crm.deliverReminders}. */
export interface DeliverRemindersOptions {
  /**
   * Most reminders emitted by this call.
   * @default 100
   */
  limit?: number;
}

/**
 * Several crmkit calls, of one or more tenants, and the host's own queries
 * in one transaction (see {@link Crm.transaction}).
 */
export class CrmTransaction {
  readonly #runtime: CrmRuntime;
  readonly #unit: UnitOfWork;

  /** @internal */
  constructor(runtime: CrmRuntime, unit: UnitOfWork) {
    this.#runtime = runtime;
    this.#unit = unit;
  }

  /**
   * The transaction's storage handle, for the host's own queries in the same
   * transaction: `executeSql`, or the Kysely transaction with `kyselyOf(tx.storage)`
   * from `@crmkit/kysely`.
   */
  get storage(): Storage {
    return this.#unit.tx;
  }

  /**
   * The services of one tenant, inside this transaction.
   * @throws {ValidationError} for a malformed tenant or actor id
   */
  tenant(tenantId: string, options: TenantOptions = {}): TenantScope {
    return openTenant(this.#runtime, tenantId, options, this.#unit);
  }

  /** The system scope of one tenant, inside this transaction: see {@link Crm.system}. */
  system(tenantId: string): TenantScope {
    return openSystem(this.#runtime, tenantId, this.#unit);
  }
}

function openTenant(runtime: CrmRuntime, tenantId: string, options: TenantOptions, unit: UnitOfWork | undefined): TenantScope {
  const id = parseInput(tenantIdSchema, tenantId, 'tenant id');
  const { actorId } = parseInput(tenantOptionsSchema, options, 'tenant options');
  const access = actorId === undefined || runtime.access === undefined ? null : new ScopeAccess(runtime.access, id, actorId);
  return new TenantScope(new TenantContext(runtime, id, actorId ?? null, unit, access));
}

function openSystem(runtime: CrmRuntime, tenantId: string, unit: UnitOfWork | undefined): TenantScope {
  return new TenantScope(new TenantContext(runtime, parseInput(tenantIdSchema, tenantId, 'tenant id'), null, unit, null));
}

/** A crmkit instance bound to one storage adapter. */
export class Crm {
  readonly #runtime: CrmRuntime;
  readonly #migrations: readonly Migration[];

  /** @internal */
  constructor(runtime: CrmRuntime, migrations: readonly Migration[]) {
    this.#runtime = runtime;
    this.#migrations = migrations;
  }

  /** The storage adapter, for extensions such as the workflow engine. */
  get adapter(): StorageAdapter {
    return this.#runtime.adapter;
  }

  /** The clock every timestamp comes from. */
  get clock(): Clock {
    return this.#runtime.clock;
  }

  /** The input limits in force. */
  get limits(): Readonly<InputLimits> {
    return this.#runtime.limits;
  }

  /**
   * Creates or upgrades crmkit's tables. Safe to call on every start.
   * @returns the ids of the migrations applied by this call.
   */
  migrate(): Promise<string[]> {
    return this.#runtime.adapter.migrate(this.#migrations);
  }

  /** The SQL `migrate()` runs on an empty database, for hosts that run migrations themselves. */
  compileMigrations(): string[] {
    return this.#runtime.adapter.compileMigrations(this.#migrations);
  }

  /**
   * The services of one tenant.
   * @throws {ValidationError} for a malformed tenant or actor id
   * @example
   * const t = crm.tenant('acme', { actorId: rep.id });
   */
  tenant(tenantId: string, options: TenantOptions = {}): TenantScope {
    return openTenant(this.#runtime, tenantId, options, undefined);
  }

  /**
   * The system scope of one tenant: every record, no actor, no access checks.
   * For the host's own background work, workflow effects and imports run by
   * the system; a member's request goes through `crm.tenant(id, { actorId })`.
   * @throws {ValidationError} for a malformed tenant id
   * @example
   * const all = await crm.system('acme').contacts.count();
   */
  system(tenantId: string): TenantScope {
    return openSystem(this.#runtime, tenantId, undefined);
  }

  /**
   * Whole-tenant administration: delete a tenant, back it up as NDJSON,
   * restore it here or into another database (see docs/tenants.md).
   * @example
   * for await (const line of crm.tenants.backup('acme')) out.write(line);
   */
  get tenants(): TenantAdmin {
    return new TenantAdmin(this.#runtime.adapter, this.#runtime.clock);
  }

  /**
   * Runs `fn` in one transaction: every crmkit call made through
   * `tx.tenant(...)` and every query on `tx.storage` commits when `fn`
   * resolves and rolls back, all of them, when it throws (the error is
   * rethrown). Events are emitted after the commit, none after a rollback.
   * Calls through `crm.tenant(...)` or the adapter itself while `fn` runs are
   * outside the transaction; on a database with one connection (SQLite) they
   * fail at once rather than wait for the transaction they are inside.
   * @example
   * await crm.transaction(async (tx) => {
   *   const t = tx.tenant('acme');
   *   const company = await t.companies.create({ name: 'Globex' });
   *   await t.contacts.create({ firstName: 'Ada', companyId: company.id });
   * });
   */
  async transaction<T>(fn: (tx: CrmTransaction) => Promise<T>): Promise<T> {
    return runUnit(this.#runtime, (u) => fn(new CrmTransaction(this.#runtime, u)));
  }

  /**
   * Emits `task.reminderDue` for the tasks of every tenant whose `remindAt`
   * has come, once per `remindAt` (a changed `remindAt` is reminded of again;
   * a closed task is not). Call it on an interval, or let a workflow worker
   * do it. Several processes may call it at once: each reminder is emitted by
   * one of them.
   * @returns how many reminders were emitted.
   */
  async deliverReminders(options: DeliverRemindersOptions = {}): Promise<number> {
    const { limit } = parseInput(z.strictObject({ limit: z.number().int().min(1).max(10_000).optional() }), options, 'reminder options');
    return deliverReminders(this.#runtime, limit ?? 100);
  }

  /**
   * Listens to every tenant's events (for process-wide consumers). Like
   * tenant listeners, it may be async and can never fail a write.
   */
  onAnyEvent(listener: (event: CrmEvent) => unknown): () => void {
    const { emitter, onListenerError } = this.#runtime;
    const wrapped = safeListener(listener, onListenerError);
    emitter.on('*', wrapped);
    return () => void emitter.off('*', wrapped);
  }

  /** Closes the adapter. */
  close(): Promise<void> {
    return this.#runtime.adapter.close();
  }
}

/**
 * Creates a crmkit instance on a storage adapter.
 * @throws {ValidationError} for limits out of range, or a `cursorSecret` shorter than 16 bytes
 * @example
 * const crm = await createCrm({ adapter: sqliteAdapter({ filename: 'crm.db' }) });
 * await crm.migrate();
 * const t = crm.tenant('acme');
 */
export async function createCrm(options: CrmOptions): Promise<Crm> {
  const emitter: CrmEmitter = new EventEmitter();
  const limits = { ...defaultLimits, ...parseInput(inputLimitsSchema, options.limits ?? {}, 'limits') };
  const runtime: CrmRuntime = {
    adapter: options.adapter,
    clock: options.clock ?? systemClock,
    emitter,
    customFields: options.customFields ?? {},
    defaultCountry: options.defaultCountry,
    limits,
    onListenerError:
      options.onListenerError ?? ((error, event) => console.error(`crmkit: a listener of ${event.type} threw`, error)),
    cursors: createCursorCodec(options.cursorSecret),
    personalData: uniqueHandlers(options.personalData ?? []),
    access: accessConfig(options.access),
  };
  return new Crm(runtime, [...coreMigrations, ...(options.migrations ?? [])]);
}

function accessConfig(options: AccessOptions | undefined): AccessConfig | undefined {
  if (options === undefined) return undefined;
  const { roles = [] } = parseInput(accessOptionsSchema, options, 'access options');
  const byName = new Map<string, RoleDefinition>(builtInRoles.map((r) => [r.name, r]));
  for (const role of roles) byName.set(role.name, role as RoleDefinition);
  return { roles: byName };
}
