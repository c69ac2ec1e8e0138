import { ownedFields } from '../common/record.js';
import { defineModel } from '../storage/schema.js';

/** Storage of companies (accounts). */
export const companyModel = defineModel({
  name: 'company',
  table: 'crm_company',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    domain: { type: 'string', nullable: true },
    sector: { type: 'string', nullable: true },
    employees: { type: 'integer', nullable: true },
    annualRevenueMinor: { type: 'bigint', nullable: true },
    annualRevenueCurrency: { type: 'string', nullable: true },
    foundedYear: { type: 'integer', nullable: true },
    city: { type: 'string', nullable: true },
    country: { type: 'string', nullable: true },
    parentCompanyId: { type: 'string', nullable: true },
    externalId: { type: 'string', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'domain', fields: ['domain'], unique: true, whereNotNull: ['domain'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'name', fields: ['name'] },
    { name: 'parent', fields: ['parentCompanyId'] },
    { name: 'owner', fields: ['ownerId'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});
