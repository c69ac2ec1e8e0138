import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { RecordService } from '../common/record-service.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { companyModel } from '../companies/company.model.js';
import { contactModel } from '../contacts/contact.model.js';
import { StateError, ValidationError } from '../errors.js';
import { memberModel } from '../members/member.model.js';
import type { Pipeline, Stage } from '../pipelines/pipeline.schema.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { Product } from '../products/product.schema.js';
import type { ProductsService } from '../products/products.service.js';
import { dealContactModel, dealModel, stageChangeModel } from './deal.model.js';
import { type Deal, type DealInput, dealInputSchema, type DealPatch, dealPatchSchema, type MoveOptions, moveOptionsSchema } from './deal.schema.js';
import { linesTotal, resolveLines, toDeal, toDealRow, weighted } from './deal-rows.js';
import { recordStageChange, type StageChange } from './stage-history.js';

/** Deals in pipelines, with stage history. Reached as `crm.tenant(id).deals`. */
export class DealsService extends RecordService<Deal> {
  readonly #pipelines: PipelinesService;
  readonly #products: ProductsService;
  /** @internal */
  constructor(ctx: TenantContext, pipelines: PipelinesService, products: ProductsService) {
    super(ctx, new EntityStore<Deal>(ctx, dealModel, toDeal, toDealRow));
    this.#pipelines = pipelines;
    this.#products = products;
  }

