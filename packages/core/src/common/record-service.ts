import type { EntityDefinition } from '../entities/entity.js';
import type { TenantContext } from './context.js';
import { EntityStore } from './entity-store.js';
import { type ListOptions, listOptionsSchema, type Page } from './list.js';
import { idSchema, parseInput } from './zod-helpers.js';

/**
 * What every record service offers: read one by id, list with filters and
 * cursor pages. Services add their own writes and domain queries on the
 * tenant context and entity store kept here. `R` is the entity's row type,
 * `T` its record type.
 */
export abstract class RecordService<R extends object, T> {
  /** @internal The tenant the service serves, with its storage and settings. */
  protected readonly ctx: TenantContext;
  /** @internal Tenant-scoped reads and audited writes of the service's entity. */
  protected readonly store: EntityStore<R, T>;

  /** @internal */
  protected constructor(ctx: TenantContext, entity: EntityDefinition<R, T>) {
    this.ctx = ctx;
    this.store = new EntityStore(ctx, entity);
  }

  /**
   * Reads one record of this tenant.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such record
   */
  async get(id: string): Promise<T> {
    return this.store.get(parseInput(idSchema, id, `${this.store.model.name} id`));
  }

  /**
   * Lists records of this tenant: `where` filters on stored fields and JSON paths
   * (`custom.tier`), `orderBy` sorts, `cursor` continues from a previous page.
   * @throws {ValidationError} for an unknown field, operator or a foreign cursor
   * @example
   * const page = await t.contacts.list({ where: { lifecycleStage: 'lead', tags: { has: 'vip' } }, orderBy: { createdAt: 'desc' }, limit: 50 });
   */
  async list(options?: ListOptions): Promise<Page<T>> {
    return this.store.list(parseInput(listOptionsSchema, options, 'list options'));
  }
}
