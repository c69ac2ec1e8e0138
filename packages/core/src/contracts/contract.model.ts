import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { ContractKind, ContractStatus, Coverage } from './contract.schema.js';

/**
 * Storage of service contracts and warranties. The model is named after the
 * entity, `contract` (task links, workflow subjects and `NotFoundError` use
 * that name); the table says what it holds.
 */
export const serviceContractModel = defineModel({
  name: 'contract',
  table: 'crm_service_contract',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    kind: typedField<ContractKind>('string'),
    contactId: { type: 'string', nullable: true },
    companyId: { type: 'string', nullable: true },
    // Products covered for the contract's customer whatever the asset (a maintenance plan for every printer it owns).
    productIds: typedField<string[]>('json'),
    coverage: typedField<Coverage>('json'),
    visitsUsed: { type: 'integer' },
    startDate: { type: 'date' },
    endDate: { type: 'date' },
    priceMinor: { type: 'bigint', nullable: true },
    currency: { type: 'string', nullable: true },
    status: typedField<ContractStatus>('string'),
    renewsContractId: { type: 'string', nullable: true },
    renewedById: { type: 'string', nullable: true },
    externalId: { type: 'string', nullable: true },
  },
  indexes: [
    // `expiring`: active contracts by end date.
    { name: 'status_end', fields: ['status', 'endDate'] },
    { name: 'contact', fields: ['contactId'] },
    { name: 'company', fields: ['companyId'] },
    // A contract is renewed once, even when two renewals race.
    { name: 'renews', fields: ['renewsContractId'], unique: true, whereNotNull: ['renewsContractId'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
  ],
});

/** The assets a contract covers; the id is the pair, so an asset is linked to a contract once. */
export const contractAssetModel = defineModel({
  name: 'contractAsset',
  table: 'crm_contract_asset',
  versioned: false,
  fields: {
    contractId: { type: 'string' },
    assetId: { type: 'string' },
  },
  indexes: [
    { name: 'contract_asset', fields: ['contractId', 'assetId'], unique: true },
    { name: 'asset', fields: ['assetId'] },
  ],
});
