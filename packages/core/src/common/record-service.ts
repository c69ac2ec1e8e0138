import type { EntityStore } from './entity-store.js';
import { type ListOptions, listOptionsSchema, type Page } from './list.js';
import { idSchema, parseInput } from './zod-helpers.js';

/**
 * What every record service offers: read one by id, list with filters and
 * cursor pages. Services add their own writes and domain queries.
 */
export abstract class RecordService<T> {
  readonly #store: EntityStore<object, T>;

  /** @internal */
  protected constructor(store: EntityStore<object, T>) {
    this.#store = store;
  }

  /**
   * Reads one record of this tenant.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such record
   */
  async get(id: string): Promise<T> {
    return this.#store.get(parseInput(idSchema, id, `${this.#store.model.name} id`));
  }

  /**
   * Lists records of this tenant: `where` filters on stored fields and JSON paths
   * (`custom.tier`), `orderBy` sorts, `cursor` continues from a previous page.
   * @throws {ValidationError} for an unknown field, operator or a foreign cursor
   * @example
   * const page = await t.contacts.list({ where: { lifecycleStage: 'lead', tags: { has: 'vip' } }, orderBy: { createdAt: 'desc' }, limit: 50 });
   */
  async list(options?: ListOptions): Promise<Page<T>> {
    return this.#store.list(parseInput(listOptionsSchema, options, 'list options'));
  }
}
