import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { ValidationError } from '../errors.js';
import { contactEntity } from './contact.entity.js';
import type { contactModel } from './contact.model.js';
import { type Contact, type ContactInput, contactInputSchema, type ContactPatch, contactPatchSchema } from './contact.schema.js';
import { createContacts, newContact, type PreparedContact, prepareContact } from './contact-create.js';
import { contactPointsPatch } from './contact-fields.js';
import { toE164 } from './phone.js';
import { getOrSurvivor } from '../merge/resolve.js';
import { consentSource, recordConsentChanges } from '../privacy/consent-changes.js';
import type { ConsentSourceOption } from '../privacy/privacy.schema.js';

/** Contacts: the people a tenant sells to and serves. Reached as `crm.tenant(id).contacts`. */
export class ContactsService extends RecordService<NonNullable<(typeof contactModel)['rowType']>, Contact> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, contactEntity);
  }

  /**
   * Reads one contact; the id of a contact merged into another (`duplicates.merge`) reads the survivor.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such contact
   */
  override async get(id: string): Promise<Contact> {
    return getOrSurvivor(this.store, parseInput(idSchema, id, 'contact id'));
  }

  /**
   * Creates a contact. Emails are stored lower-case, phones as E.164. With an
   * `idempotencyKey`, a repeated call returns the contact the first one made.
   * Consent given is recorded with the `source` option (`privacy.consentHistory`).
   * @throws {ValidationError} @throws {NotFoundError} for an unknown company or owner
   * @example
   * const ada = await t.contacts.create({ firstName: 'Ada', email: 'Ada@Acme.io', tags: ['vip'] });
   */
  async create(input: ContactInput, options?: CreateOptions & ConsentSourceOption): Promise<Contact> {
    const data = parseInput(contactInputSchema, input, 'contact');
    const { source, ...createOptions } = options ?? {};
    const consent = consentSource(source);
    const { idempotencyKey } = parseInput(createOptionsSchema, createOptions, 'create options');
    return createOnce(this.store, idempotencyKey, async (w) => {
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const contact = await this.store.insert(w, newContact(prepareContact(this.ctx, data), w.now, idempotencyKey ?? null));
      await recordConsentChanges(w, [{ contactId: contact.id, from: {}, to: contact.consent }], consent);
      w.emit('contact.created', { record: contact });
      return contact;
    });
  }

  /**
   * Creates many contacts in one transaction: one bad input (reported with its
   * index in the path) writes nothing. The work runs in chunks of 500, each
   * validated, checked and written with its outbox rows before the next, so
   * memory holds a chunk, not the call. Emits one `contact.created` per contact.
   * @throws {ValidationError} @throws {NotFoundError} @throws {DuplicateError}
   */
  async createMany(inputs: readonly ContactInput[], options?: ConsentSourceOption): Promise<Contact[]> {
    const list = parseInput(z.array(z.unknown()).max(100_000), inputs, 'contact list');
    return createContacts(this.ctx, list, (input, index) => this.#parseAt(input, index), consentSource(options?.source));
  }

  #parseAt(input: unknown, index: number): PreparedContact {
    try {
      return prepareContact(this.ctx, parseInput(contactInputSchema, input, 'contact'));
    } catch (error) {
      if (error instanceof ValidationError) for (const issue of error.issues) issue.path.unshift(index);
      throw error;
    }
  }

  /** Contacts whose primary email is this address (compared lower-case). */
  async findByEmail(email: string): Promise<Contact[]> {
    const address = parseInput(z.email().max(254), email.trim(), 'email').toLowerCase();
    return this.store.all({ email: address });
  }

  /** Contacts whose primary phone is this number, after E.164 normalisation. */
  async findByPhone(phone: string): Promise<Contact[]> {
    const number = toE164(parseInput(z.string().max(40), phone, 'phone'), this.ctx.runtime.defaultCountry);
    if (number === null) throw ValidationError.single(`${JSON.stringify(phone)} is not a valid phone number`, ['phone']);
    return this.store.all({ phone: number });
  }

  /**
   * Changes a contact. `custom` keys merge into the existing ones (`null` removes
   * a key); setting `satisfaction` also stamps `satisfactionAt`. Each consent
   * change is recorded with the `source` option (`privacy.consentHistory`).
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: ContactPatch, options?: WriteOptions & ConsentSourceOption): Promise<Contact> {
    const contactId = parseInput(idSchema, id, 'contact id');
    const data = parseInput(contactPatchSchema, patch, 'contact patch');
    const { source, ...writeOptions } = options ?? {};
    const consent = consentSource(source);
    const { expectedVersion } = parseInput(writeOptionsSchema, writeOptions, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'company', data.companyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { email, emails, phone, phones, custom, satisfaction, ...rest } = data;
      const { before, after, changes } = await this.store.patch(
        w,
        contactId,
        (before) => ({
          ...defined(rest),
          ...contactPointsPatch(before, { email, emails: emails?.map((e) => ({ address: e.address, label: e.label ?? null })), phone, phones }, this.ctx.runtime.defaultCountry),
          ...(satisfaction !== undefined ? { satisfaction, satisfactionAt: satisfaction === null ? null : w.now } : {}),
          ...defined({ custom: mergedCustom(this.ctx, 'contact', before.custom, custom) }),
        }),
        expectedVersion,
      );
      if (changes.length > 0) w.emit('contact.updated', { record: after, changes });
      await recordConsentChanges(w, [{ contactId, from: before.consent, to: after.consent }], consent);
      return after;
    });
  }

  /**
   * Deletes a contact and its links to deals (each deal's `contactIds` loses it), in one transaction.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const contactId = parseInput(idSchema, id, 'contact id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, contactId, expectedVersion);
      const tenantId = this.ctx.tenantId;
      // System work: every deal of the contact drops it, also deals the actor may not read or
      // change, or they would keep naming a contact that is gone.
      const links = await w.systemTx.findMany({ model: dealContactModel, tenantId, where: { contactId }, select: ['dealId'] });
      // Each deal drops the contact from its own list too, audited like any edit.
      for (const link of links) {
        const deal = await w.systemTx.findOne({ model: dealModel, tenantId, id: link.dealId, forUpdate: true });
        if (!deal) continue;
        const contactIds = deal.contactIds.filter((c) => c !== contactId);
        const updated = await w.systemTx.update({ model: dealModel, tenantId, id: deal.id, data: { contactIds, updatedAt: w.now } });
        w.audit('deal', deal.id, 'update', [{ field: 'contactIds', from: deal.contactIds, to: contactIds }], updated.version);
      }
      await w.tx.deleteMany({ model: dealContactModel, tenantId, where: { contactId } });
      w.emit('contact.deleted', { record });
    });
  }
}
