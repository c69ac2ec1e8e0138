import { ownedFields } from '../common/record.js';
import type { ContactChannel } from '../contacts/contact.schema.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { CampaignMemberStatus } from './campaign-member.schema.js';
import type { CampaignStatus } from './campaign.schema.js';

/** Storage of campaigns. Money is split into minor units and currency, as on deals and orders. */
export const campaignModel = defineModel({
  name: 'campaign',
  table: 'crm_campaign',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    description: { type: 'text', nullable: true },
    channel: typedField<ContactChannel>('string'),
    status: typedField<CampaignStatus>('string'),
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
});

/**
 * One row per (campaign, contact). The unique pair is what makes enrolment
 * idempotent; `contact_sent` is the path from a contact to its touches,
 * which attribution reads.
 */
export const campaignMemberModel = defineModel({
  name: 'campaignMember',
  table: 'crm_campaign_member',
  fields: {
    campaignId: { type: 'string' },
    contactId: { type: 'string' },
    status: typedField<CampaignMemberStatus>('string'),
    channel: typedField<ContactChannel>('string'),
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
});
