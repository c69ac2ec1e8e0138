import { expect } from 'vitest';
import type { ChurnModel, TenantScope } from '@crmkit/core';
import type { MethodCase, MethodExpectation, MethodSuite, SeedIds } from './method-cases.js';

/*
 * The sales side of the method harness: companies, contacts, deals,
 * pipelines, products, interactions, tasks, timeline, audit, reports,
 * customers, insights, members and teams. `seed` makes a small world owned
 * by `ids.owner` in which every method has something to find: a company with
 * a subsidiary, a contact of it with orders of two products, an open deal
 * that moved once and a won one, an interaction, tasks about the deal and the
 * contact, a team with a member, stored RFM scores. The `nobody` actor may
 * read none of it, so reads come back empty or refused, and writes refused.
 */

/** The system scope the world was seeded through, for the checks that compare with it. */
let world: TenantScope | undefined;

/** Resolved, and every count, amount and rate in the result is zero (or absent): nothing was counted. */
function countsNothing(outcome: { result?: unknown; error?: unknown }): void {
  expect(outcome.error).toBeUndefined();
  const positive: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number' && value !== 0 && !Number.isNaN(value)) positive.push(`${path}=${value}`);
    else if (typeof value === 'bigint' && value !== 0n) positive.push(`${path}=${value}`);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  walk(outcome.result, 'result');
  expect(positive).toEqual([]);
}

/** A report that must count nothing for `nobody`, while the system scope counts the seeded world. */
function report(run: (t: TenantScope, ids: SeedIds) => unknown): MethodCase {
  return {
    run,
    expect: async (outcome, ids) => {
      countsNothing(outcome);
      // The same report through the system scope does count something: the check above means something.
      const all = await run(world!, ids);
      expect(() => countsNothing({ result: all })).toThrow();
    },
  };
}

const refused: MethodExpectation = 'refused';
const empty: MethodExpectation = 'empty';

/** A minimal valid churn model (as `trainChurnModel` returns), to score with. */
const churnModel: ChurnModel = {
  kind: 'crmkit.churn.logistic', version: 1, label: 'noOrder', cutoff: '2026-01-01T00:00:00.000Z', horizonDays: 30,
  statuses: ['placed', 'paid', 'fulfilled'], currency: null, recentCaseDays: 90,
  features: [{ name: 'frequency', mean: 1, std: 1, coefficient: -0.5 }], intercept: 0, l2: 0.01,
  training: { customers: 10, churned: 5, train: 7, test: 3, seed: 1, testShare: 0.3, iterations: 5 }, heldOutAuc: null,
};

