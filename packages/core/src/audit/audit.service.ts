import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import type { Page } from '../common/list.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { defineEntity } from '../entities/entity.js';
import { auditModel } from './audit.model.js';
import type { AuditEntry } from './audit.schema.js';

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
   * The history of one record, oldest first.
   * @example
   * const trail = await t.audit.forRecord('deal', deal.id);
   * // [{ action: 'update', actorId: 'm1', changes: [{ field: 'stageId', from: 's1', to: 's2' }, ...], at: '...' }]
   */
  async forRecord(entity: string, recordId: string, options?: { limit?: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const where = { entity: parseInput(z.string().max(64), entity, 'entity'), recordId: parseInput(idSchema, recordId, 'record id') };
    const opts = parseInput(trailOptionsSchema, options, 'options');
    return this.#store.list({ ...opts, orderBy: { at: 'asc' } }, where);
  }

  /** What one member changed, newest first. */
  async byActor(actorId: string, options?: { limit?: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const where = { actorId: parseInput(idSchema, actorId, 'actor id') };
    const opts = parseInput(trailOptionsSchema, options, 'options');
    return this.#store.list({ ...opts, orderBy: { at: 'desc' } }, where);
  }
}
