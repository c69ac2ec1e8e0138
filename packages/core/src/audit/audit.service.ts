import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { combine, EntityStore } from '../common/entity-store.js';
import type { ListOptions, Page } from '../common/list.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { defineEntity } from '../entities/entity.js';
import { auditModel } from './audit.model.js';
import type { AuditEntry } from './audit.schema.js';
import { auditScope } from './audit-visibility.js';
import type { Where } from '../storage/where.js';

const trailOptionsSchema = z
  .strictObject({ limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().max(1024).optional() })
  .optional()
  .default({});

/** Audit entries are written by every service and read here; they are not an entity of the registry. */
const auditEntries = defineEntity({
  name: 'auditEntry', service: 'audit', model: auditModel,
  toRecord: ({ createdAt: _c, updatedAt: _u, ...entry }: NonNullable<(typeof auditModel)['rowType']>): AuditEntry => entry,
  toRow: (entry: Partial<AuditEntry>) => entry,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});

/** The audit trail: field-level history of every update and delete. Reached as `crm.tenant(id).audit`. */
export class AuditService {
  readonly #store: EntityStore<NonNullable<(typeof auditModel)['rowType']>, AuditEntry>;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#store = new EntityStore<NonNullable<(typeof auditModel)['rowType']>, AuditEntry>(ctx, auditEntries);
  }

  /**
   * The history of one record, oldest first: for an acting member, only of a
   * record they may read.
   * @example
   * const trail = await t.audit.forRecord('deal', deal.id);
   * // [{ action: 'update', actorId: 'm1', changes: [{ field: 'stageId', from: 's1', to: 's2' }, ...], at: '...' }]
   */
  async forRecord(entity: string, recordId: string, options?: { limit?: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const where = { entity: parseInput(z.string().max(64), entity, 'entity'), recordId: parseInput(idSchema, recordId, 'record id') };
    const opts = parseInput(trailOptionsSchema, options, 'options');
    return this.#visible({ ...opts, orderBy: { at: 'asc' } }, where);
  }

  /** What one member changed, newest first: for an acting member, only on records they may read. */
  async byActor(actorId: string, options?: { limit?: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const where = { actorId: parseInput(idSchema, actorId, 'actor id') };
    const opts = parseInput(trailOptionsSchema, options, 'options');
    return this.#visible({ ...opts, orderBy: { at: 'desc' } }, where);
  }

  /**
   * A page of the entries the acting member may read: of records they may
   * read (the storage's scope), of deal contact links of deals they may read.
   */
  async #visible(options: ListOptions, where: Where): Promise<Page<AuditEntry>> {
    return this.#store.list(options, combine(where, await auditScope(this.#store.ctx)));
  }
}
