import type { TenantContext } from '../common/context.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { contactModel } from '../contacts/contact.model.js';
import { NotFoundError } from '../errors.js';
import { survivorOf } from '../merge/resolve.js';
import type { Storage } from '../storage/adapter.js';
import { toConsentChange } from './consent-changes.js';
import { eraseContact } from './erase.js';
import { exportContact } from './export.js';
import { readAll } from './personal-records.js';
import { consentChangeModel } from './privacy.model.js';
import { type ConsentChange, type EraseOptions, eraseOptionsSchema, type ErasureRecord, type PersonalDataExport } from './privacy.schema.js';

/**
 * The contact an id names: itself, or the survivor it was merged into
 * (`duplicates.merge`), so that a request made with an id kept from before a
 * merge reaches the person, whose data the merge moved there.
 * @throws {NotFoundError} naming the id asked for, when it names neither
 */
async function contactIdOf(ctx: TenantContext, storage: Storage, id: string): Promise<string> {
  const contact = await storage.findOne({ model: contactModel, tenantId: ctx.tenantId, id });
  if (contact !== undefined) return id;
  const survivorId = await survivorOf(ctx, 'contact', id, storage);
  // Redirects are plumbing, read whatever the actor's grant: the survivor must be readable through `storage` too.
  if (survivorId === undefined || (await storage.findOne({ model: contactModel, tenantId: ctx.tenantId, id: survivorId })) === undefined) {
    throw new NotFoundError('contact', id);
  }
  return survivorId;
}

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
   * contact's creation on. The id of a contact merged into another exports
   * the survivor, which holds what the merge moved.
   * With access control the actor needs `read` and `export` on the contact, and the document is complete.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such contact
   * @throws {ForbiddenError} (contact, 'export', id) for a contact the actor may read but not export
   * @example
   * const doc = await t.privacy.export(ada.id);
   * await writeFile('ada.json', JSON.stringify(doc, null, 2));
   */
  async export(contactId: string): Promise<PersonalDataExport> {
    const id = await contactIdOf(this.#ctx, this.#ctx.storage, parseInput(idSchema, contactId, 'contact id'));
    await this.#ctx.assertAllowed(contactModel, id, 'export');
    // A data subject's copy must be complete (GDPR art. 15): once the actor may read and export the person,
    // the document is assembled as system work, with the deals, cases, audit entries... they may not read.
    return exportContact(this.#ctx.asSystem(), id, this.#ctx.runtime.personalData);
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
   * was written since. The id of a contact merged into another erases the
   * survivor.
   * With access control the actor needs `delete` on the contact; what the erasure touches beyond it is system work.
   * @throws {ValidationError} @throws {NotFoundError} when the tenant has no such contact
   * @throws {ForbiddenError} (contact, 'delete', id) for a contact the actor may read but not delete
   * @example
   * const erasure = await t.privacy.erase(ada.id, { reason: 'GDPR art. 17 request', requestedBy: 'ticket #4711' });
   */
  async erase(contactId: string, options?: EraseOptions): Promise<ErasureRecord> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const { reason, requestedBy } = parseInput(eraseOptionsSchema, options, 'erase options');
    // Resolved under the transaction: a merge committing meanwhile cannot leave the erasure on a deleted id.
    return this.#ctx.write(async (w) => {
      const resolved = await contactIdOf(this.#ctx, w.tx, id);
      await this.#ctx.assertAllowed(contactModel, resolved, 'delete', w.systemTx);
      // Erasing reaches everything that names the person, whoever owns it (others' deals, cases, audit
      // entries): system work, once the actor may delete the contact.
      return eraseContact(w.asSystem(), resolved, { reason, requestedBy }, this.#ctx.runtime.personalData);
    });
  }

  /**
   * Every consent change of a contact, oldest first: channel, from, to, when,
   * where it came from (`source`) and who made it. The id of a contact merged
   * into another reads the survivor's history, which the merge's changes joined.
   * @throws {ValidationError} @throws {NotFoundError} when the tenant has no such contact
   * @example
   * await t.contacts.update(ada.id, { consent: { email: 'denied' } }, { source: 'unsubscribe-link' });
   * const history = await t.privacy.consentHistory(ada.id);
   */
  async consentHistory(contactId: string): Promise<ConsentChange[]> {
    const storage = this.#ctx.storage;
    const id = await contactIdOf(this.#ctx, storage, parseInput(idSchema, contactId, 'contact id'));
    const rows = await readAll(storage, consentChangeModel, this.#ctx.tenantId, { contactId: id });
    return rows.map(toConsentChange);
  }
}
