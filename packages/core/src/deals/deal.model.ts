import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { DealLine, DealStatus } from './deal.schema.js';

/** Storage of deals (opportunities). */
export const dealModel = defineModel({
  name: 'deal',
  table: 'crm_deal',
  fields: {
    ...ownedFields,
    title: { type: 'string' },
    pipelineId: { type: 'string' },
    stageId: { type: 'string' },
    status: typedField<DealStatus>('string'),
    amountMinor: { type: 'bigint' },
    currency: { type: 'string' },
    probability: { type: 'integer' },
    // Stored rather than computed so pipeline reports stay one SQL aggregate.
    weightedAmountMinor: { type: 'bigint' },
    expectedCloseOn: { type: 'date', nullable: true },
    stageEnteredAt: { type: 'timestamp' },
    closedAt: { type: 'timestamp', nullable: true },
    lostReason: { type: 'string', nullable: true },
    companyId: { type: 'string', nullable: true },
    contactIds: typedField<string[]>('json'),
    lines: typedField<DealLine[]>('json'),
    campaignId: { type: 'string', nullable: true },
    source: { type: 'string', nullable: true },
    externalId: { type: 'string', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'pipeline_stage', fields: ['pipelineId', 'stageId'] },
    { name: 'status_closed', fields: ['status', 'closedAt'] },
    { name: 'owner_status', fields: ['ownerId', 'status', 'closedAt'] },
    { name: 'company', fields: ['companyId'] },
    { name: 'expected_close', fields: ['expectedCloseOn'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});

/** The many-to-many link between deals and contacts. */
export const dealContactModel = defineModel({
  name: 'dealContact',
  table: 'crm_deal_contact',
  versioned: false,
  fields: {
    dealId: { type: 'string' },
    contactId: { type: 'string' },
    role: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'deal_contact', fields: ['dealId', 'contactId'], unique: true },
    { name: 'contact', fields: ['contactId'] },
  ],
});

/** Every stage change of every deal, the source of velocity and cycle reports. */
export const stageChangeModel = defineModel({
  name: 'stageChange',
  table: 'crm_deal_stage_change',
  versioned: false,
  fields: {
    dealId: { type: 'string' },
    pipelineId: { type: 'string' },
    fromStageId: { type: 'string', nullable: true },
    toStageId: { type: 'string' },
    toStatus: typedField<DealStatus>('string'),
    at: { type: 'timestamp' },
    actorId: { type: 'string', nullable: true },
    // Time spent in the stage being left: stage velocity is then a plain AVG.
    secondsInFromStage: { type: 'integer', nullable: true },
  },
  indexes: [
    { name: 'deal_at', fields: ['dealId', 'at'] },
    { name: 'pipeline_from', fields: ['pipelineId', 'fromStageId', 'at'] },
  ],
});
