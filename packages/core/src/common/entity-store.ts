import type { AuditChange } from '../audit/audit.schema.js';
import { diffFields } from '../audit/diff.js';
import { AccessStorage } from '../access/access-storage.js';
import type { EntityDefinition } from '../entities/entity.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { NewRow, OrderTerm, Storage } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Where } from '../storage/where.js';
import type { TenantContext, WriteScope } from './context.js';
import { shareModel } from '../access/role.model.js';
import { newId } from './ids.js';
import { type ListOptions, type Page, cursorScope, readCursor, toOrderTerms, toPage } from './list.js';

/** Result of {@link EntityStore.patch}. */
export interface Patched<T> {
  before: T;
  after: T;
  changes: AuditChange[];
}

/** A record without the fields every record gets from the store: what a service builds for `insert`. */
export type NewRecord<T> = Omit<T, 'tenantId' | 'id' | 'createdAt' | 'updatedAt' | 'version'>;

/** Options of {@link EntityStore.insert}. */
export interface InsertOptions {
  /** The record's id. @default a new ULID */
  id?: string;
}

/**
 * The storage plumbing every service shares for one entity: tenant-scoped
 * reads, paging with cursors, and writes that bump the version and leave an
 * audit entry. Services add the domain rules on top.
 */
export class EntityStore<R extends object, T> {
  readonly model: ModelDefinition<R>;

  constructor(
    readonly ctx: TenantContext,
    readonly entity: EntityDefinition<R, T>,
  ) {
    this.model = entity.model;
  }

  /** A stored row as its record. */
  toRecord(row: R): T {
    return this.entity.toRecord(row);
  }

  /**
   * The record, or undefined. `forUpdate` (inside a write) locks it until the
   * transaction ends, so that what is computed from it is still true when written.
   */
  async find(id: string, storage: Storage = this.ctx.storage, forUpdate = false): Promise<T | undefined> {
    const row = await storage.findOne({ model: this.model, tenantId: this.ctx.tenantId, id, ...(forUpdate ? { forUpdate } : {}) });
    return row === undefined ? undefined : this.entity.toRecord(row);
  }

  /** The record. @throws {NotFoundError} */
  async get(id: string, storage: Storage = this.ctx.storage, forUpdate = false): Promise<T> {
    const record = await this.find(id, storage, forUpdate);
    if (record === undefined) throw new NotFoundError(this.model.name, id);
    return record;
  }

  /** A page of records. `scope` is ANDed with the caller's filter (it cannot be widened). */
  async list(options: ListOptions, scope?: Where, storage: Storage = this.ctx.storage): Promise<Page<T>> {
    const orderBy = toOrderTerms(options.orderBy);
    const limit = options.limit ?? 50;
    const where = combine(options.where, scope);
    const cursors = cursorScope(this.ctx, this.model.name);
    const rows = await storage.findMany({
      model: this.model,
      tenantId: this.ctx.tenantId,
      ...(where ? { where } : {}),
      orderBy,
      after: readCursor(options.cursor, orderBy, cursors),
      limit: limit + 1,
    });
    return toPage(rows, limit, orderBy, (row: R) => this.entity.toRecord(row), cursors);
  }

  /** Every record matching `where`, in order, for small sets (stages, members of a team). */
  async all(where: Where, orderBy: readonly OrderTerm[] = [], storage: Storage = this.ctx.storage): Promise<T[]> {
    const rows = await storage.findMany({ model: this.model, tenantId: this.ctx.tenantId, where, orderBy });
    return rows.map((row) => this.entity.toRecord(row));
  }

  /** The first record matching `where`, if any. */
  async first(where: Where, storage: Storage = this.ctx.storage): Promise<T | undefined> {
    const [row] = await storage.findMany({ model: this.model, tenantId: this.ctx.tenantId, where, limit: 1 });
    return row === undefined ? undefined : this.entity.toRecord(row);
  }

  /** How many records match. */
  count(where?: Where, storage: Storage = this.ctx.storage): Promise<number> {
    return storage.count({ model: this.model, tenantId: this.ctx.tenantId, ...(where ? { where } : {}) });
  }

