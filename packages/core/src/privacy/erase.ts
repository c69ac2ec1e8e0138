import { auditModel } from '../audit/audit.model.js';
import { assetModel } from '../assets/asset.model.js';
import { caseActivityModel, caseModel } from '../cases/case.model.js';
import type { WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { contactModel } from '../contacts/contact.model.js';
import { serviceContractModel } from '../contracts/contract.model.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { dealLineModel } from '../deals/deal-lines.model.js';
import { eventModel } from '../events/event.model.js';
import { interactionModel } from '../interactions/interaction.model.js';
import { orderLineModel, orderModel } from '../orders/order.model.js';
import type { ModelDefinition } from '../storage/schema.js';
import { surveyModel } from '../surveys/survey.model.js';
import { taskModel } from '../tasks/task.model.js';
import { recordConsentChanges } from './consent-changes.js';
import type { PersonalDataHandler } from './personal-data-handler.js';
import { findPersonalRecords, type PersonalRecords, readAll, recordRefs, scanAll } from './personal-records.js';
import { erasureModel } from './privacy.model.js';
import type { ErasureRecord } from './privacy.schema.js';
import { erasedText, PersonalIdentifiers, Redactor } from './redaction.js';

/**
 * The contact fields that hold the person, and what an erased contact keeps
 * in them. Left as they were: the company, owner, lifecycle stage, product
 * interests, satisfaction scores and tags (redacted): what reports count, none
 * of which names anyone once the rest is gone.
 */
const anonymousContact: Readonly<Partial<NonNullable<(typeof contactModel)['rowType']>>> = {
  firstName: null, lastName: null, email: null, emails: [], phone: null, phones: [], title: null, birthDate: null,
  occupation: null, familyStatus: null, city: null, country: null, preferredChannel: null, consent: {}, custom: {},
  externalId: null, idempotencyKey: null,
};

/** What one erasure is doing: the person, the wiped fields of each record, rows changed per table. */
class Erasure {
  readonly counts: Record<string, number> = {};
  readonly wiped = new Map<string, Record<string, unknown>>();
  readonly redactor: Redactor;

  constructor(
    readonly w: WriteScope,
    readonly records: PersonalRecords,
  ) {
    const contact = contactEntity.toRecord(records.contact);
    this.redactor = new Redactor(new PersonalIdentifiers(contact, recordRefs(records).map((r) => r.id)), this.wiped);
  }

  /**
   * Scrubs rows of one table: `wipe` are fields replaced whole (texts the
   * person wrote), every other field listed in `redact` loses the person's
   * spellings. Rows stay, with their amounts and links: aggregates do not move.
   */
  async scrub<R extends { id: string }>(model: ModelDefinition<R>, rows: readonly R[], plan: { wipe?: (row: R) => Partial<R>; redact?: readonly (keyof R & string)[] }): Promise<void> {
    for (const row of rows) {
      const wipe = plan.wipe?.(row) ?? {};
      const data: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(wipe)) if (!same(value, row[field as keyof R])) data[field] = value;
      for (const field of plan.redact ?? []) {
        if (field in wipe) continue;
        const next = this.redactor.redact(row[field]);
        if (!same(next, row[field])) data[field] = next;
      }
      if (Object.keys(wipe).length > 0) this.wiped.set(row.id, { ...this.wiped.get(row.id), ...wipe });
      if (Object.keys(data).length === 0) continue;
      await this.w.tx.update({ model, tenantId: this.w.ctx.tenantId, id: row.id, data: { ...data, updatedAt: this.w.now } as unknown as Partial<R> });
      this.count(model.table);
    }
  }

  count(table: string, n = 1): void {
    if (n > 0) this.counts[table] = (this.counts[table] ?? 0) + n;
  }
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Erases a contact in the writing transaction `w` (see `privacy.erase`):
 * scrubs core's tables, then the extensions' (`handlers`), records the
 * erasure and emits `contact.erased`.
 */
export async function eraseContact(
  w: WriteScope,
  contactId: string,
  options: { reason?: string | undefined; requestedBy?: string | undefined },
  handlers: readonly PersonalDataHandler[],
): Promise<ErasureRecord> {
  // Audit and outbox rows of earlier calls in a host transaction go to their tables first, where the scans below scrub them.
  await w.unit.flush();
  const tenantId = w.ctx.tenantId;
  const records = await findPersonalRecords(w.tx, tenantId, contactId, true);
  const e = new Erasure(w, records);
  const { contact } = records;
  const only = (ids: readonly string[]) => ids.every((id) => id === contactId);

  await e.scrub(contactModel, [contact], { wipe: () => ({ ...anonymousContact }), redact: ['tags', 'source', 'productInterests'] });
  const flagged = await w.tx.update({ model: contactModel, tenantId, id: contactId, data: { erasedAt: w.now, updatedAt: w.now } });
  await recordConsentChanges(w, [{ contactId, from: contact.consent, to: {} }], 'erasure');
  // What was wiped is named in the audit trail, never its values.
  w.audit('contact', contactId, 'update', Object.keys(anonymousContact).map((field) => ({ field, from: null, to: null })), flagged.version);

  // An exchange with the person alone is theirs entirely; one with others only loses the person's spellings.
  await e.scrub(interactionModel, records.interactions, {
    // A message id that spells the person goes; it only ever served to store a redelivered message once.
    wipe: (row) => ({
      ...(only(row.contactIds) ? { subject: null, body: null } : {}),
      ...(row.messageId !== null && e.redactor.identifiers.inText(row.messageId) ? { messageId: null } : {}),
    }),
    redact: ['subject', 'body', 'outcome', 'custom', 'tags'],
  });
  await e.scrub(caseModel, records.cases, { wipe: () => ({ subject: erasedText, description: null }), redact: ['custom', 'tags'] });
  await e.scrub(caseActivityModel, records.caseActivity, { redact: ['data'] });
  await e.scrub(surveyModel, records.surveys, { wipe: (row) => (row.comment === null ? {} : { comment: null }) });
  await e.scrub(dealModel, records.deals, { redact: ['title', 'lostReason', 'lines', 'custom', 'tags'] });
  // The deal lines table copies each deal's loss reason for the win / loss report.
  const dealLines = await readAll(w.tx, dealLineModel, tenantId, { dealId: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId } } } });
  await e.scrub(dealLineModel, dealLines, { redact: ['lostReason'] });
  await e.scrub(orderModel, records.orders, { redact: ['custom', 'tags'] });
  await e.scrub(orderLineModel, records.orderLines, { redact: ['name'] });
  await e.scrub(assetModel, records.assets, { wipe: (row) => (row.location === null ? {} : { location: null }), redact: ['name', 'custom', 'tags'] });
  await e.scrub(serviceContractModel, records.contracts, { redact: ['name', 'custom', 'tags'] });
  await e.scrub(taskModel, records.tasks, { redact: ['title', 'description', 'custom', 'tags'] });

  await scrubAudit(e, contact.createdAt);
  await scrubOutbox(e, contact.createdAt);

  const refs = recordRefs(records);
  for (const handler of handlers) {
    const counts = await handler.erase({
      storage: w.tx, tenantId, contactId, records: refs, now: w.now,
      mentions: (value) => e.redactor.mentions(value), redact: (value) => e.redactor.redact(value),
    });
    for (const [table, n] of Object.entries(counts)) e.count(table, n);
  }

  const erasure: ErasureRecord = {
    id: newId(), tenantId, contactId, erasedAt: w.now, reason: options.reason ?? null, requestedBy: options.requestedBy ?? null,
    actorId: w.ctx.actorId, counts: e.counts,
  };
  const { tenantId: _tenant, ...row } = erasure;
  await w.tx.create({ model: erasureModel, tenantId, data: { ...row, createdAt: w.now, updatedAt: w.now } });
  w.emit('contact.erased', { contactId, erasureId: erasure.id });
  return erasure;
}

