import type { Migration } from '../storage/migration.js';

/**
 * Campaigns (issue 10): `crm_campaign` and its members, one row per
 * (campaign, contact), in `crm_campaign_member`. Frozen once released.
 */
export const campaigns0016: Migration = {
  id: '0016_campaigns',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_campaign',
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
        description: { type: 'text', nullable: true },
        channel: { type: 'string' },
        status: { type: 'string' },
        budgetMinor: { type: 'bigint', nullable: true },
        budgetCurrency: { type: 'string', nullable: true },
        costMinor: { type: 'bigint' },
        costCurrency: { type: 'string' },
        startsOn: { type: 'date', nullable: true },
        endsOn: { type: 'date', nullable: true },
        activatedAt: { type: 'timestamp', nullable: true },
        closedAt: { type: 'timestamp', nullable: true },
        externalId: { type: 'string', nullable: true },
        idempotencyKey: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'status_starts', fields: ['status', 'startsOn'] },
        { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
        { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
      ],
    },
    {
      kind: 'createTable',
      table: 'crm_campaign_member',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        campaignId: { type: 'string' },
        contactId: { type: 'string' },
        status: { type: 'string' },
        channel: { type: 'string' },
        enrolledAt: { type: 'timestamp' },
        sentAt: { type: 'timestamp', nullable: true },
        openedAt: { type: 'timestamp', nullable: true },
        respondedAt: { type: 'timestamp', nullable: true },
        convertedAt: { type: 'timestamp', nullable: true },
        unsubscribedAt: { type: 'timestamp', nullable: true },
        responseInteractionId: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'campaign_contact', fields: ['campaignId', 'contactId'], unique: true },
        { name: 'campaign_status', fields: ['campaignId', 'status', 'contactId'] },
        { name: 'contact_sent', fields: ['contactId', 'sentAt'], whereNotNull: ['sentAt'] },
      ],
    },
  ],
};
