import { z } from 'zod';
import type { AuditChange } from '../audit/audit.schema.js';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { newId } from '../common/ids.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { assertExists } from '../common/references.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { defineEntity } from '../entities/entity.js';
import { entities, type EntityName } from '../entities/registry.js';
import { DuplicateError, NotFoundError } from '../errors.js';
import type { Where } from '../storage/where.js';
import { shareModel } from './role.model.js';
import { type Share, type ShareableEntity, shareableEntities, type ShareInput, shareInputSchema } from './share.schema.js';

type ShareRow = NonNullable<(typeof shareModel)['rowType']>;

/** Shares are read through an entity store for its paging; they are not an entity of the registry (nothing grants levels on them). */
const shareRecords = defineEntity({
  name: 'share', service: 'shares', model: shareModel,
  toRecord: (row: ShareRow): Share => ({ ...row, entity: row.entity as ShareableEntity }),
  toRow: (share: Partial<Share>): Partial<ShareRow> => share,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});

const entitySchema = z.enum(shareableEntities as [ShareableEntity, ...ShareableEntity[]]);

/**
 * Shares: one record made readable or writable to a member or a team beyond
 * what their roles grant (a deal shown to a colleague of another team, a case
 * handed to a specialist team). Reached as `crm.tenant(id).shares`.
 *
 * Sharing a record needs the right to update it; a share is one row per
 * record and member (or team), removed with the record. A team's share
 * reaches the members of the team and of every team it sits inside.
 */