/**
 * The audit trail keeps who changed which field when; the values that were
 * the person's go. Entries are read from the contact's creation on (none
 * before can mention it), in pages.
 */
async function scrubAudit(e: Erasure, since: string): Promise<void> {
  const { tx, ctx } = e.w;
  await scanAll(tx, auditModel, ctx.tenantId, { at: { gte: since } }, async (row) => {
    const about = e.wiped.has(row.recordId);
    if (!about && !e.redactor.mentions(row.changes)) return;
    const changes = e.redactor.redactChanges(row.recordId, row.changes) as typeof row.changes;
    if (same(changes, row.changes)) return;
    await tx.update({ model: auditModel, tenantId: ctx.tenantId, id: row.id, data: { changes, updatedAt: e.w.now } });
    e.count(auditModel.table);
  });
}

/**
 * The outbox is a commit-ordered log: rewriting a row's payload keeps its
 * position (`Storage.readLog`: updating a row does not move it), so readers
 * that have not reached it yet read the scrubbed payload and nothing is
 * replayed. Consumers that already read an event hold their own copy.
 */
async function scrubOutbox(e: Erasure, since: string): Promise<void> {
  const { tx, ctx } = e.w;
  await scanAll(tx, eventModel, ctx.tenantId, { occurredAt: { gte: since } }, async (row) => {
    if (!e.redactor.mentions(row.data)) return;
    const data = e.redactor.redact(row.data);
    if (same(data, row.data)) return;
    await tx.update({ model: eventModel, tenantId: ctx.tenantId, id: row.id, data: { data, updatedAt: e.w.now } });
    e.count(eventModel.table);
  });
}
