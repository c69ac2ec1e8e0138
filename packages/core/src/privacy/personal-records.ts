import { assetModel } from '../assets/asset.model.js';
import { campaignMemberModel } from '../campaigns/campaign.model.js';
import { caseActivityModel, caseModel } from '../cases/case.model.js';
import { contactModel } from '../contacts/contact.model.js';
import { serviceContractModel } from '../contracts/contract.model.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { NotFoundError } from '../errors.js';
import { interactionContactModel, interactionModel } from '../interactions/interaction.model.js';
import { orderLineModel, orderModel } from '../orders/order.model.js';
import { segmentMemberModel } from '../segments/segment.model.js';
import type { Storage } from '../storage/adapter.js';
import type { ModelDefinition, RowOfModel } from '../storage/schema.js';
import type { Where } from '../storage/where.js';
import { surveyModel } from '../surveys/survey.model.js';
import { taskModel } from '../tasks/task.model.js';
import type { PersonalRecordRef } from './personal-data-handler.js';

/**
 * Rows per read. Every section is read in keyset pages of this many rows, so
 * no query returns an unbounded result; a section itself holds all of the
 * person's rows (a person has hundreds, not millions).
 */
export const pageSize = 500;

type RowOf<M> = NonNullable<RowOfModel<M>>;

/** Every row of a filter, read in id order in pages of {@link pageSize}. */
export async function readAll<R extends { id: string }>(storage: Storage, model: ModelDefinition<R>, tenantId: string, where: Where): Promise<R[]> {
  const out: R[] = [];
  for (let after: string | undefined; ; ) {
    const page = await storage.findMany({ model, tenantId, where, orderBy: [{ field: 'id' }], limit: pageSize, ...(after ? { after: { id: after } } : {}) });
    out.push(...page);
    if (page.length < pageSize) return out;
    after = page[page.length - 1]!.id;
  }
}

/**
 * Calls `visit` with every row of a filter, page by page, without keeping
 * them: for the scans of a tenant's outbox and audit trail.
 */
export async function scanAll<R extends { id: string }>(
  storage: Storage,
  model: ModelDefinition<R>,
  tenantId: string,
  where: Where,
  visit: (row: R) => Promise<void> | void,
): Promise<void> {
  for (let after: string | undefined; ; ) {
    const page = await storage.findMany({ model, tenantId, where, orderBy: [{ field: 'id' }], limit: pageSize, ...(after ? { after: { id: after } } : {}) });
    for (const row of page) await visit(row);
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/** The rows crmkit's core holds about one contact, as stored. */
export interface PersonalRecords {
  contact: RowOf<typeof contactModel>;
  deals: RowOf<typeof dealModel>[];
  orders: RowOf<typeof orderModel>[];
  orderLines: RowOf<typeof orderLineModel>[];
  assets: RowOf<typeof assetModel>[];
  contracts: RowOf<typeof serviceContractModel>[];
  cases: RowOf<typeof caseModel>[];
  caseActivity: RowOf<typeof caseActivityModel>[];
  interactions: RowOf<typeof interactionModel>[];
  tasks: RowOf<typeof taskModel>[];
  surveys: RowOf<typeof surveyModel>[];
  campaignMembers: RowOf<typeof campaignMemberModel>[];
  segmentMembers: RowOf<typeof segmentMemberModel>[];
}

/**
 * Finds every row about the contact: by its id on the records that name it,
 * through the link tables (deals, interactions), and through its cases (their
 * history and messages) and records (tasks linked to any of them). The
 * database joins (`inQuery`), so no id list travels back and forth.
 * @throws {NotFoundError} when the tenant has no such contact
 */
export async function findPersonalRecords(storage: Storage, tenantId: string, contactId: string, forUpdate = false): Promise<PersonalRecords> {
  const contact = await storage.findOne({ model: contactModel, tenantId, id: contactId, ...(forUpdate ? { forUpdate } : {}) });
  if (contact === undefined) throw new NotFoundError('contact', contactId);
  const mine = { contactId };
  const dealIds = { inQuery: { model: dealContactModel, field: 'dealId', where: mine } };
  const caseIds = { inQuery: { model: caseModel, field: 'id', where: mine } };
  const read = <R extends { id: string }>(model: ModelDefinition<R>, where: Where) => readAll(storage, model, tenantId, where);
  const linked = (type: string, model: ModelDefinition<object>) => ({ linkedType: type, linkedId: { inQuery: { model, field: 'id', where: mine } } });
  // One read after another: a transaction is one connection, which runs one statement at a time anyway.
  const deals = await read(dealModel, { id: dealIds });
  const orders = await read(orderModel, mine);
  const orderLines = await read(orderLineModel, { orderId: { inQuery: { model: orderModel, field: 'id', where: mine } } });
  const assets = await read(assetModel, mine);
  const contracts = await read(serviceContractModel, mine);
  const cases = await read(caseModel, mine);
  const caseActivity = await read(caseActivityModel, { caseId: caseIds });
  const interactionIds = { inQuery: { model: interactionContactModel, field: 'interactionId', where: mine } };
  const interactions = await read(interactionModel, { or: [{ id: interactionIds }, { caseId: caseIds }] });
  const tasks = await read(taskModel, {
    or: [
      { linkedType: 'contact', linkedId: contactId },
      { linkedType: 'deal', linkedId: dealIds },
      { linkedType: 'case', linkedId: caseIds },
      { linkedType: 'interaction', linkedId: interactionIds },
      linked('order', orderModel),
      linked('asset', assetModel),
      linked('contract', serviceContractModel),
      linked('survey', surveyModel),
    ],
  });
  const surveys = await read(surveyModel, mine);
  const campaignMembers = await read(campaignMemberModel, mine);
  const segmentMembers = await read(segmentMemberModel, mine);
  return { contact, deals, orders, orderLines, assets, contracts, cases, caseActivity, interactions, tasks, surveys, campaignMembers, segmentMembers };
}

/** The records as references, the contact first: what extensions look for. */
export function recordRefs(records: PersonalRecords): PersonalRecordRef[] {
  const refs: PersonalRecordRef[] = [{ type: 'contact', id: records.contact.id }];
  const add = (type: string, rows: { id: string }[]) => rows.forEach((r) => refs.push({ type, id: r.id }));
  add('deal', records.deals);
  add('order', records.orders);
  add('asset', records.assets);
  add('contract', records.contracts);
  add('case', records.cases);
  add('interaction', records.interactions);
  add('task', records.tasks);
  add('survey', records.surveys);
  add('campaignMember', records.campaignMembers);
  return refs;
}