  /**
   * Creates a deal in a pipeline stage and records that first stage in its history.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown pipeline, stage, company, contact, product or owner
   * @example
   * const deal = await t.deals.create({ title: 'Acme renewal', pipelineId: sales.id, amount: { minor: 500000, currency: 'USD' } });
   */
  async create(input: DealInput): Promise<Deal> {
    const data = parseInput(dealInputSchema, input, 'deal');
    return this.ctx.write(async (w) => {
      const pipeline = await this.#pipelines.load(data.pipelineId, w.tx);
      const stage = data.stage === undefined ? firstOpenStage(pipeline) : this.#pipelines.resolveStage(pipeline, data.stage);
      await assertExists(w.tx, this.ctx, companyModel, data.companyId);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
      const contactIds = [...new Set(data.contactIds ?? [])];
      await assertAllExist(w.tx, this.ctx, contactModel, contactIds);
      const currency = data.amount?.currency ?? pipeline.currency;
      const lines = resolveLines(data.lines ?? [], await this.#productsOf(w, data.lines), currency);
      const amount = data.amount ?? { minor: linesTotal(lines), currency };
      const probability = data.probability ?? stage.probability;
      const closed = stage.category !== 'open';
      const enteredAt = (closed ? data.closedAt : undefined) ?? data.enteredAt ?? w.now;
      if (data.closedAt && !closed) throw ValidationError.single('closedAt is only for deals created in a won or lost stage', ['closedAt']);
      const deal = await this.store.insert(w, toDealRow({
        title: data.title, pipelineId: pipeline.id, stageId: stage.id, status: stage.category,
        amount, probability, weightedAmountMinor: weighted(amount, probability),
        expectedCloseOn: data.expectedCloseOn ?? null, stageEnteredAt: enteredAt,
        closedAt: closed ? enteredAt : null, lostReason: stage.category === 'lost' ? (data.lostReason ?? null) : null,
        companyId: data.companyId ?? null, contactIds, lines, campaignId: data.campaignId ?? null,
        source: data.source ?? null, externalId: data.externalId ?? null,
        ...ownedDefaults(this.ctx, 'deal', data),
      }));
      if (contactIds.length > 0) {
        const links = contactIds.map((contactId) => this.#linkRow(w, deal.id, contactId));
        await w.tx.createMany({ model: dealContactModel, tenantId: this.ctx.tenantId, rows: links });
      }
      await recordStageChange(w, deal, null, stage, enteredAt);
      w.emit('deal.created', { record: deal });
      return deal;
    });
  }

  /** Deals a contact takes part in, through the indexed contact links. */
  async ofContact(contactId: string, options?: ListOptions): Promise<Page<Deal>> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const opts = parseInput(listOptionsSchema, options, 'list options');
    // A semi-join in the database: a contact may be linked to tens of thousands of deals.
    return this.store.list(opts, { id: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId: id } } } });
  }

  /**
   * Changes a deal's fields. Changing the amount or probability recomputes the
   * weighted amount; changing lines without an amount recomputes the amount.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: DealPatch, options?: WriteOptions): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const data = parseInput(dealPatchSchema, patch, 'deal patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, companyModel, data.companyId);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
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
      if (changes.length > 0) w.emit('deal.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Moves a deal to a stage of its pipeline (by key or id), records the change
   * with who made it, takes the stage's probability, and opens or closes the
   * deal by the stage's category. Moving to the stage it is in changes nothing.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown stage @throws {ConflictError}
   * @example
   * await t.deals.moveToStage(deal.id, 'negotiation', { expectedVersion: deal.version });
   */
  async moveToStage(id: string, stage: string, options?: MoveOptions): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const stageRef = parseInput(z.string().min(1).max(64), stage, 'stage');
    const opts = parseInput(moveOptionsSchema, options, 'move options');
    return this.ctx.write(async (w) => {
      const deal = await this.store.get(dealId, w.tx);
      const pipeline = await this.#pipelines.load(deal.pipelineId, w.tx);
      return this.#move(w, deal, pipeline, this.#pipelines.resolveStage(pipeline, stageRef), opts);
    });
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
    const rows = await this.ctx.storage.findMany({
      model: stageChangeModel, tenantId: this.ctx.tenantId, where: { dealId }, orderBy: [{ field: 'at' }],
    });
    return rows as unknown as StageChange[];
  }

  /**
   * Links a contact to a deal (a no-op when already linked).
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async addContact(id: string, contactId: string, options?: WriteOptions & { role?: string }): Promise<Deal> {
    return this.#changeContacts(id, contactId, options, 'add');
  }

  /** Unlinks a contact from a deal (a no-op when not linked). @throws {NotFoundError} @throws {ConflictError} */
  async removeContact(id: string, contactId: string, options?: WriteOptions): Promise<Deal> {
    return this.#changeContacts(id, contactId, options, 'remove');
  }

  /** Deletes a deal with its contact links; its stage history is kept for reports. @throws {NotFoundError} @throws {ConflictError} */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, dealId, expectedVersion);
      await w.tx.deleteMany({ model: dealContactModel, tenantId: this.ctx.tenantId, where: { dealId } });
      w.emit('deal.deleted', { record });
    });
  }

  async #close(id: string, category: 'won' | 'lost', options: MoveOptions | undefined): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const opts = parseInput(moveOptionsSchema, options, 'move options');
    return this.ctx.write(async (w) => {
      const deal = await this.store.get(dealId, w.tx);
      const pipeline = await this.#pipelines.load(deal.pipelineId, w.tx);
      const stage = pipeline.stages.find((s) => s.category === category);
      if (!stage) throw new StateError(`Pipeline ${pipeline.name} has no ${category} stage`);
      return this.#move(w, deal, pipeline, stage, opts);
    });
  }

  async #move(w: WriteScope, deal: Deal, pipeline: Pipeline, to: Stage, opts: z.output<typeof moveOptionsSchema>): Promise<Deal> {
    if (opts.reason && to.category !== 'lost') throw ValidationError.single('A reason is only kept for lost deals', ['reason']);
    if (deal.stageId === to.id) return deal;
    const at = opts.at ?? w.now;
    // A move before the current stage was entered would make the history lie
    // about order and stage durations.
    if (at < deal.stageEnteredAt) {
      throw ValidationError.single(`The deal entered its current stage at ${deal.stageEnteredAt}, after ${at}`, ['at']);
    }
    const from = pipeline.stages.find((s) => s.id === deal.stageId) ?? null;
    const { after } = await this.store.patch(w, deal.id, () => ({
      stageId: to.id, status: to.category, probability: to.probability,
      weightedAmountMinor: weighted(deal.amount, to.probability), stageEnteredAt: at,
      closedAt: to.category === 'open' ? null : at,
      lostReason: to.category === 'lost' ? (opts.reason ?? null) : null,
    }), opts.expectedVersion);
    const change = await recordStageChange(w, deal, from, to, at);
    w.emit('deal.stageChanged', { record: after, change });
    if (to.category === 'won') w.emit('deal.won', { record: after });
    if (to.category === 'lost') w.emit('deal.lost', { record: after, reason: after.lostReason });
    return after;
  }

  async #changeContacts(id: string, contactId: string, options: (WriteOptions & { role?: string }) | undefined, op: 'add' | 'remove'): Promise<Deal> {
    const dealId = parseInput(idSchema, id, 'deal id');
    const contact = parseInput(idSchema, contactId, 'contact id');
    const { role, ...write } = parseInput(z.strictObject({ expectedVersion: z.number().int().min(1).optional(), role: z.string().max(100).optional() }).optional().default({}), options, 'options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, contactModel, contact);
      const { after, changes } = await this.store.patch(w, dealId, (before) => ({
        contactIds: op === 'add' ? [...new Set([...before.contactIds, contact])] : before.contactIds.filter((c) => c !== contact),
      }), write.expectedVersion);
      if (changes.length === 0) return after;
      const tenantId = this.ctx.tenantId;
      if (op === 'add') {
        await w.tx.create({ model: dealContactModel, tenantId, data: { ...this.#linkRow(w, dealId, contact), role: role ?? null } });
        w.emit('deal.contactAdded', { record: after, contactId: contact });
      } else {
        await w.tx.deleteMany({ model: dealContactModel, tenantId, where: { dealId, contactId: contact } });
        w.emit('deal.contactRemoved', { record: after, contactId: contact });
      }
      return after;
    });
  }

  #linkRow(w: WriteScope, dealId: string, contactId: string) {
    return { tenantId: this.ctx.tenantId, id: `${dealId}:${contactId}`, createdAt: w.now, updatedAt: w.now, dealId, contactId, role: null };
  }

  async #productsOf(w: WriteScope, lines: { productId?: string | null | undefined }[] | undefined): Promise<Map<string, Product>> {
    const ids = [...new Set((lines ?? []).map((l) => l.productId).filter((p): p is string => Boolean(p)))];
    if (ids.length === 0) return new Map();
    const products = await this.#products.store.all({ id: { in: ids } }, undefined, w.tx);
    return new Map(products.map((p) => [p.id, p]));
  }
}

function firstOpenStage(pipeline: Pipeline): Stage {
  const stage = pipeline.stages.find((s) => s.category === 'open');
  if (!stage) throw new StateError(`Pipeline ${pipeline.name} has no open stage`);
  return stage;
}
