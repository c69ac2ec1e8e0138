import { defineModel, typedField } from '../storage/schema.js';
import type { DetractorAction, SurveyKind, SurveyStatus } from './survey.schema.js';

/** Storage of satisfaction surveys: one row per survey sent, holding its answer. */
export const surveyModel = defineModel({
  name: 'survey',
  table: 'crm_survey',
  fields: {
    kind: typedField<SurveyKind>('string'),
    status: typedField<SurveyStatus>('string'),
    contactId: { type: 'string' },
    caseId: { type: 'string', nullable: true },
    agentId: { type: 'string', nullable: true },
    productId: { type: 'string', nullable: true },
    channel: { type: 'string', nullable: true },
    onDetractor: typedField<DetractorAction>('string'),
    sentAt: { type: 'timestamp' },
    remindedAt: { type: 'timestamp', nullable: true },
    reminderCount: { type: 'integer' },
    answeredAt: { type: 'timestamp', nullable: true },
    expiredAt: { type: 'timestamp', nullable: true },
    score: { type: 'integer', nullable: true },
    comment: { type: 'text', nullable: true },
    detractor: { type: 'boolean', nullable: true },
    // Set by `send(input, { idempotencyKey })`: a repeated send returns this survey.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    // A case's surveys, and its latest answer (`answeredAt` decides, not the order of calls).
    { name: 'case_answered', fields: ['caseId', 'kind', 'answeredAt'], whereNotNull: ['caseId'] },
    { name: 'contact_sent', fields: ['contactId', '-sentAt'] },
    // Satisfaction reports by agent, product and period read answered surveys by time.
    { name: 'agent_answered', fields: ['agentId', 'kind', 'answeredAt'], whereNotNull: ['agentId'] },
    { name: 'product_answered', fields: ['productId', 'kind', 'answeredAt'], whereNotNull: ['productId'] },
    { name: 'kind_answered', fields: ['kind', 'answeredAt'] },
    { name: 'status_sent', fields: ['status', 'sentAt'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});
