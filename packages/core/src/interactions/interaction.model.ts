import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { InteractionDirection, InteractionType } from './interaction.schema.js';

/** Storage of interactions: calls, emails, meetings and the rest. */
export const interactionModel = defineModel({
  name: 'interaction',
  table: 'crm_interaction',
  fields: {
    ...ownedFields,
    type: typedField<InteractionType>('string'),
    direction: typedField<InteractionDirection>('string'),
    channel: { type: 'string', nullable: true },
    subject: { type: 'string', nullable: true },
    body: { type: 'text', nullable: true },
    occurredAt: { type: 'timestamp' },
    durationSeconds: { type: 'integer', nullable: true },
    outcome: { type: 'string', nullable: true },
    contactIds: typedField<string[]>('json'),
    memberIds: typedField<string[]>('json'),
    companyId: { type: 'string', nullable: true },
    dealId: { type: 'string', nullable: true },
    caseId: { type: 'string', nullable: true },
    campaignId: { type: 'string', nullable: true },
    // The message id of an email or chat message (`cases.ingest`), unique per tenant: a message delivered twice is stored once.
    messageId: { type: 'string', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'company_occurred', fields: ['companyId', '-occurredAt'] },
    { name: 'deal_occurred', fields: ['dealId', '-occurredAt'] },
    { name: 'owner_occurred', fields: ['ownerId', '-occurredAt'] },
    { name: 'occurred', fields: ['-occurredAt'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
    { name: 'message', fields: ['messageId'], unique: true, whereNotNull: ['messageId'] },
    { name: 'case_occurred', fields: ['caseId', '-occurredAt'] },
  ],
});

/**
 * One row per (interaction, contact): the indexed path from a contact to its
 * interactions, with the time copied so a contact's timeline pages by index.
 */
export const interactionContactModel = defineModel({
  name: 'interactionContact',
  table: 'crm_interaction_contact',
  versioned: false,
  fields: {
    interactionId: { type: 'string' },
    contactId: { type: 'string' },
    occurredAt: { type: 'timestamp' },
  },
  indexes: [{ name: 'contact_occurred', fields: ['contactId', '-occurredAt', 'interactionId'] }],
});
