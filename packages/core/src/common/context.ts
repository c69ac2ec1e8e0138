import type { CountryCode } from 'libphonenumber-js';
import { auditModel } from '../audit/audit.model.js';
import type { AuditAction, AuditChange } from '../audit/audit.schema.js';
import type { CrmEvent, CrmEventMap, CrmEventName } from '../events/event-map.js';
import { eventModel } from '../events/event.model.js';
import type { CrmEmitter } from '../events/tenant-events.js';
import type { Row, Storage, StorageAdapter } from '../storage/adapter.js';
import type { CursorCodec } from '../storage/cursor.js';
import type { Clock } from './clock.js';
import type { CustomFieldSchemas } from './custom-fields.js';
import { newId } from './ids.js';

/** What every tenant scope of one `Crm` shares. @internal */
export interface CrmRuntime {
  adapter: StorageAdapter;
  clock: Clock;
  emitter: CrmEmitter;
  customFields: CustomFieldSchemas;
  defaultCountry: CountryCode | undefined;
  onListenerError: (error: unknown, event: CrmEvent) => void;
  /** Signs and verifies the cursors of every list. */
  cursors: CursorCodec;
}

/**
 * One transaction's worth of work: the transaction handle plus the events and
 * audit entries it produces, which are written in the same transaction and
 * emitted only after it commits. @internal
 */
export class WriteScope {
  readonly events: CrmEvent[] = [];
  readonly audits: Row[] = [];

  constructor(
    readonly tx: Storage,
    readonly ctx: TenantContext,
    readonly now: string,
  ) {}

  /** Records a domain event for the outbox. */
  emit<K extends CrmEventName>(type: K, data: CrmEventMap[K]): void {
    this.events.push({ id: newId(), type, tenantId: this.ctx.tenantId, actorId: this.ctx.actorId, occurredAt: this.now, data });
  }

  /** Records an audit entry. */
  audit(entity: string, recordId: string, action: AuditAction, changes: AuditChange[], recordVersion: number | null): void {
    const now = this.now;
    this.audits.push({
      tenantId: this.ctx.tenantId, id: newId(), createdAt: now, updatedAt: now,
      entity, recordId, action, actorId: this.ctx.actorId, changes, at: now, recordVersion,
    });
  }
}

/** A tenant plus an optional acting member: what every service call is scoped to. @internal */
export class TenantContext {
  constructor(
    readonly runtime: CrmRuntime,
    readonly tenantId: string,
    readonly actorId: string | null,
  ) {}

  /** Reads go straight to the adapter. */
  get storage(): Storage {
    return this.runtime.adapter;
  }

  /** The injected clock's now, as an ISO string. */
  now(): string {
    return this.runtime.clock.now().toISOString();
  }

  /**
   * Runs `fn` in one transaction together with the outbox and audit rows it
   * produced, then emits the events. Nothing is emitted when the transaction
   * rolls back.
   */
  async write<T>(fn: (w: WriteScope) => Promise<T>): Promise<T> {
    let scope: WriteScope | undefined;
    const result = await this.runtime.adapter.transaction(async (tx) => {
      scope = new WriteScope(tx, this, this.now());
      const value = await fn(scope);
      await flush(scope);
      return value;
    });
    if (scope) this.#emit(scope.events);
    return result;
  }

  // Every listener is registered through TenantEvents.on or Crm.onAnyEvent,
  // which catch and report their own errors, so emitting cannot throw here.
  #emit(events: CrmEvent[]): void {
    const { emitter } = this.runtime;
    for (const event of events) {
      (emitter.emit as (type: string, event: CrmEvent) => boolean)(event.type, event);
      emitter.emit('*', event);
    }
  }
}

async function flush(scope: WriteScope): Promise<void> {
  const { tx, ctx } = scope;
  if (scope.audits.length > 0) {
    await tx.createMany({ model: auditModel, tenantId: ctx.tenantId, rows: scope.audits });
  }
  if (scope.events.length > 0) {
    const rows = scope.events.map((e) => ({
      tenantId: e.tenantId, id: e.id, createdAt: e.occurredAt, updatedAt: e.occurredAt,
      type: e.type, actorId: e.actorId, occurredAt: e.occurredAt, data: e.data,
    }));
    await tx.createMany({ model: eventModel, tenantId: ctx.tenantId, rows });
  }
}
