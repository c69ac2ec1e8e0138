import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { StateError, ValidationError } from '../errors.js';
import { pipelineIn, resolveStage } from '../pipelines/pipeline-reader.js';
import type { Pipeline, Stage } from '../pipelines/pipeline.schema.js';
import { productEntity } from '../products/product.entity.js';
import type { Product } from '../products/product.schema.js';
import { dealEntity } from './deal.entity.js';
import { dealContactModel, type dealModel, stageChangeModel } from './deal.model.js';
import { type Deal, type DealInput, dealInputSchema, type DealPatch, dealPatchSchema, type MoveOptions, moveOptionsSchema } from './deal.schema.js';
import { linesTotal, resolveLines, weighted } from './deal-rows.js';
import { missingFields, missingForStage } from './required-fields.js';
import { type DealContact, dealContactsOf, linkRow } from './deal-contacts.js';
import { deleteDealLines, insertDealLines, syncDealLines } from './deal-lines.js';
import { recordStageChange, type StageChange } from './stage-history.js';
import { assertReadableSubject } from '../timeline/readable-subject.js';

type MoveTarget = (pipeline: Pipeline) => Stage;

/** Deals in pipelines, with stage history. Reached as `crm.tenant(id).deals`. */
export class DealsService extends RecordService<NonNullable<(typeof dealModel)['rowType']>, Deal> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, dealEntity);
  }

  /**
   * Creates a deal in a pipeline stage and records that first stage in its
   * history. With an `idempotencyKey`, a repeated call returns the deal the
   * first one created.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown pipeline, stage, company, contact, product, campaign or owner
   * @example
   * const deal = await t.deals.create({ title: 'Acme renewal', pipelineId: sales.id, amount: { minor: 500000, currency: 'USD' } });
   */
  async create(input: DealInput, options?: CreateOptions): Promise<Deal> {
    const data = parseInput(dealInputSchema, input, 'deal');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    return createOnce(this.store, idempotencyKey, async (w) => {
      const pipeline = await pipelineIn(w, data.pipelineId);
      const stage = data.stage === undefined ? firstOpenStage(pipeline) : resolveStage(pipeline, data.stage);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertExists(w.tx, this.ctx, 'campaign', data.campaignId);
      const contactIds = [...new Set(data.contactIds ?? [])];
      await assertAllExist(w.tx, this.ctx, 'contact', contactIds);
      const currency = data.amount?.currency ?? pipeline.currency;
      const lines = resolveLines(data.lines ?? [], await this.#productsOf(w, data.lines), currency);
      const amount = data.amount ?? { minor: linesTotal(lines), currency };
      const probability = data.probability ?? stage.probability;
      const closed = stage.category !== 'open';
      const enteredAt = (closed ? data.closedAt : undefined) ?? data.enteredAt ?? w.now;
      if (data.closedAt && !closed) throw ValidationError.single('closedAt is only for deals created in a won or lost stage', ['closedAt']);
      const deal = await this.store.insert(w, {
        title: data.title, pipelineId: pipeline.id, stageId: stage.id, status: stage.category,
        amount, probability, weightedAmountMinor: weighted(amount, probability),
        expectedCloseOn: data.expectedCloseOn ?? null, stageEnteredAt: enteredAt,
        closedAt: closed ? enteredAt : null, lostReason: stage.category === 'lost' ? (data.lostReason ?? null) : null,
        companyId: data.companyId ?? null, contactIds, lines, campaignId: data.campaignId ?? null,
        source: data.source ?? null, externalId: data.externalId ?? null, idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'deal', data),
      });
      if (contactIds.length > 0) {
        const links = contactIds.map((contactId) => linkRow(w, deal.id, contactId, null));
        await w.tx.createMany({ model: dealContactModel, tenantId: this.ctx.tenantId, rows: links });
      }
      await insertDealLines(w, [deal]);
      await recordStageChange(w, deal, null, stage, enteredAt);
      w.emit('deal.created', { record: deal });
      return deal;
    });
  }

  /**
   * Deals a contact takes part in, through the indexed contact links.
   * @throws {NotFoundError} for a contact the acting member may not read (see `assertReadableSubject`)
   */
  async ofContact(contactId: string, options?: ListOptions): Promise<Page<Deal>> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const opts = parseInput(listOptionsSchema, options, 'list options');
    await assertReadableSubject(this.ctx, 'contact', id);
    // A semi-join in the database: a contact may be linked to tens of thousands of deals.
    return this.store.list(opts, { id: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId: id } } } });
  }

  /**
   * Changes a deal's fields. Changing the amount or probability recomputes the
   * weighted amount; changing lines without an amount recomputes the amount.
   * Every derived value comes from the deal as it is when written.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: DealPatch, options?: WriteOptions): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const data = parseInput(dealPatchSchema, patch, 'deal patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertExists(w.tx, this.ctx, 'campaign', data.campaignId);
      const products = await this.#productsOf(w, data.lines);
      const { lines: lineInputs, custom, ...rest } = data;
      const { after, changes } = await this.store.patch(w, dealId, (before) => {
        const currency = data.amount?.currency ?? before.amount.currency;
        const lines = lineInputs ? resolveLines(lineInputs, products, currency) : undefined;
        const amount = data.amount ?? (lines ? { minor: linesTotal(lines), currency } : before.amount);
        const probability = data.probability ?? before.probability;
        return {
          ...defined(rest), ...defined({ lines }), amount, probability,
          weightedAmountMinor: weighted(amount, probability),
          ...defined({ custom: mergedCustom(this.ctx, 'deal', before.custom, custom) }),
        };
      }, expectedVersion);
      await syncDealLines(w, after, changes);
      if (changes.length > 0) w.emit('deal.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Moves a deal to a stage of its pipeline (by key or id), records the change
   * with who made it, takes the stage's probability, and opens or closes the
   * deal by the stage's category. Moving to the stage it is in changes nothing.
   * Concurrent moves of one deal apply one after the other, each from the stage
   * the previous one left.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown stage @throws {ConflictError}
   * @example
   * await t.deals.moveToStage(deal.id, 'negotiation', { expectedVersion: deal.version });
   */
  async moveToStage(id: string, stage: string, options?: MoveOptions): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const stageRef = parseInput(z.string().min(1).max(64), stage, 'stage');
    const opts = parseInput(moveOptionsSchema, options, 'move options');
    return this.ctx.write((w) => this.#move(w, dealId, (pipeline) => resolveStage(pipeline, stageRef), opts));
  }

  /** Moves a deal to its pipeline's won stage. @throws {StateError} when the pipeline has none */
  async markWon(id: string, options?: Omit<MoveOptions, 'reason'>): Promise<Deal> {
    return this.#close(id, 'won', options);
  }

  /**
   * Moves a deal to its pipeline's lost stage with a reason.
   * @throws {StateError} when the pipeline has no lost stage
   */
  async markLost(id: string, options?: MoveOptions): Promise<Deal> {
    return this.#close(id, 'lost', options);
  }

  /** The deal's stage changes, oldest first. @throws {NotFoundError} */
  async stageHistory(id: string): Promise<StageChange[]> {
    const dealId = parseInput(idSchema, id, 'deal id');
    await this.store.get(dealId);
    return this.ctx.storage.findMany({ model: stageChangeModel, tenantId: this.ctx.tenantId, where: { dealId }, orderBy: [{ field: 'at' }] });
  }

  /** The contacts of a deal with their role on it, in the order they were added. @throws {NotFoundError} */
  async contacts(id: string): Promise<DealContact[]> {
    const dealId = parseInput(idSchema, id, 'deal id');
    await this.store.get(dealId);
    return dealContactsOf(this.ctx, dealId);
  }

  /**
   * Links a contact to a deal, with an optional role (`champion`, `decision
   * maker`...). Adding a linked contact with another role changes its role
   * (`deal.contactRoleChanged`); with the same role it changes nothing.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async addContact(id: string, contactId: string, options?: WriteOptions & { role?: string | null }): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const contact = parseInput(idSchema, contactId, 'contact id');
    const { role, expectedVersion } = parseInput(contactOptionsSchema, options, 'options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'contact', contact);
      const { after, changes } = await this.store.patch(w, dealId, (before) => ({
        contactIds: [...new Set([...before.contactIds, contact])],
      }), expectedVersion);
      const tenantId = this.ctx.tenantId;
      if (changes.length > 0) {
        await w.tx.create({ model: dealContactModel, tenantId, data: linkRow(w, dealId, contact, role ?? null) });
        w.emit('deal.contactAdded', { record: after, contactId: contact, role: role ?? null });
        return after;
      }
      const link = await w.tx.findOne({ model: dealContactModel, tenantId, id: `${dealId}:${contact}`, forUpdate: true });
      if (role !== undefined && link && link.role !== role) {
        await w.tx.update({ model: dealContactModel, tenantId, id: link.id, data: { role, updatedAt: w.now } });
        w.audit('dealContact', link.id, 'update', [{ field: 'role', from: link.role, to: role }], null);
        w.emit('deal.contactRoleChanged', { record: after, contactId: contact, role, previousRole: link.role });
      }
      return after;
    });
  }

  /** Unlinks a contact from a deal (a no-op when not linked). @throws {NotFoundError} @throws {ConflictError} */
  async removeContact(id: string, contactId: string, options?: WriteOptions): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const contact = parseInput(idSchema, contactId, 'contact id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { after, changes } = await this.store.patch(w, dealId, (before) => ({
        contactIds: before.contactIds.filter((c) => c !== contact),
      }), expectedVersion);
      if (changes.length === 0) return after;
      await w.tx.deleteMany({ model: dealContactModel, tenantId: this.ctx.tenantId, where: { dealId, contactId: contact } });
      w.emit('deal.contactRemoved', { record: after, contactId: contact });
      return after;
    });
  }

  /** Deletes a deal with its contact links; its stage history is kept for reports. @throws {NotFoundError} @throws {ConflictError} */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, dealId, expectedVersion);
      await w.tx.deleteMany({ model: dealContactModel, tenantId: this.ctx.tenantId, where: { dealId } });
      await deleteDealLines(w, dealId);
      w.emit('deal.deleted', { record });
    });
  }

  async #close(id: string, category: 'won' | 'lost', options: MoveOptions | undefined): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const opts = parseInput(moveOptionsSchema, options, 'move options');
    return this.ctx.write((w) =>
      this.#move(w, dealId, (pipeline) => {
        const stage = pipeline.stages.find((s) => s.category === category);
        if (!stage) throw new StateError(`Pipeline ${pipeline.name} has no ${category} stage`);
        return stage;
      }, opts),
    );
  }

  /**
   * Moves the deal from the stage it is in when locked: the stage left, the
   * time spent there, the weighted amount and the history entry all come from
   * the row being written, never from a read made before the lock.
   */
  async #move(w: WriteScope, dealId: string, target: MoveTarget, opts: z.output<typeof moveOptionsSchema>): Promise<Deal> {
    let move: { pipeline: Pipeline; to: Stage; at: string } | undefined;
    const { before, after, changes } = await this.store.patch(w, dealId, async (deal) => {
      // The deal's own pipeline: moving the deal is allowed by the deal's grant alone (see pipelineIn).
      const pipeline = await pipelineIn(w, deal.pipelineId, true);
      const to = target(pipeline);
      if (opts.reason && to.category !== 'lost') throw ValidationError.single('A reason is only kept for lost deals', ['reason']);
      if (deal.stageId === to.id) return {};
      const missing = missingFields(deal, opts.requiredFields ?? []);
      if (missing.length > 0) {
        const message = `Fill in ${missing.join(', ')} to move the deal to ${to.key}`;
        throw new ValidationError(message, missing.map((field) => ({ path: field.split('.'), message: `required to enter ${to.key}`, code: missingForStage })));
      }
      const at = opts.at ?? w.now;
      // A move before the current stage was entered would make the history lie about order and stage durations.
      if (at < deal.stageEnteredAt) {
        throw ValidationError.single(`The deal entered its current stage at ${deal.stageEnteredAt}, after ${at}`, ['at']);
      }
      move = { pipeline, to, at };
      return {
        stageId: to.id, status: to.category, probability: to.probability,
        weightedAmountMinor: weighted(deal.amount, to.probability), stageEnteredAt: at,
        closedAt: to.category === 'open' ? null : at,
        lostReason: to.category === 'lost' ? (opts.reason ?? null) : null,
      };
    }, opts.expectedVersion);
    await syncDealLines(w, after, changes);
    if (move === undefined || changes.length === 0) return after;
    const from = move.pipeline.stages.find((s) => s.id === before.stageId) ?? null;
    const change = await recordStageChange(w, before, from, move.to, move.at);
    w.emit('deal.stageChanged', { record: after, change });
    if (move.to.category === 'won') w.emit('deal.won', { record: after });
    if (move.to.category === 'lost') w.emit('deal.lost', { record: after, reason: after.lostReason });
    return after;
  }

  async #productsOf(w: WriteScope, lines: { productId?: string | null | undefined }[] | undefined): Promise<Map<string, Product>> {
    const ids = [...new Set((lines ?? []).map((l) => l.productId).filter((p): p is string => Boolean(p)))];
    if (ids.length === 0) return new Map();
    const rows = await w.tx.findMany({ model: productEntity.model, tenantId: this.ctx.tenantId, where: { id: { in: ids } } });
    return new Map(rows.map((row) => [row.id, productEntity.toRecord(row)]));
  }
}

const contactOptionsSchema = z
  .strictObject({ expectedVersion: z.number().int().min(1).optional(), role: z.string().trim().min(1).max(100).nullable().optional() })
  .optional()
  .default({});

function firstOpenStage(pipeline: Pipeline): Stage {
  const stage = pipeline.stages.find((s) => s.category === 'open');
  if (!stage) throw new StateError(`Pipeline ${pipeline.name} has no open stage`);
  return stage;
}
