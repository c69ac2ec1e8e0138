import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { companyModel } from '../companies/company.model.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { ValidationError } from '../errors.js';
import { memberModel } from '../members/member.model.js';
import type { Row } from '../storage/adapter.js';
import { contactModel } from './contact.model.js';
import { type Contact, type ContactInput, contactInputSchema, type ContactPatch, contactPatchSchema } from './contact.schema.js';
import { contactPointsPatch, mergeEmails, mergePhones } from './contact-fields.js';
import { toE164 } from './phone.js';

type ParsedContact = z.output<typeof contactInputSchema>;

/** Contacts: the people a tenant sells to and serves. Reached as `crm.tenant(id).contacts`. */
export class ContactsService extends RecordService<Contact> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, new EntityStore<Contact>(ctx, contactModel, (row: Row) => row as unknown as Contact));
  }

  /**
   * Creates a contact. Emails are stored lower-case, phones as E.164.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown company or owner
   * @example
   * const ada = await t.contacts.create({ firstName: 'Ada', email: 'Ada@Acme.io', tags: ['vip'] });
   */
  async create(input: ContactInput): Promise<Contact> {
    const data = parseInput(contactInputSchema, input, 'contact');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, companyModel, data.companyId);
      await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
      const contact = await this.store.insert(w, this.#toRow(data));
      w.emit('contact.created', { record: contact });
      return contact;
    });
  }

  /**
   * Creates many contacts in one transaction: every input is validated first
   * and one bad input (reported with its index in the path) writes nothing.
   * Emits one `contact.created` per contact.
   * @throws {ValidationError} @throws {NotFoundError} @throws {DuplicateError}
   */
  async createMany(inputs: readonly ContactInput[]): Promise<Contact[]> {
    const list = parseInput(z.array(z.unknown()).max(100_000), inputs, 'contact list');
    const parsed = list.map((input, i) => {
      try {
        return this.#toRow(parseInput(contactInputSchema, input, 'contact'));
      } catch (error) {
        if (error instanceof ValidationError) for (const issue of error.issues) issue.path.unshift(i);
        throw error;
      }
    });
    return this.ctx.write(async (w) => {
      const ref = (field: string) => parsed.map((r) => r[field]).filter((v): v is string => typeof v === 'string');
      await assertAllExist(w.tx, this.ctx, companyModel, ref('companyId'));
      await assertAllExist(w.tx, this.ctx, memberModel, ref('ownerId'));
      const rows = parsed.map((data) => this.store.newRow(w, data));
      await w.tx.createMany({ model: contactModel, tenantId: this.ctx.tenantId, rows });
      const contacts = rows.map((row) => this.store.toRecord(row));
      for (const record of contacts) w.emit('contact.created', { record });
      return contacts;
    });
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
   * a key); setting `satisfaction` also stamps `satisfactionAt`.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: ContactPatch, options?: WriteOptions): Promise<Contact> {
    const contactId = parseInput(idSchema, id, 'contact id');
    const data = parseInput(contactPatchSchema, patch, 'contact patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write((w) => this.updateIn(w, contactId, data, expectedVersion));
  }

  /** @internal The update inside a running write (used by other services). */
  async updateIn(w: WriteScope, id: string, data: z.output<typeof contactPatchSchema>, expectedVersion?: number): Promise<Contact> {
    await assertExists(w.tx, this.ctx, companyModel, data.companyId);
    await assertExists(w.tx, this.ctx, memberModel, data.ownerId);
    const { email, emails, phone, phones, custom, satisfaction, ...rest } = data;
    const { after, changes } = await this.store.patch(
      w,
      id,
      (before) => ({
        ...defined(rest),
        ...contactPointsPatch(before, { email, emails: emails?.map((e) => ({ address: e.address, label: e.label ?? null })), phone, phones }, this.ctx.runtime.defaultCountry),
        ...(satisfaction !== undefined ? { satisfaction, satisfactionAt: w.now } : {}),
        ...defined({ custom: mergedCustom(this.ctx, 'contact', before.custom, custom) }),
      }),
      expectedVersion,
    );
    if (changes.length > 0) w.emit('contact.updated', { record: after, changes });
    return after;
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
        const dealId = link.dealId as string;
        const deal = await w.tx.findOne({ model: dealModel, tenantId, id: dealId });
        if (!deal) continue;
        const contactIds = (deal.contactIds as string[]).filter((id) => id !== contactId);
        await w.tx.update({ model: dealModel, tenantId, id: dealId, data: { contactIds, updatedAt: w.now } });
        w.audit('deal', dealId, 'update', [{ field: 'contactIds', from: deal.contactIds, to: contactIds }], (deal.version as number) + 1);
      }
      await w.tx.deleteMany({ model: dealContactModel, tenantId, where: { contactId } });
      w.emit('contact.deleted', { record });
    });
  }

  #toRow(data: ParsedContact): Row {
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
      satisfactionAt: data.satisfaction === undefined || data.satisfaction === null ? null : this.ctx.now(),
      externalId: data.externalId ?? null,
      ...ownedDefaults(this.ctx, 'contact', data),
    };
  }
}
