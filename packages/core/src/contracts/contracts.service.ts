import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { newId } from '../common/ids.js';
import type { Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { assetEntity } from '../assets/asset.entity.js';
import { NotFoundError, StateError, ValidationError } from '../errors.js';
import { caseTypes, type CaseType } from './case-types.js';
import { contractEntity } from './contract.entity.js';
import { contractAssetModel, type serviceContractModel } from './contract.model.js';
import {
  type Contract, type ContractInput, contractInputSchema, type ContractPatch, contractPatchSchema, type ContractStatus,
  type CoverageCheck, type ExpiringOptions, expiringOptionsSchema, type RenewOptions, renewOptionsSchema,
} from './contract.schema.js';
import { addDays, samePeriodEnd } from './contract-dates.js';
import { assertContractTransition } from './contract-status.js';
import { assetIdsOf, insertContract, linkAssets } from './contract-writes.js';
import { coverageOf, dayOf, expiringContracts, linkedTo } from './coverage.js';

/** Service contracts and warranties, and what they cover. Reached as `crm.tenant(id).contracts`. */
export class ContractsService extends RecordService<NonNullable<(typeof serviceContractModel)['rowType']>, Contract> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, contractEntity);
  }

  /**
   * Creates a contract (a draft unless `status: 'active'`) with the assets it covers.
   * @throws {ValidationError} for an end before the start @throws {NotFoundError} for an unknown contact,
   * company, asset, product or owner @throws {DuplicateError} for a taken `externalId`
   * @example
   * const plan = await t.contracts.create({
   *   name: 'Care+ 2026', kind: 'service', contactId: ada.id, assetIds: [asset.id], status: 'active',
   *   startDate: '2026-03-01', endDate: '2027-02-28', price: { minor: 19_900, currency: 'USD' },
   *   coverage: { caseTypes: ['incident', 'question'], responseMinutes: 240, visitsIncluded: 2 },
   * });
   */
  async create(input: ContractInput): Promise<Contract> {
    const data = parseInput(contractInputSchema, input, 'contract');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'contact', data.contactId);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const assetIds = [...new Set(data.assetIds ?? [])];
      const productIds = [...new Set(data.productIds ?? [])];
      await assertAllExist(w.tx, this.ctx, 'asset', assetIds);
      await assertAllExist(w.tx, this.ctx, 'product', productIds);
      return insertContract(w, this.store, {
        name: data.name, kind: data.kind, contactId: data.contactId ?? null, companyId: data.companyId ?? null, productIds,
        coverage: data.coverage ?? { caseTypes: null }, visitsUsed: data.visitsUsed ?? 0, startDate: data.startDate, endDate: data.endDate,
        price: data.price ?? null, status: data.status, renewsContractId: null, renewedById: null, externalId: data.externalId ?? null,
        ...ownedDefaults(this.ctx, 'contract', data),
      }, assetIds);
    });
  }

  /**
   * Changes a contract's fields; `assetIds` replaces the set of covered assets
   * (reported in the event's changes as `assetIds`).
   * @throws {ValidationError} for an end before the start (as stored after the change)
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: ContractPatch, options?: WriteOptions): Promise<Contract> {
    const contractId = parseInput(idSchema, id, 'contract id');
    const data = parseInput(contractPatchSchema, patch, 'contract patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'contact', data.contactId);
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertAllExist(w.tx, this.ctx, 'asset', data.assetIds ?? []);
      await assertAllExist(w.tx, this.ctx, 'product', data.productIds ?? []);
      const { assetIds, custom, productIds, ...rest } = data;
      const { after, changes } = await this.store.patch(w, contractId, (before) => {
        if ((rest.endDate ?? before.endDate) < (rest.startDate ?? before.startDate)) throw ValidationError.single('endDate is before startDate', ['endDate']);
        return defined({ ...rest, productIds: productIds && [...new Set(productIds)], custom: mergedCustom(this.ctx, 'contract', before.custom, custom) });
      }, expectedVersion);
      if (assetIds !== undefined) {
        const from = await assetIdsOf(w.tx, this.ctx.tenantId, contractId);
        const to = [...new Set(assetIds)];
        const removed = from.filter((a) => !to.includes(a));
        if (removed.length > 0) await w.tx.deleteMany({ model: contractAssetModel, tenantId: this.ctx.tenantId, where: { contractId, assetId: { in: removed } } });
        const added = to.filter((a) => !from.includes(a));
        await linkAssets(w, contractId, added);
        if (removed.length > 0 || added.length > 0) changes.push({ field: 'assetIds', from, to });
      }
      if (changes.length > 0) w.emit('contract.updated', { record: after, changes });
      return after;
    });
  }

  /** Puts a draft contract in force. @throws {StateError} unless it is a draft @throws {NotFoundError} @throws {ConflictError} */
  activate(id: string, options?: WriteOptions): Promise<Contract> {
    return this.#move(id, 'active', options);
  }

  /** Cancels a draft or active contract. @throws {StateError} otherwise @throws {NotFoundError} @throws {ConflictError} */
  cancel(id: string, options?: WriteOptions): Promise<Contract> {
    return this.#move(id, 'cancelled', options);
  }

  /** Marks an active contract as run out (`expired`), as the renewal workflow does after its end. @throws {StateError} otherwise */
  lapse(id: string, options?: WriteOptions): Promise<Contract> {
    return this.#move(id, 'expired', options);
  }

  /**
   * Renews an active or lapsed contract: creates the next one (active, same
   * kind, customer, coverage, products and assets, starting the day after the
   * old one ends, for as long) linked both ways, and marks the old one
   * `renewed`; it still covers the rest of its own period. A contract is
   * renewed once.
   * @throws {StateError} for a contract already renewed, a draft or a cancelled one
   * @throws {ValidationError} for an end before the start @throws {NotFoundError}
   * @example
   * const { next } = await t.contracts.renew(plan.id, { price: { minor: 21_900, currency: 'USD' } });
   */
  async renew(id: string, options?: RenewOptions): Promise<{ record: Contract; next: Contract }> {
    const contractId = parseInput(idSchema, id, 'contract id');
    const opts = parseInput(renewOptionsSchema, options, 'renew options');
    return this.ctx.write(async (w) => {
      const nextId = newId();
      let from: ContractStatus = 'active';
      const { before, after } = await this.store.patch(w, contractId, (old) => {
        if (old.status === 'renewed') throw new StateError(`Contract ${old.id} was renewed already, by ${old.renewedById}`);
        assertContractTransition(old.status, 'renewed');
        from = old.status;
        return { status: 'renewed', renewedById: nextId };
      });
      const startDate = opts.startDate ?? addDays(before.endDate, 1);
      const endDate = opts.endDate ?? samePeriodEnd(before, startDate);
      if (endDate < startDate) throw ValidationError.single('endDate is before startDate', ['endDate']);
      const next = await insertContract(w, this.store, {
        name: opts.name ?? before.name, kind: before.kind, contactId: before.contactId, companyId: before.companyId,
        productIds: before.productIds, coverage: before.coverage, visitsUsed: 0, startDate, endDate,
        price: opts.price === undefined ? before.price : opts.price, status: 'active', renewsContractId: before.id, renewedById: null,
        externalId: null, ownerId: before.ownerId, tags: before.tags, custom: before.custom,
      }, await assetIdsOf(w.tx, this.ctx.tenantId, before.id), { id: nextId });
      w.emit('contract.statusChanged', { record: after, from, to: 'renewed' });
      w.emit('contract.renewed', { record: after, next });
      return { record: after, next };
    });
  }

  /**
   * Whether an asset is covered on a day (`at`, an instant or a date, read in
   * UTC), optionally for a case type: see {@link coverageOf}.
   * @throws {ValidationError} @throws {NotFoundError} for an asset of no contract's tenant
   * @example
   * const { covered, contracts } = await t.contracts.isCovered(asset.id, new Date(), 'warranty_claim');
   */
  async isCovered(assetId: string, at: string | Date, caseType?: CaseType): Promise<CoverageCheck> {
    const id = parseInput(idSchema, assetId, 'asset id');
    const day = dayOf(at, 'at');
    const type = parseInput(z.enum(caseTypes).optional(), caseType, 'case type');
    return coverageOf(this.store, await this.#asset(id), day, type);
  }

  /**
   * Active contracts ending within the next `withinDays` days (today included),
   * soonest first, paged: what the renewal workflow reminds of.
   * @throws {ValidationError}
   * @example
   * const { items } = await t.contracts.expiring({ withinDays: 30, kinds: ['service', 'extended_warranty'] });
   */
  async expiring(options: ExpiringOptions): Promise<Page<Contract>> {
    return expiringContracts(this.ctx, this.store, parseInput(expiringOptionsSchema, options, 'expiring options'));
  }

  /** Every contract linked to an asset, whatever its status, oldest start first. @throws {NotFoundError} */
  async ofAsset(assetId: string): Promise<Contract[]> {
    const id = parseInput(idSchema, assetId, 'asset id');
    await this.#asset(id);
    return this.store.all(linkedTo(id), [{ field: 'startDate' }]);
  }

  /** The ids of the assets a contract covers directly. @throws {NotFoundError} */
  async assetIds(contractId: string): Promise<string[]> {
    const id = parseInput(idSchema, contractId, 'contract id');
    await this.store.get(id);
    return assetIdsOf(this.ctx.storage, this.ctx.tenantId, id);
  }

  async #asset(id: string) {
    const row = await this.ctx.storage.findOne({ model: assetEntity.model, tenantId: this.ctx.tenantId, id });
    if (row === undefined) throw new NotFoundError('asset', id);
    return assetEntity.toRecord(row);
  }

  async #move(id: string, to: ContractStatus, options: WriteOptions | undefined): Promise<Contract> {
    const contractId = parseInput(idSchema, id, 'contract id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      const { before, after, changes } = await this.store.patch(w, contractId, (contract) => {
        if (contract.status === to) return {};
        assertContractTransition(contract.status, to);
        return { status: to };
      }, expectedVersion);
      if (changes.length > 0) w.emit('contract.statusChanged', { record: after, from: before.status, to });
      return after;
    });
  }
}
