import type { Contact, Member, Pipeline, Product, TenantScope } from '@crmkit/core';

/** What the cases of one tenant share. */
export interface FieldFixture {
  sys: TenantScope;
  t: TenantScope;
  member: Member;
  contact: Contact;
  product: Product;
  pipeline: Pipeline;
}

type AnyRecord = { id: string } & Record<string, unknown>;
type Service = { get(id: string): Promise<unknown>; list(): Promise<{ items: unknown[] }> };

/**
 * One entity under a rule hiding `hidden`: `make` writes a record holding the
 * field through the system scope; `create` and `update` are the acting
 * member's writes (not naming the field); every record they, `get` and
 * `list` return must lack it.
 */
export interface FieldCase {
  entity: string;
  hidden: string;
  make(f: FieldFixture): Promise<unknown>;
  create(f: FieldFixture): Promise<unknown>;
  update(f: FieldFixture, record: AnyRecord): Promise<unknown>;
  /** The records of the entity inside a result (stages inside their pipeline). @default the result itself */
  records?: (result: unknown) => AnyRecord[];
  get?: (f: FieldFixture, record: AnyRecord) => Promise<unknown>;
  list?: (f: FieldFixture) => Promise<unknown[]>;
}

const service = (t: TenantScope, name: string) => (t as unknown as Record<string, Service>)[name]!;
const money = { minor: 12_345, currency: 'EUR' };

/** A case for an entity whose service has `get` and `list`. */
function standard(entity: string, serviceName: string, hidden: string, c: Pick<FieldCase, 'make' | 'create' | 'update'>): FieldCase {
  return {
    entity, hidden, ...c,
    get: (f, r) => service(f.t, serviceName).get(r.id) as Promise<unknown>,
    list: async (f) => (await service(f.t, serviceName).list()).items,
  };
}

const stagesOf = (result: unknown) => (result as Pipeline).stages as unknown as AnyRecord[];

