import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { ValidationError } from '../errors.js';
import { contactEntity } from './contact.entity.js';
import type { contactModel } from './contact.model.js';
import { type Contact, type ContactInput, contactInputSchema, type ContactPatch, contactPatchSchema } from './contact.schema.js';
import { contactPointsPatch, mergeEmails, mergePhones } from './contact-fields.js';
import { toE164 } from './phone.js';
import { getOrSurvivor } from '../merge/resolve.js';
import { consentSource, recordConsentChanges } from '../privacy/consent-changes.js';
import type { ConsentSourceOption } from '../privacy/privacy.schema.js';

type ParsedContact = z.output<typeof contactInputSchema>;
type NewContact = Omit<Contact, 'tenantId' | 'id' | 'createdAt' | 'updatedAt' | 'version'>;

/**
 * Rows per chunk of `createMany`: validated, checked, inserted and their
 * outbox rows written before the next chunk is looked at, so that memory
 * holds one chunk of work, not the whole call.
 */
const chunkSize = 500;

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
      const contact = await this.store.insert(w, { ...this.#toRecord(data, w.now), idempotencyKey: idempotencyKey ?? null });
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
    const consent = consentSource(options?.source);
    const created: Contact[] = [];
    await this.ctx.write(async (w) => {
      for (let start = 0; start < list.length; start += chunkSize) {
        const chunk = list.slice(start, start + chunkSize).map((input, i) => this.#parseAt(input, start + i, w.now));
        const ref = (field: 'companyId' | 'ownerId') => chunk.map((r) => r[field]).filter((v): v is string => v !== null);
        await assertAllExist(w.tx, this.ctx, 'company', ref('companyId'));
        await assertAllExist(w.tx, this.ctx, 'member', ref('ownerId'));
        const rows = chunk.map((record) => this.store.newRow(w, { ...record, idempotencyKey: null }));
        await w.tx.createMany({ model: contactEntity.model, tenantId: this.ctx.tenantId, rows });
        await recordConsentChanges(w, rows.map((r) => ({ contactId: r.id, from: {}, to: r.consent })), consent);
        for (const row of rows) {
          const record = this.store.toRecord(row as NonNullable<(typeof contactModel)['rowType']>);
          created.push(record);
          w.audit('contact', record.id, 'create', [], 1);
          w.emit('contact.created', { record });
        }
        await w.unit.flush();
      }
    });
    return created;
  }

  #parseAt(input: unknown, index: number, now: string): Omit<NewContact, 'idempotencyKey'> {
    try {
      return this.#toRecord(parseInput(contactInputSchema, input, 'contact'), now);
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
      const links = await w.tx.findMany({ model: dealContactModel, tenantId, where: { contactId }, select: ['dealId'] });
      // Each deal drops the contact from its own list too, audited like any edit.
      for (const link of links) {
        const deal = await w.tx.findOne({ model: dealModel, tenantId, id: link.dealId, forUpdate: true });
        if (!deal) continue;
        const contactIds = deal.contactIds.filter((c) => c !== contactId);
        const updated = await w.tx.update({ model: dealModel, tenantId, id: deal.id, data: { contactIds, updatedAt: w.now } });
        w.audit('deal', deal.id, 'update', [{ field: 'contactIds', from: deal.contactIds, to: contactIds }], updated.version);
      }
      await w.tx.deleteMany({ model: dealContactModel, tenantId, where: { contactId } });
      w.emit('contact.deleted', { record });
    });
  }

  #toRecord(data: ParsedContact, now: string): Omit<NewContact, 'idempotencyKey'> {
    const emails = mergeEmails(data.email, data.emails?.map((e) => ({ address: e.address, label: e.label ?? null })));
    const phones = mergePhones(data.phone, data.phones, this.ctx.runtime.defaultCountry);
    return {
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      email: emails[0]?.address ?? null,
      emails,
      phone: phones[0]?.number ?? null,
      phones,
      companyId: data.companyId ?? null,
      title: data.title ?? null,
      lifecycleStage: data.lifecycleStage,
      source: data.source ?? null,
      birthDate: data.birthDate ?? null,
      occupation: data.occupation ?? null,
      familyStatus: data.familyStatus ?? null,
      city: data.city ?? null,
      country: data.country ?? null,
      preferredChannel: data.preferredChannel ?? null,
      productInterests: data.productInterests ?? [],
      consent: data.consent ?? {},
      satisfaction: data.satisfaction ?? null,
      satisfactionAt: data.satisfaction === undefined || data.satisfaction === null ? null : now,
      csat: null,
      csatAt: null,
      externalId: data.externalId ?? null,
      erasedAt: null,
      ...ownedDefaults(this.ctx, 'contact', data),
    };
  }
}
