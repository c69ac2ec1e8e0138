import { defineModel, typedField } from '../storage/schema.js';
import type { CrmEventName } from './event-map.js';

/**
 * The outbox: every domain event, written in the same transaction as the
 * change it describes. In-process listeners hear it after commit; durable
 * consumers (the workflow triggers) read it as a commit-ordered log across
 * tenants (`storage.readLog`), so a crash between commit and emission loses
 * nothing and a consumer never has to know the tenants.
 */
export const eventModel = defineModel({
  name: 'event',
  table: 'crm_event',
  versioned: false,
  log: true,
  fields: {
    type: typedField<CrmEventName>('string'),
    actorId: { type: 'string', nullable: true },
    occurredAt: { type: 'timestamp' },
    data: { type: 'json' },
  },
  indexes: [{ name: 'type_occurred', fields: ['type', 'occurredAt'] }],
});
