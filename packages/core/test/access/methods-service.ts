import { expect } from 'vitest';
import type { TenantScope } from '@crmkit/core';
import type { MethodSuite, SeedIds } from './method-cases.js';

/** A day in the seeded world's year (the test clock starts on 2026-03-02). */
const day = (d: string) => `2026-${d}`;

/**
 * The service and data services (orders, assets, contracts, cases, SLA
 * policies, surveys, segments, campaigns, imports, exports, duplicates,
 * privacy) held to an actor who may do nothing: every read is empty or
 * missing, every write refused. The world is one customer with an order, an
 * asset under warranty, a contract, a case with a survey, segments and a
 * campaign, all owned by `ids.owner`.
 */
export const serviceMethods: MethodSuite = {
  async seed(sys: TenantScope, ids: SeedIds): Promise<void> {
    const ownerId = ids.owner!;
    const team = await sys.teams.create({ name: 'Service: desk' });
    const company = await sys.companies.create({ name: 'Seeded Ltd', domain: 'seeded.example', ownerId });
    const contact = await sys.contacts.create({ firstName: 'Ada', lastName: 'Seeded', email: 'ada@seeded.example', companyId: company.id, ownerId });
    const twin = await sys.contacts.create({ firstName: 'Ada', lastName: 'Seeded', email: 'ada.2@seeded.example', companyId: company.id, ownerId });
    const product = await sys.products.create({ name: 'Seeded printer', price: { minor: 30_000, currency: 'USD' }, warrantyMonths: 24, ownerId });
    const pipeline = await sys.pipelines.create({ name: 'Service: seeded sales', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }] });
    const deal = await sys.deals.create({ title: 'Seeded deal', pipelineId: pipeline.id, contactIds: [contact.id], ownerId, amount: { minor: 1_000, currency: 'USD' } });
    await sys.deals.markWon(deal.id);
    const order = await sys.orders.create({
      contactId: contact.id, currency: 'USD', externalId: 'seeded-order', number: 'SO-1', ownerId,
      lines: [{ productId: product.id, quantity: 1 }],
    });
    const asset = await sys.assets.create({ productId: product.id, orderId: order.id, serialNumber: 'SEED-1', ownerId });
    const contract = await sys.contracts.create({
      name: 'Seeded care', kind: 'service', contactId: contact.id, assetIds: [asset.id], status: 'active',
      startDate: day('01-01'), endDate: day('12-31'), ownerId,
    });
    const draft = await sys.contracts.create({ name: 'Seeded draft', kind: 'service', contactId: contact.id, startDate: day('01-01'), endDate: day('12-31'), ownerId });
    const sla = await sys.slaPolicies.create({ name: 'Service: seeded SLA', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 600 } } });
    const ticket = await sys.cases.create({ subject: 'Seeded case', contactId: contact.id, assetId: asset.id, contractId: contract.id, teamId: team.id, ownerId, channel: 'email' });
    const responded = await sys.cases.respond(ticket.id, { body: 'On it', messageId: '<seeded-1@example>' });
    const resolved = await sys.cases.create({ subject: 'Seeded resolved case', contactId: contact.id, ownerId });
    await sys.cases.setStatus(resolved.id, 'resolved');
    const survey = await sys.surveys.send({ kind: 'csat', caseId: ticket.id, agentId: ownerId });
    const dynamic = await sys.segments.create({ name: 'Service: seeded customers', rule: { email: { contains: 'seeded.example' } }, refreshEveryMinutes: 60 });
    await sys.segments.refresh(dynamic.id);
    const list = await sys.segments.create({ name: 'Service: seeded list', kind: 'static' });
    await sys.segments.addMembers(list.id, [contact.id]);
    const campaign = await sys.campaigns.create({ name: 'Service: seeded campaign', channel: 'email', ownerId });
    await sys.campaigns.enroll(campaign.id, { contactIds: [contact.id] });
    Object.assign(ids, {
      svcTeam: team.id, svcCompany: company.id, svcContact: contact.id, svcTwin: twin.id, svcProduct: product.id, svcPipeline: pipeline.id, svcDeal: deal.id,
      svcOrder: order.id, svcAsset: asset.id, svcContract: contract.id, svcDraftContract: draft.id, svcSlaPolicy: sla.id, svcCase: ticket.id,
      svcResolvedCase: resolved.id, svcInteraction: responded.interaction.id, svcSurvey: survey.id, svcSegment: dynamic.id, svcList: list.id, svcCampaign: campaign.id,
    });
  },

  cases: {
    // Orders
    'orders.get': { run: (t, ids) => t.orders.get(ids.svcOrder!), expect: 'refused' },
    'orders.list': { run: (t) => t.orders.list(), expect: 'empty' },
    'orders.create': { run: (t, ids) => t.orders.create({ contactId: ids.svcContact!, currency: 'USD', lines: [{ name: 'x', unitPriceMinor: 1, quantity: 1 }] }), expect: 'refused' },
    'orders.createFromDeal': { run: (t, ids) => t.orders.createFromDeal(ids.svcDeal!), expect: 'refused' },
    'orders.find': { run: (t) => t.orders.find({ externalId: 'seeded-order' }), expect: 'empty' },
    'orders.lines': { run: (t, ids) => t.orders.lines(ids.svcOrder!), expect: 'refused' },
    'orders.ofCustomer': { run: (t, ids) => t.orders.ofCustomer({ contactId: ids.svcContact! }), expect: 'empty' },
    'orders.lastOrders': { run: (t) => t.orders.lastOrders(), expect: 'empty' },
    'orders.update': { run: (t, ids) => t.orders.update(ids.svcOrder!, { channel: 'web' }), expect: 'refused' },
    'orders.setStatus': { run: (t, ids) => t.orders.setStatus(ids.svcOrder!, 'paid'), expect: 'refused' },

    // Assets
    'assets.get': { run: (t, ids) => t.assets.get(ids.svcAsset!), expect: 'refused' },
    'assets.list': { run: (t) => t.assets.list(), expect: 'empty' },
    'assets.create': { run: (t, ids) => t.assets.create({ productId: ids.svcProduct!, serialNumber: 'NEW-1' }), expect: 'refused' },
    'assets.update': { run: (t, ids) => t.assets.update(ids.svcAsset!, { location: 'Lab' }), expect: 'refused' },
    'assets.setStatus': { run: (t, ids) => t.assets.setStatus(ids.svcAsset!, 'in_repair'), expect: 'refused' },
    'assets.replace': { run: (t, ids) => t.assets.replace(ids.svcAsset!, { serialNumber: 'SEED-2' }), expect: 'refused' },
    'assets.ofCustomer': { run: (t, ids) => t.assets.ofCustomer({ contactId: ids.svcContact! }), expect: 'empty' },

    // Contracts
    'contracts.get': { run: (t, ids) => t.contracts.get(ids.svcContract!), expect: 'refused' },
    'contracts.list': { run: (t) => t.contracts.list(), expect: 'empty' },
    'contracts.create': {
      run: (t, ids) => t.contracts.create({ name: 'New', kind: 'service', contactId: ids.svcContact!, startDate: day('01-01'), endDate: day('12-31') }),
      expect: 'refused',
    },
    'contracts.update': { run: (t, ids) => t.contracts.update(ids.svcContract!, { name: 'Renamed' }), expect: 'refused' },
    'contracts.activate': { run: (t, ids) => t.contracts.activate(ids.svcDraftContract!), expect: 'refused' },
    'contracts.cancel': { run: (t, ids) => t.contracts.cancel(ids.svcContract!), expect: 'refused' },
    'contracts.lapse': { run: (t, ids) => t.contracts.lapse(ids.svcContract!), expect: 'refused' },
    'contracts.renew': { run: (t, ids) => t.contracts.renew(ids.svcContract!), expect: 'refused' },
    'contracts.isCovered': { run: (t, ids) => t.contracts.isCovered(ids.svcAsset!, day('06-01')), expect: 'refused' },
    'contracts.expiring': { run: (t) => t.contracts.expiring({ withinDays: 365 }), expect: 'empty' },
    'contracts.ofAsset': { run: (t, ids) => t.contracts.ofAsset(ids.svcAsset!), expect: 'refused' },
    'contracts.assetIds': { run: (t, ids) => t.contracts.assetIds(ids.svcContract!), expect: 'refused' },

    // Cases
    'cases.get': { run: (t, ids) => t.cases.get(ids.svcCase!), expect: 'refused' },
    'cases.list': { run: (t) => t.cases.list(), expect: 'empty' },
    'cases.create': { run: (t, ids) => t.cases.create({ subject: 'New', contactId: ids.svcContact! }), expect: 'refused' },
    'cases.update': { run: (t, ids) => t.cases.update(ids.svcCase!, { priority: 'high' }), expect: 'refused' },
    'cases.assign': { run: (t, ids) => t.cases.assign(ids.svcCase!, { teamId: null }), expect: 'refused' },
    'cases.setStatus': { run: (t, ids) => t.cases.setStatus(ids.svcCase!, 'pending'), expect: 'refused' },
    'cases.reopen': { run: (t, ids) => t.cases.reopen(ids.svcResolvedCase!), expect: 'refused' },
    'cases.respond': { run: (t, ids) => t.cases.respond(ids.svcCase!, { body: 'note', public: false }), expect: 'refused' },
    'cases.addCustomerMessage': { run: (t, ids) => t.cases.addCustomerMessage(ids.svcCase!, { body: 'hello' }), expect: 'refused' },
    'cases.import': {
      run: (t, ids) => t.cases.import({ externalId: 'zd-1', subject: 'Old', contactId: ids.svcContact!, openedAt: day('01-05T09:00:00Z') }),
      expect: 'refused',
    },
    // The sender is matched over every contact (system work), then refused: the member may not read them.
    'cases.ingest': {
      run: (t) => t.cases.ingest({ channel: 'email', from: 'ada@seeded.example', subject: 'Help', body: 'Broken', inReplyTo: '<seeded-1@example>' }),
      expect: 'refused',
    },
    'cases.history': { run: (t, ids) => t.cases.history(ids.svcCase!), expect: 'refused' },
    'cases.recordSlaEvent': {
      run: (t, ids) => t.cases.recordSlaEvent(ids.svcCase!, { target: 'resolution', kind: 'warning', dueAt: day('03-02T19:00:00Z') }),
      expect: 'refused',
    },

    // SLA policies (no owner: all or none)
    'slaPolicies.get': { run: (t, ids) => t.slaPolicies.get(ids.svcSlaPolicy!), expect: 'refused' },
    'slaPolicies.list': { run: (t) => t.slaPolicies.list(), expect: 'empty' },
    'slaPolicies.create': { run: (t) => t.slaPolicies.create({ name: 'New', targets: { normal: { resolutionMinutes: 60 } } }), expect: 'refused' },
    'slaPolicies.update': { run: (t, ids) => t.slaPolicies.update(ids.svcSlaPolicy!, { name: 'Renamed' }), expect: 'refused' },
    'slaPolicies.reorder': { run: (t, ids) => t.slaPolicies.reorder([ids.svcSlaPolicy!]), expect: 'refused' },
    // Which policy a case would get, among the policies the member may read: none.
    'slaPolicies.match': {
      run: (t) => t.slaPolicies.match({ priority: 'normal' }),
      expect: ({ result, error }) => {
        expect(error).toBeUndefined();
        expect(result).toBeUndefined();
      },
    },

    // Surveys (visible with their contact)
    'surveys.get': { run: (t, ids) => t.surveys.get(ids.svcSurvey!), expect: 'refused' },
    'surveys.list': { run: (t) => t.surveys.list(), expect: 'empty' },
    'surveys.send': { run: (t, ids) => t.surveys.send({ kind: 'nps', contactId: ids.svcContact! }), expect: 'refused' },
    'surveys.remind': { run: (t, ids) => t.surveys.remind(ids.svcSurvey!), expect: 'refused' },
    'surveys.expire': { run: (t, ids) => t.surveys.expire(ids.svcSurvey!), expect: 'refused' },
    'surveys.respond': { run: (t, ids) => t.surveys.respond(ids.svcSurvey!, { score: 1 }), expect: 'refused' },
    'surveys.ofCase': { run: (t, ids) => t.surveys.ofCase(ids.svcCase!), expect: 'empty' },
    'surveys.ofContact': { run: (t, ids) => t.surveys.ofContact(ids.svcContact!), expect: 'empty' },
    'surveys.ofAgent': { run: (t, ids) => t.surveys.ofAgent(ids.owner!), expect: 'empty' },

    // Segments (no owner: all or none; members shown only when readable)
    'segments.get': { run: (t, ids) => t.segments.get(ids.svcSegment!), expect: 'refused' },
    'segments.list': { run: (t) => t.segments.list(), expect: 'empty' },
    'segments.create': { run: (t) => t.segments.create({ name: 'New', kind: 'static' }), expect: 'refused' },
    'segments.update': { run: (t, ids) => t.segments.update(ids.svcSegment!, { name: 'Renamed' }), expect: 'refused' },
    'segments.delete': { run: (t, ids) => t.segments.delete(ids.svcSegment!), expect: 'refused' },
    'segments.refresh': { run: (t, ids) => t.segments.refresh(ids.svcSegment!), expect: 'refused' },
    // Claiming due segments takes every segment: refused unless the member may update them all.
    'segments.refreshDue': { run: (t) => t.segments.refreshDue(), expect: 'refused' },
    'segments.addMembers': { run: (t, ids) => t.segments.addMembers(ids.svcList!, [ids.svcTwin!]), expect: 'refused' },
    'segments.removeMembers': { run: (t, ids) => t.segments.removeMembers(ids.svcList!, [ids.svcContact!]), expect: 'refused' },
    'segments.members': { run: (t, ids) => t.segments.members(ids.svcSegment!), expect: 'refused' },
    'segments.count': { run: (t, ids) => t.segments.count(ids.svcSegment!), expect: 'refused' },
    'segments.ofContact': { run: (t, ids) => t.segments.ofContact(ids.svcContact!), expect: 'empty' },

    // Campaigns (members are the campaign's: changing them is an update of it)
    'campaigns.get': { run: (t, ids) => t.campaigns.get(ids.svcCampaign!), expect: 'refused' },
    'campaigns.list': { run: (t) => t.campaigns.list(), expect: 'empty' },
    'campaigns.create': { run: (t) => t.campaigns.create({ name: 'New', channel: 'email' }), expect: 'refused' },
    'campaigns.update': { run: (t, ids) => t.campaigns.update(ids.svcCampaign!, { name: 'Renamed' }), expect: 'refused' },
    'campaigns.setStatus': { run: (t, ids) => t.campaigns.setStatus(ids.svcCampaign!, 'active'), expect: 'refused' },
    'campaigns.enroll': { run: (t, ids) => t.campaigns.enroll(ids.svcCampaign!, { segmentId: ids.svcSegment! }), expect: 'refused' },
    'campaigns.members': { run: (t, ids) => t.campaigns.members(ids.svcCampaign!), expect: 'refused' },
    'campaigns.markSent': { run: (t, ids) => t.campaigns.markSent(ids.svcCampaign!), expect: 'refused' },
    'campaigns.setMemberStatus': { run: (t, ids) => t.campaigns.setMemberStatus(ids.svcCampaign!, { contactId: ids.svcContact!, status: 'opened' }), expect: 'refused' },
    'campaigns.recordResponse': { run: (t, ids) => t.campaigns.recordResponse(ids.svcCampaign!, { contactId: ids.svcContact!, type: 'email' }), expect: 'refused' },
    'campaigns.report': { run: (t, ids) => t.campaigns.report(ids.svcCampaign!), expect: 'refused' },

    // Imports: enforced row by row. Keyed on a hidden contact's email, the row is a new contact, which the member may not create.
    'imports.run': {
      run: (t) => t.imports.run('contact', 'email,firstName\nada@seeded.example,Ada\nnew@elsewhere.example,New\n', { mode: 'upsert', key: 'email' }),
      expect: ({ result, error }, ids) => {
        expect(error).toBeUndefined();
        const report = result as { created: number; updated: number; rejected: number; issues: { line: number; code: string }[] };
        expect({ created: report.created, updated: report.updated, rejected: report.rejected }).toEqual({ created: 0, updated: 0, rejected: 2 });
        expect(report.issues.map((i) => [i.line, i.code])).toEqual([[2, 'FORBIDDEN'], [3, 'FORBIDDEN']]);
        for (const id of Object.values(ids)) expect(JSON.stringify(report)).not.toContain(id);
      },
    },

    // Exports: a member who may export none of the entity is refused, not handed an empty file.
    'exports.stream': {
      run: async (t) => {
        for await (const chunk of t.exports.stream('contact')) void chunk;
      },
      expect: 'refused',
    },
    'exports.toWritable': {
      run: (t) => t.exports.toWritable('order', { write: () => true } as unknown as NodeJS.WritableStream),
      expect: 'refused',
    },
    'exports.count': { run: (t, ids) => t.exports.count({ segmentId: ids.svcSegment! }), expect: 'refused' },

    // Duplicates: found only among readable records; merging needs `merge` on every record.
    'duplicates.find': { run: (t) => t.duplicates.find({ entity: 'contact' }), expect: 'empty' },
    'duplicates.check': { run: (t) => t.duplicates.check('contact', { firstName: 'Ada', lastName: 'Seeded', email: 'ada@seeded.example' }), expect: 'empty' },
    'duplicates.merge': { run: (t, ids) => t.duplicates.merge({ entity: 'contact', survivorId: ids.svcContact!, mergedIds: [ids.svcTwin!] }), expect: 'refused' },

    // Privacy: export needs read + export on the contact, erase delete; both then reach everything (system work).
    'privacy.export': { run: (t, ids) => t.privacy.export(ids.svcContact!), expect: 'refused' },
    'privacy.erase': { run: (t, ids) => t.privacy.erase(ids.svcContact!), expect: 'refused' },
    'privacy.consentHistory': { run: (t, ids) => t.privacy.consentHistory(ids.svcContact!), expect: 'refused' },
  },
};
