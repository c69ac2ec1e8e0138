import { defineEntity } from '../entities/entity.js';
import { serviceContractModel } from './contract.model.js';
import type { Contract } from './contract.schema.js';

type ContractRow = NonNullable<(typeof serviceContractModel)['rowType']>;

function toContract(row: ContractRow): Contract {
  const { priceMinor, currency, ...rest } = row;
  return { ...rest, price: priceMinor === null || currency === null ? null : { minor: priceMinor, currency } };
}

function toContractRow(contract: Partial<Contract>): Partial<ContractRow> {
  const { price, ...rest } = contract;
  if (price === undefined) return rest;
  return { ...rest, priceMinor: price?.minor ?? null, currency: price?.currency ?? null };
}

/** Service contracts and warranties. Tasks may link to them (a renewal offer to make). */
export const contractEntity = defineEntity({
  name: 'contract', service: 'contracts', model: serviceContractModel, toRecord: toContract, toRow: toContractRow,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: false,
});
