import { ownedFields } from '../common/record.js';
import { defineModel } from '../storage/schema.js';

/** Storage of the product catalogue. */
export const productModel = defineModel({
  name: 'product',
  table: 'crm_product',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    sku: { type: 'string', nullable: true },
    series: { type: 'string', nullable: true },
    priceMinor: { type: 'bigint', nullable: true },
    currency: { type: 'string', nullable: true },
    warrantyMonths: { type: 'integer', nullable: true },
    active: { type: 'boolean' },
  },
  indexes: [
    { name: 'sku', fields: ['sku'], unique: true, whereNotNull: ['sku'] },
    { name: 'name', fields: ['name'], unique: true },
  ],
});
