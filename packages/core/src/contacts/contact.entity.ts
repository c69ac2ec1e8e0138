import { defineEntity, sameShape } from '../entities/entity.js';
import { contactModel } from './contact.model.js';
import type { Contact } from './contact.schema.js';

/** Contacts: the people a tenant sells to and serves. */
export const contactEntity = defineEntity({
  name: 'contact', service: 'contacts', model: contactModel,
  toRecord: (row): Contact => row, toRow: sameShape.toRow<Contact>,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
