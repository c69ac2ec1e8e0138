import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { Consent, ContactChannel, EmailAddress, LifecycleStage, PhoneNumber } from './contact.schema.js';

/** Storage of contacts (people). */
export const contactModel = defineModel({
  name: 'contact',
  table: 'crm_contact',
  fields: {
    ...ownedFields,
    firstName: { type: 'string', nullable: true },
    lastName: { type: 'string', nullable: true },
    email: { type: 'string', nullable: true },
    emails: typedField<EmailAddress[]>('json'),
    phone: { type: 'string', nullable: true },
    phones: typedField<PhoneNumber[]>('json'),
    companyId: { type: 'string', nullable: true },
    title: { type: 'string', nullable: true },
    lifecycleStage: typedField<LifecycleStage>('string'),
    source: { type: 'string', nullable: true },
    birthDate: { type: 'date', nullable: true },
    occupation: { type: 'string', nullable: true },
    familyStatus: { type: 'string', nullable: true },
    city: { type: 'string', nullable: true },
    country: { type: 'string', nullable: true },
    preferredChannel: typedField<ContactChannel | null>('string', { nullable: true }),
    productInterests: typedField<string[]>('json'),
    consent: typedField<Consent>('json'),
    satisfaction: { type: 'integer', nullable: true },
    satisfactionAt: { type: 'timestamp', nullable: true },
    // The latest CSAT answer (1-5), kept by `surveys.respond`; `satisfaction` holds the latest NPS.
    csat: { type: 'integer', nullable: true },
    csatAt: { type: 'timestamp', nullable: true },
    externalId: { type: 'string', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
    // Set by `privacy.erase`: the personal data is gone, the row stays for foreign keys and aggregates (0022).
    erasedAt: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'email', fields: ['email'], whereNotNull: ['email'] },
    { name: 'phone', fields: ['phone'], whereNotNull: ['phone'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'company', fields: ['companyId'] },
    { name: 'lifecycle_created', fields: ['lifecycleStage', 'createdAt'] },
    { name: 'owner', fields: ['ownerId', 'createdAt'] },
    { name: 'last_name', fields: ['lastName', 'firstName'] },
    { name: 'created', fields: ['createdAt'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});
