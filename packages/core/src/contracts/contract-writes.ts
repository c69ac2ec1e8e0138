import type { WriteScope } from '../common/context.js';
import type { Storage } from '../storage/adapter.js';
import type { EntityStore, InsertOptions, NewRecord } from '../common/entity-store.js';
import { contractAssetModel, type serviceContractModel } from './contract.model.js';
import type { Contract } from './contract.schema.js';

/** The entity store of contracts, for the services that write them (contracts, and assets for warranties). */
export type ContractStore = EntityStore<NonNullable<(typeof serviceContractModel)['rowType']>, Contract>;

/**
 * Inserts a contract with the assets it covers and records `contract.created`,
 * in the running write: the one path of every new contract (created, renewed,
 * or the warranty of a new asset).
 */
export async function insertContract(
  w: WriteScope,
  store: ContractStore,
  record: NewRecord<Contract>,
  assetIds: readonly string[],
  options: InsertOptions = {},
): Promise<Contract> {
  const contract = await store.insert(w, record, options);
  await linkAssets(w, contract.id, assetIds);
  w.emit('contract.created', { record: contract });
  return contract;
}

/** Links assets to a contract (each once). */
export async function linkAssets(w: WriteScope, contractId: string, assetIds: readonly string[]): Promise<void> {
  const unique = [...new Set(assetIds)];
  if (unique.length === 0) return;
  const rows = unique.map((assetId) => ({
    tenantId: w.ctx.tenantId, id: `${contractId}:${assetId}`, createdAt: w.now, updatedAt: w.now, contractId, assetId,
  }));
  await w.tx.createMany({ model: contractAssetModel, tenantId: w.ctx.tenantId, rows });
}

/** The ids of the assets a contract covers, oldest link first. */
export async function assetIdsOf(storage: Storage, tenantId: string, contractId: string): Promise<string[]> {
  const rows = await storage.findMany({ model: contractAssetModel, tenantId, where: { contractId }, orderBy: [{ field: 'createdAt' }, { field: 'assetId' }] });
  return rows.map((row) => row.assetId);
}
