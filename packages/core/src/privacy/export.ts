import { assetEntity } from '../assets/asset.entity.js';
import { auditModel } from '../audit/audit.model.js';
import type { AuditEntry } from '../audit/audit.schema.js';
import { campaignMemberEntity } from '../campaigns/campaign.entity.js';
import { caseEntity } from '../cases/case.entity.js';
import type { CaseActivity } from '../cases/case.schema.js';
import type { TenantContext } from '../common/context.js';
import { companyEntity } from '../companies/company.entity.js';
import { companyModel } from '../companies/company.model.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { contractEntity } from '../contracts/contract.entity.js';
import { dealEntity } from '../deals/deal.entity.js';
import { eventModel } from '../events/event.model.js';
import { jsonSafe } from '../events/json-safe.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import { orderEntity } from '../orders/order.entity.js';
import { segmentModel } from '../segments/segment.model.js';
import { surveyEntity } from '../surveys/survey.entity.js';
import { taskEntity } from '../tasks/task.entity.js';
import { toConsentChange } from './consent-changes.js';
import type { PersonalDataHandler } from './personal-data-handler.js';
import { findPersonalRecords, readAll, recordRefs, scanAll } from './personal-records.js';
import { consentChangeModel, erasureModel } from './privacy.model.js';
import type { ErasureRecord, ExportedEvent, PersonalDataExport } from './privacy.schema.js';
import { PersonalIdentifiers, Redactor } from './redaction.js';

/**
 * Builds the personal-data document of a contact (see `privacy.export`).
 * Every section is read in keyset pages; the tenant's audit trail and outbox
 * are scanned from the contact's creation on, keeping what mentions it.
 */
export async function exportContact(ctx: TenantContext, contactId: string, handlers: readonly PersonalDataHandler[]): Promise<PersonalDataExport> {
  const storage = ctx.storage;
  const tenantId = ctx.tenantId;
  const now = ctx.now();
  const records = await findPersonalRecords(storage, tenantId, contactId);
  const contact = contactEntity.toRecord(records.contact);
  const refs = recordRefs(records);
  const redactor = new Redactor(new PersonalIdentifiers(contact, refs.map((r) => r.id)));
  const about = new Set(refs.map((r) => r.id));

  const companyRow = contact.companyId ? await storage.findOne({ model: companyModel, tenantId, id: contact.companyId }) : undefined;
  const segmentIds = [...new Set(records.segmentMembers.map((m) => m.segmentId))];
  const segments = segmentIds.length > 0 ? await readAll(storage, segmentModel, tenantId, { id: { in: segmentIds } }) : [];
  const segmentNames = new Map(segments.map((s) => [s.id, s.name]));

  const auditEntries: AuditEntry[] = [];
  await scanAll(storage, auditModel, tenantId, { at: { gte: contact.createdAt } }, (row) => {
    if (about.has(row.recordId) || redactor.mentions(row.changes)) auditEntries.push(row);
  });
  const events: ExportedEvent[] = [];
  await scanAll(storage, eventModel, tenantId, { occurredAt: { gte: contact.createdAt } }, (row) => {
    if (redactor.mentions(row.data)) events.push({ id: row.id, type: row.type, actorId: row.actorId, occurredAt: row.occurredAt, data: row.data });
  });

  const extensions: Record<string, unknown> = {};
  for (const handler of handlers) {
    extensions[handler.name] = await handler.export({
      storage, tenantId, contactId, records: refs, now,
      mentions: (value) => redactor.mentions(value), redact: (value) => value,
    });
  }

  const document: PersonalDataExport = {
    format: 'crmkit.personal-data.v1',
    exportedAt: now,
    tenantId,
    contactId,
    contact,
    company: companyRow ? companyEntity.toRecord(companyRow) : null,
    deals: records.deals.map((r) => dealEntity.toRecord(r)),
    orders: records.orders.map((r) => orderEntity.toRecord(r)),
    orderLines: records.orderLines,
    assets: records.assets.map((r) => assetEntity.toRecord(r)),
    contracts: records.contracts.map((r) => contractEntity.toRecord(r)),
    cases: records.cases.map((r) => caseEntity.toRecord(r)),
    caseActivity: records.caseActivity as CaseActivity[],
    interactions: records.interactions.map((r) => interactionEntity.toRecord(r)),
    tasks: records.tasks.map((r) => taskEntity.toRecord(r)),
    surveys: records.surveys.map((r) => surveyEntity.toRecord(r)),
    campaignMemberships: records.campaignMembers.map((r) => campaignMemberEntity.toRecord(r)),
    segmentMemberships: records.segmentMembers.map((m) => ({ segmentId: m.segmentId, segmentName: segmentNames.get(m.segmentId) ?? null, addedAt: m.addedAt })),
    consentHistory: (await readAll(storage, consentChangeModel, tenantId, { contactId })).map(toConsentChange),
    auditEntries,
    events,
    erasures: (await readAll(storage, erasureModel, tenantId, { contactId })).map((row): ErasureRecord => ({
      id: row.id, tenantId: row.tenantId, contactId: row.contactId, erasedAt: row.erasedAt, reason: row.reason,
      requestedBy: row.requestedBy, actorId: row.actorId, counts: row.counts,
    })),
    extensions,
  };
  // Money beyond 2^53 minor units becomes a decimal string: the document goes through JSON.stringify as it is.
  return jsonSafe(document);
}
