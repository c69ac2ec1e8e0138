import type { Migration } from '../storage/migration.js';

/**
 * Assets (installed products), service contracts and warranties, and the
 * link of contracts to the assets they cover (issue 9, after-sales). New
 * tables only; frozen once released.
 */
export const assetsContracts0012: Migration = {
  id: '0012_assets_contracts',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_asset',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        ownerId: { type: 'string', nullable: true },
        tags: { type: 'json' },
        custom: { type: 'json' },
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
        status: { type: 'string' },
        replacedById: { type: 'string', nullable: true },
        externalId: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'product_serial', fields: ['productId', 'serialNumber'], unique: true, whereNotNull: ['serialNumber'] },
        { name: 'contact_created', fields: ['contactId', '-createdAt'] },
        { name: 'company_created', fields: ['companyId', '-createdAt'] },
        { name: 'order_line', fields: ['orderId', 'orderLineId'] },
        { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'crm_service_contract',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        ownerId: { type: 'string', nullable: true },
        tags: { type: 'json' },
        custom: { type: 'json' },
        name: { type: 'string' },
        kind: { type: 'string' },
        contactId: { type: 'string', nullable: true },
        companyId: { type: 'string', nullable: true },
        productIds: { type: 'json' },
        coverage: { type: 'json' },
        visitsUsed: { type: 'integer' },
        startDate: { type: 'date' },
        endDate: { type: 'date' },
        priceMinor: { type: 'bigint', nullable: true },
        currency: { type: 'string', nullable: true },
        status: { type: 'string' },
        renewsContractId: { type: 'string', nullable: true },
        renewedById: { type: 'string', nullable: true },
        externalId: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'status_end', fields: ['status', 'endDate'] },
        { name: 'contact', fields: ['contactId'] },
        { name: 'company', fields: ['companyId'] },
        { name: 'renews', fields: ['renewsContractId'], unique: true, whereNotNull: ['renewsContractId'] },
        { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'crm_contract_asset',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        contractId: { type: 'string' },
        assetId: { type: 'string' },
      },
      indexes: [
        { name: 'contract_asset', fields: ['contractId', 'assetId'], unique: true },
        { name: 'asset', fields: ['assetId'] },
      ],
    },
  ],
};
