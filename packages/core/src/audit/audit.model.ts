import { defineModel, typedField } from '../storage/schema.js';
import type { AuditAction, AuditChange } from './audit.schema.js';

/** Audit trail storage: one row per update or delete of a record. */
export const auditModel = defineModel({
  name: 'auditEntry',
  table: 'crm_audit_entry',
  versioned: false,
  fields: {
    entity: { type: 'string' },
    recordId: { type: 'string' },
    action: typedField<AuditAction>('string'),
    actorId: { type: 'string', nullable: true },
    changes: typedField<AuditChange[]>('json'),
    at: { type: 'timestamp' },
    recordVersion: { type: 'integer', nullable: true },
  },
  indexes: [
    { name: 'record', fields: ['entity', 'recordId', 'at'] },
    { name: 'actor', fields: ['actorId', 'at'] },
  ],
});