  /** The complete row of a new record: the common fields filled in, the rest mapped by the entity. */
  newRow(w: WriteScope, record: NewRecord<T>, options: InsertOptions = {}): NewRow<R> {
    const row = this.entity.toRow(record as Partial<T>);
    // The mapping of a complete record is a complete row; the storage checks it field by field.
    return { ...row, tenantId: this.ctx.tenantId, id: options.id ?? newId(), createdAt: w.now, updatedAt: w.now, version: 1 } as unknown as NewRow<R>;
  }

  /** Inserts a record and audits its creation. */
  async insert(w: WriteScope, record: NewRecord<T>, options: InsertOptions = {}): Promise<T> {
    const row = await w.tx.create({ model: this.model, tenantId: this.ctx.tenantId, data: this.newRow(w, record, options) });
    const created = this.entity.toRecord(row);
    w.audit(this.model.name, (row as { id: string }).id, 'create', [], 1);
    return created;
  }

  /**
   * Applies `changes` computed from the current record, guarded by version, and
   * audits the fields that really changed. A patch that changes nothing writes
   * nothing. The record is read locked for the rest of the transaction, so two
   * concurrent patches of one record never compute from the same stale row.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async patch(
    w: WriteScope,
    id: string,
    changesFor: (before: T) => Partial<T> | Promise<Partial<T>>,
    expectedVersion?: number,
  ): Promise<Patched<T>> {
    // A database without row locks and with several writers can still conflict between
    // the read and the guarded write; without an expected version the caller wants
    // "apply on top of whatever is there", so that is absorbed by re-reading.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#patchOnce(w, id, changesFor, expectedVersion);
      } catch (error) {
        if (expectedVersion !== undefined || !(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  }

  async #patchOnce(
    w: WriteScope,
    id: string,
    changesFor: (before: T) => Partial<T> | Promise<Partial<T>>,
    expectedVersion: number | undefined,
  ): Promise<Patched<T>> {
    const before = await this.get(id, w.tx, true);
    const version = (before as { version?: number }).version;
    if (expectedVersion !== undefined && version !== expectedVersion) {
      // Fail before computing changes: the caller decided on a stale view.
      throw new ConflictError(this.model.name, id, expectedVersion, version ?? 0);
    }
    const patchRow = this.entity.toRow(await changesFor(before)) as Record<string, unknown>;
    const changes = diffFields(this.entity.toRow(before) as Record<string, unknown>, patchRow);
    if (changes.length === 0) {
      // Nothing to write, so the storage never checks: a caller who may not change the record must not hear "done".
      if (w.tx instanceof AccessStorage) await w.tx.check(this.model, this.ctx.tenantId, id, 'update');
      return { before, after: before, changes };
    }
    const data: Record<string, unknown> = { updatedAt: w.now };
    for (const change of changes) data[change.field] = change.to;
    const row = await w.tx.update({
      model: this.model,
      tenantId: this.ctx.tenantId,
      id,
      data: data as Partial<R>,
      ...(version !== undefined ? { expectedVersion: version } : {}),
    });
    const after = this.entity.toRecord(row);
    w.audit(this.model.name, id, 'update', changes, (after as { version?: number }).version ?? null);
    return { before, after, changes };
  }

  /** Deletes a record, auditing what it held. @throws {NotFoundError} @throws {ConflictError} */
  async remove(w: WriteScope, id: string, expectedVersion?: number): Promise<T> {
    const before = await this.get(id, w.tx, true);
    const version = (before as { version?: number }).version;
    await w.tx.delete({
      model: this.model,
      tenantId: this.ctx.tenantId,
      id,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    // Its shares go with it (unchecked: they belong to the record, whoever shared them).
    await w.systemTx.deleteMany({ model: shareModel, tenantId: this.ctx.tenantId, where: { entity: this.model.name, recordId: id } });
    const changes = Object.entries(this.entity.toRow(before) as Record<string, unknown>)
      .filter(([field]) => !['tenantId', 'id'].includes(field))
      .map(([field, from]) => ({ field, from, to: null }));
    w.audit(this.model.name, id, 'delete', changes, version ?? null);
    return before;
  }
}

/** ANDs two optional where-trees. */
export function combine(a: Where | undefined, b: Where | undefined): Where | undefined {
  if (a === undefined || Object.keys(a).length === 0) return b;
  if (b === undefined) return a;
  return { and: [a, b] };
}