export class SharesService {
  readonly #ctx: TenantContext;
  readonly #store: EntityStore<ShareRow, Share>;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
    this.#store = new EntityStore(ctx, shareRecords);
  }

  /**
   * Shares a record with a member or a team. Granting the same record to the
   * same member (or team) again changes the access of the one share they have.
   * @throws {ValidationError} for an unknown entity, or not exactly one of `memberId` and `teamId`
   * @throws {NotFoundError} for a record that does not exist or the actor may not read, or an unknown member or team
   * @throws {ForbiddenError} for a record the actor may read but not update
   * @example
   * await t.shares.grant({ entity: 'deal', recordId: deal.id, teamId: west.id, access: 'read' });
   */
  async grant(input: ShareInput): Promise<Share> {
    const data = parseInput(shareInputSchema, input, 'share');
    try {
      return await this.#grant(data);
    } catch (error) {
      // Two first grants of one pair at once: the loser's insert meets the unique
      // index; in a transaction of its own, the retry finds the row and updates it.
      if (!(error instanceof DuplicateError) || this.#ctx.unit !== undefined) throw error;
      return this.#grant(data);
    }
  }

  #grant(data: z.output<typeof shareInputSchema>): Promise<Share> {
    const ctx = this.#ctx;
    return ctx.write(async (w) => {
      const model = entities[data.entity].model;
      // Unreadable and missing alike are NotFoundError; readable but not writable is ForbiddenError.
      await assertExists(w.tx, ctx, data.entity, data.recordId);
      await ctx.assertAllowed(model, data.recordId, 'update', w.systemTx);
      await assertExists(w.tx, ctx, 'member', data.memberId);
      await assertExists(w.tx, ctx, 'team', data.teamId);
      const to = data.memberId !== undefined ? { memberId: data.memberId } : { teamId: data.teamId! };
      const [existing] = await w.systemTx.findMany({
        model: shareModel, tenantId: ctx.tenantId, where: { entity: data.entity, recordId: data.recordId, ...to }, limit: 1,
      });
      if (existing === undefined) return this.#insert(w, data, to);
      const changes = diff(['access', 'sharedBy'], existing, { access: data.access, sharedBy: ctx.actorId });
      if (changes.length === 0) return this.#store.toRecord(existing);
      const row = await w.systemTx.update({
        model: shareModel, tenantId: ctx.tenantId, id: existing.id, data: { access: data.access, sharedBy: ctx.actorId, updatedAt: w.now },
      });
      const share = this.#store.toRecord(row);
      w.audit('share', share.id, 'update', changes, null);
      w.emit('share.granted', { record: share });
      return share;
    });
  }

  async #insert(w: WriteScope, data: z.output<typeof shareInputSchema>, to: { memberId: string } | { teamId: string }): Promise<Share> {
    const ctx = this.#ctx;
    const row = await w.systemTx.create({
      model: shareModel, tenantId: ctx.tenantId,
      data: {
        tenantId: ctx.tenantId, id: newId(), createdAt: w.now, updatedAt: w.now,
        entity: data.entity, recordId: data.recordId, memberId: null, teamId: null, ...to, access: data.access, sharedBy: ctx.actorId,
      },
    });
    const share = this.#store.toRecord(row);
    w.audit('share', share.id, 'create', diff(auditedFields, {}, share), null);
    w.emit('share.granted', { record: share });
    return share;
  }

  /**
   * Takes a share back. Needs the right to update the shared record, as granting does.
   * @throws {NotFoundError} for no such share, or one of a record the actor may not read
   * @throws {ForbiddenError} for a share of a record the actor may read but not update
   */
  async revoke(shareId: string): Promise<void> {
    const id = parseInput(idSchema, shareId, 'share id');
    const ctx = this.#ctx;
    await ctx.write(async (w) => {
      const row = await w.systemTx.findOne({ model: shareModel, tenantId: ctx.tenantId, id, forUpdate: true });
      const definition = row === undefined ? undefined : entities[row.entity as EntityName];
      if (row === undefined || definition === undefined) throw new NotFoundError('share', id);
      try {
        await ctx.assertAllowed(definition.model, row.recordId, 'update', w.systemTx);
      } catch (error) {
        // The share of a record the actor may not read does not exist for them either.
        if (error instanceof NotFoundError) throw new NotFoundError('share', id);
        throw error;
      }
      await w.systemTx.delete({ model: shareModel, tenantId: ctx.tenantId, id });
      const share = this.#store.toRecord(row);
      w.audit('share', id, 'delete', diff(auditedFields, share, {}), null);
      w.emit('share.revoked', { record: share });
    });
  }

  /**
   * The shares of one record, oldest first.
   * @throws {ValidationError} for an entity that cannot be shared @throws {NotFoundError} for a record the actor may not read
   */
  async forRecord(entity: ShareableEntity, recordId: string): Promise<Share[]> {
    const name = parseInput(entitySchema, entity, 'entity');
    const id = parseInput(idSchema, recordId, 'record id');
    await assertExists(this.#ctx.storage, this.#ctx, name, id);
    return this.#store.all({ entity: name, recordId: id }, [{ field: 'createdAt' }, { field: 'id' }]);
  }

  /**
   * Lists shares (filter on `entity`, `recordId`, `memberId`, `teamId`,
   * `access`, `sharedBy`), only those of records the actor may read.
   * @throws {ValidationError} for an unknown field, operator or a foreign cursor
   * @example
   * const mine = await t.shares.list({ where: { memberId: me.id } });
   */
  async list(options?: ListOptions): Promise<Page<Share>> {
    const opts = parseInput(listOptionsSchema, options, 'list options');
    return this.#store.list(opts, await this.#visible());
  }

  /**
   * The shares of records the actor may read. Shares are not scoped by the
   * storage themselves (they are what scoping reads), so this semi-joins each
   * entity's model, which the enforced storage scopes to the actor.
   */
  async #visible(): Promise<Where | undefined> {
    if (this.#ctx.access === null) return undefined;
    const open: string[] = [];
    const scoped: Where[] = [];
    for (const name of shareableEntities) {
      const model = entities[name].model;
      if ((await this.#ctx.accessScope(model.name, 'read')) === null) open.push(name);
      else scoped.push({ entity: name, recordId: { inQuery: { model, field: 'id' } } });
    }
    const clauses: Where[] = open.length === 0 ? scoped : [{ entity: { in: open } }, ...scoped];
    return clauses.length === 1 ? clauses[0]! : { or: clauses };
  }
}

/** The fields a share's audit entries record. */
const auditedFields = ['entity', 'recordId', 'memberId', 'teamId', 'access', 'sharedBy'] as const;

/** The changes of `fields` from `before` to `after` (missing counts as null). */
function diff(fields: readonly string[], before: object, after: object): AuditChange[] {
  const from = before as Record<string, unknown>;
  const to = after as Record<string, unknown>;
  return fields
    .map((field) => ({ field, from: from[field] ?? null, to: to[field] ?? null }))
    .filter((change) => change.from !== change.to);
}
