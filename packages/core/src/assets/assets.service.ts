import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import type { Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { contractEntity } from '../contracts/contract.entity.js';
import { contractAssetModel } from '../contracts/contract.model.js';
import { endOfMonths } from '../contracts/contract-dates.js';
import { type ContractStore, insertContract, linkAssets } from '../contracts/contract-writes.js';
import { linkedTo } from '../contracts/coverage.js';
import { NotFoundError, StateError, ValidationError } from '../errors.js';
import { orderEntity } from '../orders/order.entity.js';
import { orderLineModel } from '../orders/order.model.js';
import { productEntity } from '../products/product.entity.js';
import type { Product } from '../products/product.schema.js';
import { assetEntity } from './asset.entity.js';
import type { assetModel } from './asset.model.js';
import {
  type Asset, type AssetInput, assetInputSchema, type AssetPatch, assetPatchSchema, type AssetStatus, assetStatuses, type ReplaceInput, replaceInputSchema,
} from './asset.schema.js';

/** Whose assets: a contact's or a company's. */
export type AssetOwner = { contactId: string } | { companyId: string };

/** The moves `setStatus` makes; `replaced` comes from `replace`, and replaced or retired assets stay so. */
const assetTransitions: Readonly<Record<AssetStatus, readonly AssetStatus[]>> = {
  active: ['in_repair', 'retired'],
  in_repair: ['active', 'retired'],
  replaced: [],
  retired: [],
};

const ownerSchema = z.union([z.strictObject({ contactId: idSchema }), z.strictObject({ companyId: idSchema })]);
const pageSchema = z
  .strictObject({ limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().max(4096).optional() })
  .optional()
  .default({});

/** Assets: the products customers own, with their warranties. Reached as `crm.tenant(id).assets`. */
export class AssetsService extends RecordService<NonNullable<(typeof assetModel)['rowType']>, Asset> {
  readonly #contracts: ContractStore;

  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, assetEntity);
    this.#contracts = new EntityStore(ctx, contractEntity);
  }

  /**
   * Records an asset. Bought with an order line, it takes the order's
   * customer and purchase day unless given. When its product has
   * `warrantyMonths`, an active `warranty` contract covering it is created in
   * the same transaction, from the purchase day (else the installation day,
   * else today) for that many months.
   * @throws {ValidationError} for an order line of another order or product @throws {NotFoundError} for an unknown
   * product, contact, company, order, order line or owner @throws {DuplicateError} for a serial number the product has already
   * @example
   * const asset = await t.assets.create({ productId: gtx.id, serialNumber: 'GTX-0001', orderLineId: line.id, location: 'Lab 2' });
   */
  async create(input: AssetInput): Promise<Asset> {
    const data = parseInput(assetInputSchema, input, 'asset');
    return this.ctx.write(async (w) => {
      const product = await this.#product(w, data.productId);
      const purchase = await this.#purchase(w, data);
      await assertExists(w.tx, this.ctx, 'contact', data.contactId);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const ownerGiven = data.contactId !== undefined || data.companyId !== undefined;
      const asset = await this.store.insert(w, {
        productId: product.id, serialNumber: data.serialNumber ?? null, name: data.name ?? product.name,
        contactId: ownerGiven ? (data.contactId ?? null) : (purchase?.contactId ?? null),
        companyId: ownerGiven ? (data.companyId ?? null) : (purchase?.companyId ?? null),
        orderId: purchase?.orderId ?? null, orderLineId: data.orderLineId ?? null,
        purchasedAt: data.purchasedAt === undefined ? (purchase?.day ?? null) : data.purchasedAt,
        installedAt: data.installedAt ?? null, location: data.location ?? null, status: 'active', replacedById: null,
        externalId: data.externalId ?? null, ...ownedDefaults(this.ctx, 'asset', data),
      });
      w.emit('asset.created', { record: asset });
      // The product's warranty comes with the asset: system work, owned as the asset is, whether or not the
      // actor may create contracts (a rep recording a sale, an agent registering a device).
      if (product.warrantyMonths) await this.#warranty(w.asSystem(), asset, product.warrantyMonths);
      return asset;
    });
  }

  /** Changes an asset's serial, name, customer, dates, location or owned fields. @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError} */
  async update(id: string, patch: AssetPatch, options?: WriteOptions): Promise<Asset> {
    const assetId = parseInput(idSchema, id, 'asset id');
    const data = parseInput(assetPatchSchema, patch, 'asset patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'contact', data.contactId);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { after, changes } = await this.store.patch(w, assetId, (before) =>
        defined({ ...data, custom: mergedCustom(this.ctx, 'asset', before.custom, data.custom) }), expectedVersion);
      if (changes.length > 0) w.emit('asset.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Moves an asset between `active` and `in_repair`, or retires it. Setting the status it has changes nothing.
   * @throws {ValidationError} for `replaced` (use `replace`) @throws {StateError} for a replaced or retired asset
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async setStatus(id: string, status: Exclude<AssetStatus, 'replaced'>, options?: WriteOptions): Promise<Asset> {
    const assetId = parseInput(idSchema, id, 'asset id');
    const to = parseInput(z.enum(assetStatuses).refine((s) => s !== 'replaced', 'An asset is replaced through assets.replace'), status, 'asset status');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { before, after, changes } = await this.store.patch(w, assetId, (asset) => {
        if (asset.status === to) return {};
        if (!assetTransitions[asset.status].includes(to)) throw new StateError(`An asset cannot go from ${asset.status} to ${to}`);
        return { status: to };
      }, expectedVersion);
      if (changes.length > 0) w.emit('asset.statusChanged', { record: after, from: before.status, to });
      return after;
    });
  }

  /**
   * Replaces an active or in-repair asset by a new one (a swap under
   * warranty): the new asset takes the old one's customer, purchase and
   * location unless given, and over its coverage (its links to draft and
   * active contracts); the old one becomes `replaced`, pointing at the new.
   * No new warranty starts: the replacement runs on the old one's.
   * @throws {StateError} for an asset replaced or retired already @throws {NotFoundError} @throws {DuplicateError}
   * @example
   * const { replacement } = await t.assets.replace(asset.id, { serialNumber: 'GTX-0099' });
   */
  async replace(id: string, input: ReplaceInput): Promise<{ record: Asset; replacement: Asset }> {
    const assetId = parseInput(idSchema, id, 'asset id');
    const data = parseInput(replaceInputSchema, input, 'replacement');
    return this.ctx.write(async (w) => {
      const old = await this.store.get(assetId, w.tx, true);
      // Checked before anything is written: replacing is a change of the old asset.
      await this.ctx.assertAllowed(assetEntity.model, assetId, 'update', w.systemTx);
      if (old.status !== 'active' && old.status !== 'in_repair') throw new StateError(`Asset ${old.id} is ${old.status} and cannot be replaced`);
      const product = data.productId === undefined || data.productId === old.productId ? undefined : await this.#product(w, data.productId);
      const replacement = await this.store.insert(w, {
        productId: product?.id ?? old.productId, serialNumber: data.serialNumber ?? null, name: data.name ?? product?.name ?? old.name,
        contactId: old.contactId, companyId: old.companyId, orderId: old.orderId, orderLineId: old.orderLineId, purchasedAt: old.purchasedAt,
        installedAt: data.installedAt === undefined ? w.now.slice(0, 10) : data.installedAt, location: data.location === undefined ? old.location : data.location,
        status: 'active', replacedById: null, externalId: data.externalId ?? null, ownerId: old.ownerId, tags: old.tags, custom: old.custom,
      });
      // Every contract covering the old asset goes on covering its replacement, those the actor may not read too.
      await this.#moveCoverage(w.asSystem(), old.id, replacement.id);
      const { after } = await this.store.patch(w, old.id, () => ({ status: 'replaced', replacedById: replacement.id }));
      w.emit('asset.created', { record: replacement });
      w.emit('asset.statusChanged', { record: after, from: old.status, to: 'replaced' });
      return { record: after, replacement };
    });
  }

  /**
   * A contact's or a company's assets, newest first.
   * @throws {ValidationError} for anything but one of `contactId` / `companyId`, or a foreign cursor
   */
  async ofCustomer(owner: AssetOwner, options?: { limit?: number; cursor?: string }): Promise<Page<Asset>> {
    const where = parseInput(ownerSchema, owner, 'customer');
    const page = parseInput(pageSchema, options, 'page options');
    return this.store.list({ where, orderBy: { createdAt: 'desc' }, ...page });
  }

  async #product(w: WriteScope, id: string): Promise<Product> {
    const row = await w.tx.findOne({ model: productEntity.model, tenantId: this.ctx.tenantId, id });
    if (row === undefined) throw new NotFoundError('product', id);
    return productEntity.toRecord(row);
  }

  /** The order an asset was bought with, checked: the line must be a line of the order, for the asset's product. */
  async #purchase(w: WriteScope, data: z.output<typeof assetInputSchema>) {
    let orderId = data.orderId ?? null;
    if (data.orderLineId) {
      const line = await w.tx.findOne({ model: orderLineModel, tenantId: this.ctx.tenantId, id: data.orderLineId });
      if (line === undefined) throw new NotFoundError('orderLine', data.orderLineId);
      if (orderId !== null && line.orderId !== orderId) throw ValidationError.single('The order line belongs to another order', ['orderLineId']);
      if (line.productId !== null && line.productId !== data.productId) throw ValidationError.single('The order line is for another product', ['orderLineId']);
      orderId = line.orderId;
    }
    if (orderId === null) return undefined;
    const row = await w.tx.findOne({ model: orderEntity.model, tenantId: this.ctx.tenantId, id: orderId });
    if (row === undefined) throw new NotFoundError('order', orderId);
    return { orderId, contactId: row.contactId, companyId: row.companyId, day: row.placedAt.slice(0, 10) };
  }

  async #warranty(w: WriteScope, asset: Asset, months: number): Promise<void> {
    const startDate = asset.purchasedAt ?? asset.installedAt ?? w.now.slice(0, 10);
    await insertContract(w, this.#contracts, {
      name: `Warranty: ${asset.name}${asset.serialNumber ? ` ${asset.serialNumber}` : ''}`.slice(0, 200), kind: 'warranty',
      contactId: asset.contactId, companyId: asset.companyId, productIds: [], coverage: { caseTypes: null }, visitsUsed: 0,
      startDate, endDate: endOfMonths(startDate, months), price: null, status: 'active',
      renewsContractId: null, renewedById: null, externalId: null, ownerId: asset.ownerId, tags: [], custom: {},
    }, [asset.id]);
  }

  /** Moves the links of the old asset's draft and active contracts to its replacement. */
  async #moveCoverage(w: WriteScope, fromId: string, toId: string): Promise<void> {
    const live = await this.#contracts.all({ ...linkedTo(fromId), status: { in: ['draft', 'active'] } }, [], w.tx);
    if (live.length === 0) return;
    const contractIds = live.map((c) => c.id);
    await w.tx.deleteMany({ model: contractAssetModel, tenantId: this.ctx.tenantId, where: { assetId: fromId, contractId: { in: contractIds } } });
    for (const contractId of contractIds) await linkAssets(w, contractId, [toId]);
  }
}