export const salesMethods: MethodSuite = {
  async seed(sys, ids) {
    world = sys;
    const ownerId = ids.owner!;
    const team = await sys.teams.create({ name: 'Seeded sales team', ownerId });
    const teammate = await sys.members.create({ name: 'Seeded teammate', role: 'rep', teamIds: [team.id], ownerId });
    const company = await sys.companies.create({ name: 'Seeded Co', domain: 'seeded-sales.example', ownerId });
    const subsidiary = await sys.companies.create({ name: 'Seeded Sub', parentCompanyId: company.id, ownerId });
    const contact = await sys.contacts.create({
      firstName: 'Seeded', email: 'seeded@sales.example', phone: '+14155550123', companyId: company.id, ownerId, source: 'web',
    });
    const product = await sys.products.create({ name: 'Seeded widget', price: { minor: 1000, currency: 'USD' }, ownerId });
    const gadget = await sys.products.create({ name: 'Seeded gadget', price: { minor: 2500, currency: 'USD' }, ownerId });
    const pipeline = await sys.pipelines.create({
      name: 'Seeded pipeline', currency: 'USD',
      stages: [{ name: 'Open' }, { name: 'Next' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
    });
    const deal = await sys.deals.create({
      title: 'Seeded deal', pipelineId: pipeline.id, companyId: company.id, contactIds: [contact.id], ownerId,
      lines: [{ productId: product.id, quantity: 2 }], expectedCloseOn: '2026-06-30', source: 'web',
    });
    await sys.deals.moveToStage(deal.id, pipeline.stages[1]!.id);
    const won = await sys.deals.create({ title: 'Seeded won deal', pipelineId: pipeline.id, contactIds: [contact.id], ownerId, amount: { minor: 5000, currency: 'USD' } });
    await sys.deals.markWon(won.id);
    const interaction = await sys.interactions.log({ type: 'call', contactIds: [contact.id], dealId: deal.id, memberIds: [ownerId], ownerId });
    const task = await sys.tasks.create({ title: 'Seeded task', assigneeId: ownerId, ownerId, link: { type: 'deal', id: deal.id } });
    const contactTask = await sys.tasks.create({ title: 'Seeded contact task', assigneeId: ownerId, ownerId, link: { type: 'contact', id: contact.id } });
    const done = await sys.tasks.create({ title: 'Seeded done task', assigneeId: ownerId, ownerId });
    await sys.tasks.complete(done.id);
    // Fixed days before any clock a harness runs on (tests start on 2026-03-02).
    const placed = (date: string) => `${date}T10:00:00.000Z`;
    const first = await sys.orders.create({ contactId: contact.id, ownerId, currency: 'USD', placedAt: placed('2025-06-01'), lines: [{ productId: product.id }] });
    const second = await sys.orders.create({
      contactId: contact.id, ownerId, currency: 'USD', placedAt: placed('2025-09-01'), lines: [{ productId: product.id }, { productId: gadget.id }],
    });
    const buyer = await sys.contacts.create({ firstName: 'Seeded buyer', ownerId, source: 'web' });
    const third = await sys.orders.create({ contactId: buyer.id, ownerId, currency: 'USD', placedAt: placed('2025-08-01'), lines: [{ productId: product.id }] });
    await sys.customers.refreshRfmScores();
    // After-sales records for the service reports: an asset under warranty, a claim on it, answered and rated.
    const asset = await sys.assets.create({ productId: product.id, contactId: contact.id, orderId: first.id, ownerId });
    const warranty = await sys.contracts.create({
      name: 'Seeded warranty', kind: 'warranty', contactId: contact.id, assetIds: [asset.id], startDate: '2025-06-01', endDate: '2026-03-20', status: 'active', ownerId,
    });
    const claim = await sys.cases.create({ subject: 'Seeded claim', contactId: contact.id, assetId: asset.id, type: 'warranty_claim', ownerId, openedAt: placed('2026-02-01') });
    await sys.cases.respond(claim.id, { body: 'On it', at: placed('2026-02-02') });
    const survey = await sys.surveys.send({ kind: 'csat', contactId: contact.id, caseId: claim.id, agentId: ownerId, sentAt: placed('2026-02-03') });
    await sys.surveys.respond(survey.id, { score: 4 });
    Object.assign(ids, {
      team: team.id, teammate: teammate.id, company: company.id, subsidiary: subsidiary.id, contact: contact.id, buyer: buyer.id,
      product: product.id, gadget: gadget.id, pipeline: pipeline.id, stage: pipeline.stages[1]!.id, deal: deal.id, wonDeal: won.id,
      interaction: interaction.id, task: task.id, contactTask: contactTask.id, doneTask: done.id,
      order: first.id, secondOrder: second.id, thirdOrder: third.id, asset: asset.id, contract: warranty.id, case: claim.id, survey: survey.id,
    });
  },

  cases: {
    // Companies
    'companies.get': { run: (t, ids) => t.companies.get(ids.company!), expect: refused },
    'companies.list': { run: (t) => t.companies.list(), expect: empty },
    'companies.create': { run: (t) => t.companies.create({ name: 'Nobody Co' }), expect: refused },
    'companies.findByDomain': { run: (t) => t.companies.findByDomain('seeded-sales.example'), expect: empty },
    'companies.subsidiaries': { run: (t, ids) => t.companies.subsidiaries(ids.company!), expect: empty },
    'companies.update': { run: (t, ids) => t.companies.update(ids.company!, { name: 'Taken' }), expect: refused },
    'companies.delete': { run: (t, ids) => t.companies.delete(ids.company!), expect: refused },
    // Contacts
    'contacts.get': { run: (t, ids) => t.contacts.get(ids.contact!), expect: refused },
    'contacts.list': { run: (t) => t.contacts.list(), expect: empty },
    'contacts.create': { run: (t) => t.contacts.create({ firstName: 'Nobody' }), expect: refused },
    'contacts.createMany': { run: (t) => t.contacts.createMany([{ firstName: 'Nobody' }]), expect: refused },
    'contacts.findByEmail': { run: (t) => t.contacts.findByEmail('seeded@sales.example'), expect: empty },
    'contacts.findByPhone': { run: (t) => t.contacts.findByPhone('+14155550123'), expect: empty },
    'contacts.update': { run: (t, ids) => t.contacts.update(ids.contact!, { lastName: 'Taken' }), expect: refused },
    'contacts.delete': { run: (t, ids) => t.contacts.delete(ids.contact!), expect: refused },
    // Deals
    'deals.get': { run: (t, ids) => t.deals.get(ids.deal!), expect: refused },
    'deals.list': { run: (t) => t.deals.list(), expect: empty },
    'deals.create': { run: (t, ids) => t.deals.create({ title: 'Nobody deal', pipelineId: ids.pipeline! }), expect: refused },
    'deals.ofContact': { run: (t, ids) => t.deals.ofContact(ids.contact!), expect: refused },
    'deals.update': { run: (t, ids) => t.deals.update(ids.deal!, { title: 'Taken' }), expect: refused },
    'deals.moveToStage': { run: (t, ids) => t.deals.moveToStage(ids.deal!, ids.stage!), expect: refused },
    'deals.markWon': { run: (t, ids) => t.deals.markWon(ids.deal!), expect: refused },
    'deals.markLost': { run: (t, ids) => t.deals.markLost(ids.deal!), expect: refused },
    'deals.stageHistory': { run: (t, ids) => t.deals.stageHistory(ids.deal!), expect: refused },
    'deals.contacts': { run: (t, ids) => t.deals.contacts(ids.deal!), expect: refused },
    'deals.addContact': { run: (t, ids) => t.deals.addContact(ids.deal!, ids.buyer!), expect: refused },
    'deals.removeContact': { run: (t, ids) => t.deals.removeContact(ids.deal!, ids.contact!), expect: refused },
    'deals.delete': { run: (t, ids) => t.deals.delete(ids.deal!), expect: refused },
    // Pipelines (no owner: all or none)
    'pipelines.create': { run: (t) => t.pipelines.create({ name: 'Nobody pipeline', stages: [{ name: 'A' }] }), expect: refused },
    'pipelines.get': { run: (t, ids) => t.pipelines.get(ids.pipeline!), expect: refused },
    'pipelines.findByName': { run: (t) => t.pipelines.findByName('Seeded pipeline'), expect: empty },
    'pipelines.list': { run: (t) => t.pipelines.list(), expect: empty },
    'pipelines.addStage': { run: (t, ids) => t.pipelines.addStage(ids.pipeline!, { name: 'Extra' }), expect: refused },
    'pipelines.updateStage': { run: (t, ids) => t.pipelines.updateStage(ids.pipeline!, ids.stage!, { category: 'won' }), expect: refused },
    'pipelines.rename': { run: (t, ids) => t.pipelines.rename(ids.pipeline!, 'Taken'), expect: refused },
    // Products
    'products.get': { run: (t, ids) => t.products.get(ids.product!), expect: refused },
    'products.list': { run: (t) => t.products.list(), expect: empty },
    'products.create': { run: (t) => t.products.create({ name: 'Nobody product' }), expect: refused },
    'products.findByName': { run: (t) => t.products.findByName('Seeded widget'), expect: empty },
    'products.update': { run: (t, ids) => t.products.update(ids.product!, { name: 'Taken' }), expect: refused },
    'products.delete': { run: (t, ids) => t.products.delete(ids.product!), expect: refused },
    // Interactions
    'interactions.get': { run: (t, ids) => t.interactions.get(ids.interaction!), expect: refused },
    'interactions.list': { run: (t) => t.interactions.list(), expect: empty },
    'interactions.log': { run: (t, ids) => t.interactions.log({ type: 'note', contactIds: [ids.contact!] }), expect: refused },
    'interactions.update': { run: (t, ids) => t.interactions.update(ids.interaction!, { subject: 'Taken' }), expect: refused },
    'interactions.delete': { run: (t, ids) => t.interactions.delete(ids.interaction!), expect: refused },
    // Tasks
    'tasks.get': { run: (t, ids) => t.tasks.get(ids.task!), expect: refused },
    'tasks.list': { run: (t) => t.tasks.list(), expect: empty },
    'tasks.create': { run: (t, ids) => t.tasks.create({ title: 'Nobody task', link: { type: 'deal', id: ids.deal! } }), expect: refused },
    'tasks.inbox': { run: (t, ids) => t.tasks.inbox(ids.owner!), expect: empty },
    'tasks.update': { run: (t, ids) => t.tasks.update(ids.task!, { title: 'Taken' }), expect: refused },
    'tasks.complete': { run: (t, ids) => t.tasks.complete(ids.task!), expect: refused },
    'tasks.reopen': { run: (t, ids) => t.tasks.reopen(ids.doneTask!), expect: refused },
    // Timeline: of a record the actor may not read, refused (its entries would tell who it deals with)
    'timeline.forContact': { run: (t, ids) => t.timeline.forContact(ids.contact!), expect: refused },
    'timeline.forCompany': { run: (t, ids) => t.timeline.forCompany(ids.company!), expect: refused },
    'timeline.forDeal': { run: (t, ids) => t.timeline.forDeal(ids.deal!), expect: refused },
    // Audit: entries of records the actor may read only
    'audit.forRecord': { run: (t, ids) => t.audit.forRecord('deal', ids.deal!), expect: empty },
    'audit.byActor': { run: (t, ids) => t.audit.byActor(ids.owner!), expect: empty },
    // Reports: over the records the actor may read; those of one pipeline need the pipeline
    'reports.pipelineSummary': { run: (t, ids) => t.reports.pipelineSummary(ids.pipeline!), expect: refused },
    'reports.stageVelocity': { run: (t, ids) => t.reports.stageVelocity(ids.pipeline!), expect: refused },
    'reports.funnel': { run: (t, ids) => t.reports.funnel(ids.pipeline!), expect: refused },
    'reports.winRate': report((t) => t.reports.winRate()),
    'reports.winLoss': report((t) => t.reports.winLoss()),
    'reports.forecast': report((t) => t.reports.forecast()),
    'reports.salesCycle': report((t) => t.reports.salesCycle()),
    'reports.activity': report((t) => t.reports.activity()),
    'reports.leadSources': report((t) => t.reports.leadSources()),
    'reports.cube': report((t) => t.reports.cube({ source: 'deals', measures: ['count', 'amount.sum'], dimensions: ['owner'] })),
    'reports.repeatPurchase': report((t) => t.reports.repeatPurchase()),
    'reports.customerRanking': report((t) => t.reports.customerRanking()),
    'reports.inactiveCustomers': report((t) => t.reports.inactiveCustomers({ days: 30 })),
    'reports.lifetimeValue': report((t) => t.reports.lifetimeValue()),
    'reports.churnRate': report((t) => t.reports.churnRate()),
    'reports.cohortRetention': report((t) => t.reports.cohortRetention()),
    'reports.purchaseGaps': report((t) => t.reports.purchaseGaps()),
    'reports.rfm': report((t) => t.reports.rfm()),
    'reports.slaCompliance': report((t) => t.reports.slaCompliance()),
    'reports.responseTimes': report((t) => t.reports.responseTimes()),
    'reports.caseBacklog': report((t) => t.reports.caseBacklog()),
    'reports.satisfaction': report((t) => t.reports.satisfaction()),
    'reports.warrantyClaimRate': report((t) => t.reports.warrantyClaimRate()),
    'reports.contractRenewals': report((t) => t.reports.contractRenewals()),
    // Customers
    'customers.view': { run: (t, ids) => t.customers.view(ids.contact!), expect: refused },
    'customers.refreshRfmScores': {
      run: (t) => t.customers.refreshRfmScores(),
      // System work: the scores are the tenant's, computed over every customer whoever asks (the two seeded buyers among them).
      expect: async (outcome, ids) => {
        expect(outcome.error).toBeUndefined();
        expect((await world!.customers.view(ids.contact!)).rfm?.contactId).toBe(ids.contact);
        const again = await world!.customers.refreshRfmScores();
        expect(again.scored).toBeGreaterThanOrEqual(2);
        expect(outcome.result).toMatchObject({ scored: again.scored });
      },
    },
    // Insights: learnt from and scored on the records the actor may read
    'insights.trainChurnModel': {
      run: (t) => t.insights.trainChurnModel({ cutoff: '2025-08-15T00:00:00.000Z', horizonDays: 90 }),
      // Nothing to learn from: it refuses as for an empty tenant (one class only), naming no record.
      expect: (outcome) => expect(String(outcome.error)).toMatch(/^ValidationError: The 0 training customers/),
    },
    'insights.churnRisk': { run: (t, ids) => t.insights.churnRisk(ids.contact!, { model: churnModel }), expect: refused },
    'insights.nextBestOffers': { run: (t, ids) => t.insights.nextBestOffers(ids.contact!), expect: refused },
    'insights.evaluateOffers': {
      run: (t) => t.insights.evaluateOffers(),
      // Evaluated on the orders the actor may read: none.
      expect: (outcome) => expect(outcome.result).toMatchObject({ testCustomers: 0, evaluated: 0, hits: 0 }),
    },
    // Members and teams
    'members.get': { run: (t, ids) => t.members.get(ids.owner!), expect: refused },
    'members.list': { run: (t) => t.members.list(), expect: empty },
    'members.create': { run: (t) => t.members.create({ name: 'Nobody made', role: 'rep' }), expect: refused },
    'members.ofTeam': { run: (t, ids) => t.members.ofTeam(ids.team!), expect: empty },
    'members.update': { run: (t, ids) => t.members.update(ids.teammate!, { name: 'Taken' }), expect: refused },
    'teams.get': { run: (t, ids) => t.teams.get(ids.team!), expect: refused },
    'teams.list': { run: (t) => t.teams.list(), expect: empty },
    'teams.create': { run: (t) => t.teams.create({ name: 'Nobody team' }), expect: refused },
    'teams.update': { run: (t, ids) => t.teams.update(ids.team!, { name: 'Taken' }), expect: refused },
    'teams.delete': { run: (t, ids) => t.teams.delete(ids.team!), expect: refused },
  },
};
