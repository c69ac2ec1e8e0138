import type { TenantContext } from '../common/context.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { contactModel } from '../contacts/contact.model.js';
import { NotFoundError } from '../errors.js';
import { toConsentChange } from './consent-changes.js';
import { eraseContact } from './erase.js';
import { exportContact } from './export.js';
import { readAll } from './personal-records.js';
import { consentChangeModel } from './privacy.model.js';
import { type ConsentChange, type EraseOptions, eraseOptionsSchema, type ErasureRecord, type PersonalDataExport } from './privacy.schema.js';

/**
 * Data-protection duties towards one person (GDPR articles 15, 17 and 7):
 * what crmkit holds about them, erasing it, and the history of their consent.
 * Reached as `crm.tenant(id).privacy`. Extensions with tables of their own
 * (workflows) take part through `createCrm({ personalData })`.
 */
export class PrivacyService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * Everything crmkit holds about a contact, as one JSON-safe document: the
   * contact, its company, deals, orders and lines, assets, contracts, cases
   * and their history, interactions, tasks, surveys, campaign and segment
   * memberships, consent history, audit entries and outbox events about it,
   * earlier erasures, and the sections of registered extensions. Reads go in
   * pages of 500 rows; the audit trail and the outbox are scanned from the
   * contact's creation on.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such contact
   * @example
   * const doc = await t.privacy.export(ada.id);
   * await writeFile('ada.json', JSON.stringify(doc, null, 2));
   */
  async export(contactId: string): Promise<PersonalDataExport> {
    const id = parseInput(idSchema, contactId, 'contact id');
    return exportContact(this.#ctx, id, this.#ctx.runtime.personalData);
  }

  /**
   * Erases a person, in one transaction. The contact row stays, anonymised
   * and flagged (`erasedAt`), so that deals, orders, cases and every report
   * keep their rows, links, amounts and counts; what named or described the
   * person goes everywhere: the contact's fields, the texts of interactions
   * with them alone (others' lose the person's email, phone and name), their
   * cases' subjects and descriptions, survey comments, asset locations, the
   * values in audit entries and outbox payloads, and the extensions' tables.
   * Consent is cleared and the change recorded (source `erasure`). An
   * erasure record with the rows changed per table remains, and
   * `contact.erased` is emitted. Erasing an erased contact again scrubs what
   * was written since.
   * @throws {ValidationError} @throws {NotFoundError} when the tenant has no such contact
   * @example
   * const erasure = await t.privacy.erase(ada.id, { reason: 'GDPR art. 17 request', requestedBy: 'ticket #4711' });
   */
  async erase(contactId: string, options?: EraseOptions): Promise<ErasureRecord> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const { reason, requestedBy } = parseInput(eraseOptionsSchema, options, 'erase options');
    return this.#ctx.write((w) => eraseContact(w, id, { reason, requestedBy }, this.#ctx.runtime.personalData));
  }

  /**
   * Every consent change of a contact, oldest first: channel, from, to, when,
   * where it came from (`source`) and who made it.
   * @throws {ValidationError} @throws {NotFoundError} when the tenant has no such contact
   * @example
   * await t.contacts.update(ada.id, { consent: { email: 'denied' } }, { source: 'unsubscribe-link' });
   * const history = await t.privacy.consentHistory(ada.id);
   */
  async consentHistory(contactId: string): Promise<ConsentChange[]> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const storage = this.#ctx.storage;
    const contact = await storage.findOne({ model: contactModel, tenantId: this.#ctx.tenantId, id });
    if (contact === undefined) throw new NotFoundError('contact', id);
    const rows = await readAll(storage, consentChangeModel, this.#ctx.tenantId, { contactId: id });
    return rows.map(toConsentChange);
  }
}
