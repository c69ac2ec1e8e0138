import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { AssetStatus } from './asset.schema.js';

/** Storage of assets: products a customer owns, installed or not. */
export const assetModel = defineModel({
  name: 'asset',
  table: 'crm_asset',
  fields: {
    ...ownedFields,
    productId: { type: 'string' },
    serialNumber: { type: 'string', nullable: true },
    name: { type: 'string' },
    contactId: { type: 'string', nullable: true },
    companyId: { type: 'string', nullable: true },
    orderId: { type: 'string', nullable: true },
    orderLineId: { type: 'string', nullable: true },
    purchasedAt: { type: 'date', nullable: true },
    installedAt: { type: 'date', nullable: true },
    location: { type: 'string', nullable: true },
    status: typedField<AssetStatus>('string'),
    replacedById: { type: 'string', nullable: true },
    externalId: { type: 'string', nullable: true },
  },
  indexes: [
    // Two makers may print the same serial; one product's serials are unique.
    { name: 'product_serial', fields: ['productId', 'serialNumber'], unique: true, whereNotNull: ['serialNumber'] },
    { name: 'contact_created', fields: ['contactId', '-createdAt'] },
    { name: 'company_created', fields: ['companyId', '-createdAt'] },
    { name: 'order_line', fields: ['orderId', 'orderLineId'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
  ],
});
