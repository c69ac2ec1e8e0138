import type { AuditChange } from '../audit/audit.schema.js';
import { diffFields } from '../audit/diff.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Row, Storage } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Where } from '../storage/where.js';
import type { TenantContext, WriteScope } from './context.js';
import { newId } from './ids.js';
import { type ListOptions, type Page, cursorScope, readCursor, toOrderTerms, toPage } from './list.js';

/** Result of {@link EntityStore.patch}. @internal */
export interface Patched<T> {
  before: T;
  after: T;
  changes: AuditChange[];
}

/**
 * The storage plumbing every service shares: tenant-scoped reads, paging with
 * cursors, and writes that bump the version and leave an audit entry. Services
 * add the domain rules on top. @internal
 */
export class EntityStore<T> {
  constructor(
    readonly ctx: TenantContext,
    readonly model: ModelDefinition,
    readonly toRecord: (row: Row) => T,
    readonly toRow: (record: Partial<T>) => Row = (record) => record as Row,
  ) {}

  /** The record, or undefined. */
  async find(id: string, storage: Storage = this.ctx.storage): Promise<T | undefined> {
    const row = await storage.findOne({ model: this.model, tenantId: this.ctx.tenantId, id });
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** The record. @throws {NotFoundError} */
  async get(id: string, storage: Storage = this.ctx.storage): Promise<T> {
    const record = await this.find(id, storage);
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
    return toPage(rows, limit, orderBy, this.toRecord, cursors);
  }

  /** Every record matching `where`, in order, for small sets (stages, members of a team). */
  async all(where: Where, orderBy = toOrderTerms(undefined), storage: Storage = this.ctx.storage): Promise<T[]> {
    const rows = await storage.findMany({ model: this.model, tenantId: this.ctx.tenantId, where, orderBy });
    return rows.map(this.toRecord);
  }

  /** How many records match. */
  count(where?: Where, storage: Storage = this.ctx.storage): Promise<number> {
    return storage.count({ model: this.model, tenantId: this.ctx.tenantId, ...(where ? { where } : {}) });
  }

  /** A new row with the common fields filled in. */
  newRow(w: WriteScope, data: Row): Row {
    return { ...data, tenantId: this.ctx.tenantId, id: newId(), createdAt: w.now, updatedAt: w.now, version: 1 };
  }

  /** Inserts a record built by {@link newRow}. */
  async insert(w: WriteScope, data: Row): Promise<T> {
    const row = await w.tx.create({ model: this.model, tenantId: this.ctx.tenantId, data: this.newRow(w, data) });
    return this.toRecord(row);
  }

  /**
   * Applies `changes` computed from the current record, guarded by version, and
   * audits the fields that really changed. A patch that changes nothing writes nothing.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async patch(
    w: WriteScope,
    id: string,
    changesFor: (before: T) => Partial<T> | Promise<Partial<T>>,
    expectedVersion?: number,
  ): Promise<Patched<T>> {
    // Without an expected version the caller wants "apply on top of whatever is
    // there": a concurrent writer between our read and our guarded update is
    // absorbed by re-reading, never by overwriting.
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
    const before = await this.get(id, w.tx);
    const version = (before as { version?: number }).version;
    if (expectedVersion !== undefined && version !== expectedVersion) {
      // Fail before computing changes: the caller decided on a stale view.
      throw new ConflictError(this.model.name, id, expectedVersion, version ?? 0);
    }
    const patchRow = this.toRow(await changesFor(before));
    const changes = diffFields(this.toRow(before), patchRow);
    if (changes.length === 0) return { before, after: before, changes };
    const data: Row = { updatedAt: w.now };
    for (const change of changes) data[change.field] = change.to;
    const row = await w.tx.update({
      model: this.model,
      tenantId: this.ctx.tenantId,
      id,
      data,
      ...(version !== undefined ? { expectedVersion: version } : {}),
    });
    const after = this.toRecord(row);
    w.audit(this.model.name, id, 'update', changes, (after as { version?: number }).version ?? null);
    return { before, after, changes };
  }

  /** Deletes a record, auditing what it held. @throws {NotFoundError} @throws {ConflictError} */
  async remove(w: WriteScope, id: string, expectedVersion?: number): Promise<T> {
    const before = await this.get(id, w.tx);
    const version = (before as { version?: number }).version;
    await w.tx.delete({
      model: this.model,
      tenantId: this.ctx.tenantId,
      id,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    const changes = Object.entries(this.toRow(before))
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
