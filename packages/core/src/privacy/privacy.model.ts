import { defineModel, typedField } from '../storage/schema.js';
import type { ContactChannel } from '../contacts/contact.schema.js';
import type { ConsentValue } from './privacy.schema.js';

/**
 * One erasure of a person (`privacy.erase`): what was asked, by whom, and how
 * many rows of each table were scrubbed. It holds no personal data, so it
 * outlives the erasure as the proof that it happened.
 */
export const erasureModel = defineModel({
  name: 'erasure',
  table: 'crm_erasure',
  versioned: false,
  fields: {
    contactId: { type: 'string' },
    erasedAt: { type: 'timestamp' },
    reason: { type: 'string', nullable: true },
    requestedBy: { type: 'string', nullable: true },
    actorId: { type: 'string', nullable: true },
    counts: typedField<Record<string, number>>('json'),
  },
  indexes: [{ name: 'contact', fields: ['contactId', 'erasedAt'] }],
});

/**
 * Every change of a contact's consent on one channel, written in the
 * transaction of the create or update that made it: the record of when and
 * where a person agreed or objected, which consent law asks a controller to
 * be able to show.
 */
export const consentChangeModel = defineModel({
  name: 'consentChange',
  table: 'crm_consent_change',
  versioned: false,
  fields: {
    contactId: { type: 'string' },
    channel: typedField<ContactChannel>('string'),
    from: typedField<ConsentValue | null>('string', { nullable: true, column: 'from_value' }),
    to: typedField<ConsentValue | null>('string', { nullable: true, column: 'to_value' }),
    at: { type: 'timestamp' },
    source: { type: 'string' },
    actorId: { type: 'string', nullable: true },
  },
  indexes: [{ name: 'contact_at', fields: ['contactId', 'at'] }],
});
