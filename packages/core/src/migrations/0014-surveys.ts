import type { Migration } from '../storage/migration.js';

/**
 * Satisfaction surveys (issue 9): `crm_survey`, one row per CSAT or NPS
 * survey sent with its answer, and the contact's latest CSAT beside its
 * latest NPS (`satisfaction`, since release 0.1.0). Frozen.
 */
export const surveys0014: Migration = {
  id: '0014_surveys',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_survey',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        kind: { type: 'string' },
        status: { type: 'string' },
        contactId: { type: 'string' },
        caseId: { type: 'string', nullable: true },
        agentId: { type: 'string', nullable: true },
        productId: { type: 'string', nullable: true },
        channel: { type: 'string', nullable: true },
        onDetractor: { type: 'string' },
        sentAt: { type: 'timestamp' },
        remindedAt: { type: 'timestamp', nullable: true },
        reminderCount: { type: 'integer' },
        answeredAt: { type: 'timestamp', nullable: true },
        expiredAt: { type: 'timestamp', nullable: true },
        score: { type: 'integer', nullable: true },
        comment: { type: 'text', nullable: true },
        detractor: { type: 'boolean', nullable: true },
        idempotencyKey: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'case_answered', fields: ['caseId', 'kind', 'answeredAt'], whereNotNull: ['caseId'] },
        { name: 'contact_sent', fields: ['contactId', '-sentAt'] },
        { name: 'agent_answered', fields: ['agentId', 'kind', 'answeredAt'], whereNotNull: ['agentId'] },
        { name: 'product_answered', fields: ['productId', 'kind', 'answeredAt'], whereNotNull: ['productId'] },
        { name: 'kind_answered', fields: ['kind', 'answeredAt'] },
        { name: 'status_sent', fields: ['status', 'sentAt'] },
        { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
      ],
    },
    { kind: 'addField', table: 'crm_contact', field: 'csat', definition: { type: 'integer', nullable: true } },
    { kind: 'addField', table: 'crm_contact', field: 'csatAt', definition: { type: 'timestamp', nullable: true } },
  ],
};
