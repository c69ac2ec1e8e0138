import type { CaseType } from '../contracts/case-types.js';
import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { CaseSla } from './case.schema.js';
import type { CaseActivityKind, CaseChannel, CasePriority, CaseStatus, SlaTargetName } from './case-values.js';

/** Storage of cases (service requests). */
export const caseModel = defineModel({
  name: 'case',
  table: 'crm_case',
  fields: {
    ...ownedFields,
    number: { type: 'integer' },
    subject: { type: 'string' },
    description: { type: 'text', nullable: true },
    contactId: { type: 'string', nullable: true },
    companyId: { type: 'string', nullable: true },
    assetId: { type: 'string', nullable: true },
    contractId: { type: 'string', nullable: true },
    type: typedField<CaseType>('string'),
    channel: typedField<CaseChannel>('string'),
    priority: typedField<CasePriority>('string'),
    status: typedField<CaseStatus>('string'),
    teamId: { type: 'string', nullable: true },
    slaPolicyId: { type: 'string', nullable: true },
    sla: typedField<CaseSla>('json'),
    openedAt: { type: 'timestamp' },
    firstResponseAt: { type: 'timestamp', nullable: true },
    // The due times are copied out of `sla` so timers and backlog reports query them by index.
    firstResponseDueAt: { type: 'timestamp', nullable: true },
    nextResponseDueAt: { type: 'timestamp', nullable: true },
    resolutionDueAt: { type: 'timestamp', nullable: true },
    awaitingSince: { type: 'timestamp', nullable: true },
    resolvedAt: { type: 'timestamp', nullable: true },
    closedAt: { type: 'timestamp', nullable: true },
    reopenCount: { type: 'integer' },
    pausedMinutes: { type: 'number' },
    // The figures are stored when reached, so SLA reports are plain aggregates.
    firstResponseMinutes: { type: 'number', nullable: true },
    firstResponseBusinessMinutes: { type: 'number', nullable: true },
    resolutionMinutes: { type: 'number', nullable: true },
    resolutionBusinessMinutes: { type: 'number', nullable: true },
    firstResponseBreached: { type: 'boolean', nullable: true },
    resolutionBreached: { type: 'boolean', nullable: true },
    nextResponseBreaches: { type: 'integer' },
    satisfaction: { type: 'integer', nullable: true },
    externalId: { type: 'string', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    // Unique per tenant: two concurrent creates cannot both take a number.
    { name: 'number', fields: ['number'], unique: true },
    { name: 'status_priority', fields: ['status', 'priority', 'openedAt'] },
    { name: 'contact_opened', fields: ['contactId', '-openedAt'] },
    { name: 'company_opened', fields: ['companyId', '-openedAt'] },
    { name: 'owner_status', fields: ['ownerId', 'status'] },
    { name: 'team_status', fields: ['teamId', 'status'] },
    { name: 'asset', fields: ['assetId'] },
    { name: 'opened', fields: ['openedAt'] },
    { name: 'resolved', fields: ['resolvedAt'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});

/** Every status change, response, customer message and SLA event of every case. */
export const caseActivityModel = defineModel({
  name: 'caseActivity',
  table: 'crm_case_activity',
  versioned: false,
  fields: {
    caseId: { type: 'string' },
    kind: typedField<CaseActivityKind>('string'),
    at: { type: 'timestamp' },
    actorId: { type: 'string', nullable: true },
    fromStatus: typedField<CaseStatus | null>('string', { nullable: true }),
    toStatus: typedField<CaseStatus | null>('string', { nullable: true }),
    interactionId: { type: 'string', nullable: true },
    target: typedField<SlaTargetName | null>('string', { nullable: true }),
    waitMinutes: { type: 'number', nullable: true },
    businessWaitMinutes: { type: 'number', nullable: true },
    breached: { type: 'boolean', nullable: true },
    data: typedField<Record<string, unknown>>('json'),
  },
  indexes: [
    { name: 'case_at', fields: ['caseId', 'at'] },
    { name: 'kind_at', fields: ['kind', 'at'] },
  ],
});
