import { EventEmitter } from 'eventemitter3';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { AuditService } from './audit/audit.service.js';
import { type Clock, systemClock } from './common/clock.js';
import { type CrmRuntime, TenantContext } from './common/context.js';
import type { CustomFieldSchemas } from './common/custom-fields.js';
import { idSchema, parseInput, tenantIdSchema } from './common/zod-helpers.js';
import { CompaniesService } from './companies/companies.service.js';
import { ContactsService } from './contacts/contacts.service.js';
import { DealsService } from './deals/deals.service.js';
import type { CrmEvent } from './events/event-map.js';
import { type CrmEmitter, TenantEvents } from './events/tenant-events.js';
import { InteractionsService } from './interactions/interactions.service.js';
import { MembersService } from './members/members.service.js';
import { TeamsService } from './members/teams.service.js';
import { PipelinesService } from './pipelines/pipelines.service.js';
import { ProductsService } from './products/products.service.js';
import { ReportsService } from './reports/reports.service.js';
import { coreMigrations } from './migrations/index.js';
import type { StorageAdapter } from './storage/adapter.js';
import { createCursorCodec } from './storage/cursor.js';
import type { Migration } from './storage/migration.js';
import { TasksService } from './tasks/tasks.service.js';
import { TimelineService } from './timeline/timeline.service.js';

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
   * Called when an event listener throws. Listeners run after commit, so their
   * errors cannot undo the write.
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
}

/** Options of {@link Crm.tenant}. */
export interface TenantOptions {
  /** The member acting: recorded in audit entries, stage history and events. */
  actorId?: string;
}

/**
 * Everything crmkit offers for one tenant. Every call through it reads and
 * writes that tenant's rows only.
 */
export class TenantScope {
  /** The tenant id. */
  readonly tenantId: string;
  /** The acting member, if any. */
  readonly actorId: string | null;
  readonly members: MembersService;
  readonly teams: TeamsService;
  readonly companies: CompaniesService;
  readonly contacts: ContactsService;
  readonly products: ProductsService;
  readonly pipelines: PipelinesService;
  readonly deals: DealsService;
  readonly interactions: InteractionsService;
  readonly tasks: TasksService;
  readonly timeline: TimelineService;
  readonly audit: AuditService;
  readonly reports: ReportsService;
  /** Subscriptions to this tenant's events, heard after commit. */
  readonly events: TenantEvents;

  /** @internal */
  constructor(runtime: CrmRuntime, tenantId: string, actorId: string | null) {
    const ctx = new TenantContext(runtime, tenantId, actorId);
    this.tenantId = tenantId;
    this.actorId = actorId;
    this.members = new MembersService(ctx);
    this.teams = new TeamsService(ctx);
    this.companies = new CompaniesService(ctx);
    this.contacts = new ContactsService(ctx);
    this.products = new ProductsService(ctx);
    this.pipelines = new PipelinesService(ctx);
    this.deals = new DealsService(ctx, this.pipelines, this.products);
    this.interactions = new InteractionsService(ctx);
    this.tasks = new TasksService(ctx);
    this.timeline = new TimelineService(ctx);
    this.audit = new AuditService(ctx);
    this.reports = new ReportsService(ctx, this.pipelines);
    this.events = new TenantEvents(runtime.emitter, tenantId, runtime.onListenerError);
  }
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
    const id = parseInput(tenantIdSchema, tenantId, 'tenant id');
    const { actorId } = parseInput(z.strictObject({ actorId: idSchema.optional() }), options, 'tenant options');
    return new TenantScope(this.#runtime, id, actorId ?? null);
  }

  /** Listens to every tenant's events (for process-wide consumers such as workflow triggers). */
  onAnyEvent(listener: (event: CrmEvent) => void): () => void {
    const { emitter, onListenerError } = this.#runtime;
    // Like tenant listeners: one that throws must not silence the others.
    const wrapped = (event: CrmEvent) => {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error, event);
      }
    };
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
 * @throws {ValidationError} for a `cursorSecret` shorter than 16 bytes.
 * @example
 * const crm = await createCrm({ adapter: sqliteAdapter({ filename: 'crm.db' }) });
 * await crm.migrate();
 * const t = crm.tenant('acme');
 */
export async function createCrm(options: CrmOptions): Promise<Crm> {
  const emitter: CrmEmitter = new EventEmitter();
  const runtime: CrmRuntime = {
    adapter: options.adapter,
    clock: options.clock ?? systemClock,
    emitter,
    customFields: options.customFields ?? {},
    defaultCountry: options.defaultCountry,
    onListenerError:
      options.onListenerError ?? ((error, event) => console.error(`crmkit: a listener of ${event.type} threw`, error)),
    cursors: createCursorCodec(options.cursorSecret),
  };
  return new Crm(runtime, [...coreMigrations, ...(options.migrations ?? [])]);
}