/** A hidden field of every entity of the registry. */
export const fieldCases: FieldCase[] = [
  standard('member', 'members', 'externalId', {
    make: (f) => f.sys.members.create({ name: 'Mo', externalId: 'm-1' }),
    create: (f) => f.t.members.create({ name: 'Ned' }),
    update: (f, r) => f.t.members.update(r.id, { name: 'Moe' }),
  }),
  standard('team', 'teams', 'managerId', {
    make: (f) => f.sys.teams.create({ name: 'West', managerId: f.member.id }),
    create: (f) => f.t.teams.create({ name: 'East' }),
    update: (f, r) => f.t.teams.update(r.id, { name: 'North' }),
  }),
  standard('company', 'companies', 'annualRevenue', {
    make: (f) => f.sys.companies.create({ name: 'Acme', annualRevenue: money }),
    create: (f) => f.t.companies.create({ name: 'Globex' }),
    update: (f, r) => f.t.companies.update(r.id, { sector: 'tools' }),
  }),
  standard('contact', 'contacts', 'title', {
    make: (f) => f.sys.contacts.create({ firstName: 'Ada', title: 'CTO' }),
    create: (f) => f.t.contacts.create({ firstName: 'Bob' }),
    update: (f, r) => f.t.contacts.update(r.id, { lastName: 'Lovelace' }),
  }),
  standard('product', 'products', 'price', {
    make: (f) => f.sys.products.create({ name: 'Scanner', price: money }),
    create: (f) => f.t.products.create({ name: 'Toner' }),
    update: (f, r) => f.t.products.update(r.id, { name: 'Flatbed scanner' }),
  }),
  standard('pipeline', 'pipelines', 'currency', {
    make: (f) => f.sys.pipelines.create({ name: 'Renewals', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }] }),
    create: (f) => f.t.pipelines.create({ name: 'Upsell', stages: [{ name: 'Open' }] }),
    update: (f, r) => f.t.pipelines.rename(r.id, 'Renewals 2'),
  }),
  {
    entity: 'stage', hidden: 'probability', records: stagesOf,
    make: (f) => f.sys.pipelines.create({ name: 'Service', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }] }),
    create: (f) => f.t.pipelines.addStage(f.pipeline.id, { name: 'Review' }),
    update: (f) => f.t.pipelines.updateStage(f.pipeline.id, 'review', { name: 'Second review' }),
    get: (f, r) => f.t.pipelines.get(r.pipelineId as string),
    list: async (f) => (await f.t.pipelines.list()).items,
  },
  standard('deal', 'deals', 'expectedCloseOn', {
    make: (f) => f.sys.deals.create({ title: 'Printers', pipelineId: f.pipeline.id, expectedCloseOn: '2026-06-30' }),
    create: (f) => f.t.deals.create({ title: 'Toner', pipelineId: f.pipeline.id }),
    update: (f, r) => f.t.deals.update(r.id, { title: 'Printers and toner' }),
  }),
  standard('interaction', 'interactions', 'subject', {
    make: (f) => f.sys.interactions.log({ type: 'call', subject: 'Secret', contactIds: [f.contact.id] }),
    create: (f) => f.t.interactions.log({ type: 'note', contactIds: [f.contact.id] }),
    update: (f, r) => f.t.interactions.update(r.id, { body: 'Called back' }),
  }),
  standard('task', 'tasks', 'description', {
    make: (f) => f.sys.tasks.create({ title: 'Call', description: 'Secret', link: { type: 'contact', id: f.contact.id } }),
    create: (f) => f.t.tasks.create({ title: 'Write' }),
    update: (f, r) => f.t.tasks.update(r.id, { title: 'Call again' }),
  }),
  standard('order', 'orders', 'externalId', {
    make: (f) => f.sys.orders.create({ contactId: f.contact.id, currency: 'EUR', externalId: 'o-1', lines: [{ name: 'Item', unitPriceMinor: 1000 }] }),
    create: (f) => f.t.orders.create({ contactId: f.contact.id, currency: 'EUR', lines: [{ name: 'Item', unitPriceMinor: 500 }] }),
    update: (f, r) => f.t.orders.update(r.id, { tags: ['rush'] }),
  }),
  standard('asset', 'assets', 'location', {
    make: (f) => f.sys.assets.create({ productId: f.product.id, location: 'Lab 2' }),
    create: (f) => f.t.assets.create({ productId: f.product.id }),
    update: (f, r) => f.t.assets.update(r.id, { serialNumber: 'S-2' }),
  }),
  standard('contract', 'contracts', 'price', {
    make: (f) => f.sys.contracts.create({ name: 'Care', kind: 'maintenance', startDate: '2026-01-01', endDate: '2026-12-31', price: money }),
    create: (f) => f.t.contracts.create({ name: 'Care+', kind: 'maintenance', startDate: '2026-01-01', endDate: '2026-12-31' }),
    update: (f, r) => f.t.contracts.update(r.id, { name: 'Care 2026' }),
  }),
  standard('survey', 'surveys', 'comment', {
    make: async (f) => {
      const survey = await f.sys.surveys.send({ kind: 'csat', contactId: f.contact.id });
      return f.sys.surveys.respond(survey.id, { score: 4, comment: 'Secret' });
    },
    create: (f) => f.t.surveys.send({ kind: 'nps', contactId: f.contact.id }),
    update: async (f) => f.t.surveys.respond((await f.t.surveys.send({ kind: 'csat', contactId: f.contact.id })).id, { score: 5 }),
  }),
  standard('segment', 'segments', 'description', {
    make: (f) => f.sys.segments.create({ name: 'VIP', kind: 'static', description: 'Secret' }),
    create: (f) => f.t.segments.create({ name: 'Guests', kind: 'static' }),
    update: (f, r) => f.t.segments.update(r.id, { name: 'VIPs' }),
  }),
  standard('slaPolicy', 'slaPolicies', 'warnBeforeMinutes', {
    make: (f) => f.sys.slaPolicies.create({ name: 'Gold', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 600 } } }),
    create: (f) => f.t.slaPolicies.create({ name: 'Silver', targets: { normal: { firstResponseMinutes: 120, resolutionMinutes: 900 } } }),
    update: (f, r) => f.t.slaPolicies.update(r.id, { name: 'Platinum' }),
  }),
  standard('case', 'cases', 'description', {
    make: (f) => f.sys.cases.create({ subject: 'Broken', description: 'Secret' }),
    create: (f) => f.t.cases.create({ subject: 'Noisy' }),
    update: (f, r) => f.t.cases.update(r.id, { subject: 'Broken printer' }),
  }),
  standard('campaign', 'campaigns', 'budget', {
    make: (f) => f.sys.campaigns.create({ name: 'Spring', channel: 'email', budget: money }),
    create: (f) => f.t.campaigns.create({ name: 'Autumn', channel: 'email' }),
    update: (f, r) => f.t.campaigns.update(r.id, { name: 'Spring sale' }),
  }),
  standard('role', 'roles', 'description', {
    make: (f) => f.sys.roles.create({ name: 'helper', description: 'Secret', grants: {} }),
    create: (f) => f.t.roles.create({ name: 'intern', grants: {} }),
    update: (f, r) => f.t.roles.update(r.id, { grants: { contact: { read: 'all' } } }),
  }),
];
