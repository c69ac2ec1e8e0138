import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm, ForbiddenError, ManualClock, NotFoundError, type RoleDefinition, type TenantScope } from '@crmkit/core';
import { createWorkflowEngine, defineWorkflow, effect, workflowMigrations } from '@crmkit/workflows';
import { type CrmOnTarget, crmTargets } from '../targets.js';

const targets = crmTargets();

/**
 * Roles narrower than the built-ins, to tell a system read from the actor's.
 * A member's primary `role` is one of the built-in names and the widest grant
 * wins, so `read-only` is replaced by a role granting nothing: a member of
 * `read-only` plus a role below has only that role's grant.
 */
const roles: RoleDefinition[] = [
  { name: 'read-only', grants: {} },
  // What the built-in read-only grants: every read, nothing else.
  { name: 'reader', grants: { '*': { read: 'all' } } },
  // Takes cases in, reading only their own contacts.
  { name: 'blind', grants: { case: 'all', interaction: 'all', contact: { read: 'own', create: 'all' } } },
  // Sells to their own contacts only.
  { name: 'seller', grants: { contact: { read: 'own', create: 'own' }, order: 'all', product: { read: 'all' } } },
  // Works every case, reads customers, not their assets, only their own contracts, no SLA policies.
  { name: 'desk', grants: { case: 'all', contact: { read: 'all' }, company: { read: 'all' }, contract: { read: 'own' }, interaction: { read: 'all' } } },
  // Runs segments and campaigns over their own contacts.
  { name: 'marketer', grants: { contact: { read: 'own' }, segment: 'all', campaign: 'all' } },
  // Merges any contact, reads no deals.
  { name: 'merger', grants: { contact: { read: 'all', merge: 'all' } } },
  // Answers data-subject requests on contacts; reads no deals nor cases.
  { name: 'dpo', grants: { contact: { read: 'all', export: 'all', delete: 'all' } } },
  // Opens cases, reads only their own.
  { name: 'opener', grants: { case: { read: 'own', create: 'all' } } },
  // Registers devices; may not create contracts.
  { name: 'installer', grants: { asset: 'all', product: { read: 'all' }, contact: { read: 'all' } } },
];

describe.each(targets)('service access ($name)', (target) => {
  let env: CrmOnTarget;
  let n = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open({ access: { roles } });
  });
  afterAll(() => env?.crm.close());
  const run = it.skipIf(target.skip);

  /** A fresh tenant: reps A (team West) and B (team East), a West manager, and one member per extra role. */
  async function world() {
    const crm: Crm = env.crm;
    const tenantId = `svc-${++n}`;
    const sys = crm.system(tenantId);
    const west = await sys.teams.create({ name: 'West' });
    const east = await sys.teams.create({ name: 'East' });
    const member = async (name: string, role: 'rep' | 'agent' | 'manager' | 'read-only', more: string[] = [], teamIds = [west.id]) =>
      sys.members.create({ name, role, roles: more, teamIds });
    const a = await member('A', 'rep');
    const b = await member('B', 'rep', [], [east.id]);
    const as = (m: { id: string }): TenantScope => crm.tenant(tenantId, { actorId: m.id });
    return { crm, sys, west, east, a, b, member, as };
  }

  run('refuses an order for a contact the actor may not read, as missing', async () => {
    const { sys, b, member, as } = await world();
    const seller = await member('S', 'read-only', ['seller']);
    const mine = await sys.contacts.create({ firstName: 'Mine', ownerId: seller.id });
    const hidden = await sys.contacts.create({ firstName: 'Hidden', ownerId: b.id });
    const t = as(seller);
    const order = { currency: 'USD', lines: [{ name: 'Box', unitPriceMinor: 100, quantity: 1 }] };
    await expect(t.orders.create({ ...order, contactId: hidden.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contact' });
    expect((await t.orders.create({ ...order, contactId: mine.id })).contactId).toBe(mine.id);
  });

  run('opens cases as the desk may, matching SLA and numbering over every record', async () => {
    const { sys, b, west, member, as } = await world();
    const desk = await member('D', 'read-only', ['desk']);
    const contact = await sys.contacts.create({ firstName: 'Ada', ownerId: b.id });
    const product = await sys.products.create({ name: 'Printer' });
    const asset = await sys.assets.create({ productId: product.id, contactId: contact.id, ownerId: b.id });
    const contract = await sys.contracts.create({ name: 'Care', kind: 'service', contactId: contact.id, startDate: '2026-01-01', endDate: '2026-12-31', ownerId: b.id });
    const policy = await sys.slaPolicies.create({ name: 'All', targets: { normal: { firstResponseMinutes: 60 } } });
    const earlier = await sys.cases.create({ subject: 'Earlier', contactId: contact.id, ownerId: b.id });
    const t = as(desk);
    await expect(t.cases.create({ subject: 'X', contactId: contact.id, assetId: asset.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'asset' });
    await expect(t.cases.create({ subject: 'X', contactId: contact.id, contractId: contract.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contract' });
    const opened = await t.cases.create({ subject: 'Paper jam', contactId: contact.id });
    expect(opened.slaPolicyId).toBe(policy.id);
    expect(opened.number).toBe(earlier.number + 1);
    // The customer's message is stored as the case's (owned by nobody): an agent creating only their own records may store it.
    const agent = await member('G', 'agent');
    const queued = await sys.cases.create({ subject: 'Queued', contactId: contact.id, teamId: west.id });
    expect((await as(agent).cases.addCustomerMessage(queued.id, { body: 'Any news?' })).interaction.direction).toBe('inbound');
    await expect(as(agent).cases.respond(earlier.id, { body: 'note', public: false })).rejects.toBeInstanceOf(NotFoundError);
  });

  run('numbers a case after every case of the tenant, those the actor may not read too', async () => {
    const { crm, sys, b } = await world();
    for (const subject of ['One', 'Two']) await sys.cases.create({ subject, ownerId: b.id });
    // A tenant whose counter row is missing (a backup without it) numbers its next case from its highest one.
    let backup = '';
    for await (const chunk of crm.tenants.backup(sys.tenantId)) backup += chunk;
    const lines = backup.trim().split('\n').map((line) => JSON.parse(line) as { model?: string; end?: { rows: number } });
    const kept = lines.filter((line) => line.model !== 'caseSequence');
    kept.at(-1)!.end!.rows -= lines.length - kept.length;
    const copy = `${sys.tenantId}-nocounter`;
    await crm.tenants.restore(kept.map((line) => JSON.stringify(line)).join('\n') + '\n', { tenantId: copy });
    const opener = await crm.system(copy).members.create({ name: 'O', role: 'read-only', roles: ['opener'] });
    const t = crm.tenant(copy, { actorId: opener.id });
    expect((await t.cases.list()).items).toEqual([]);
    expect((await crm.system(copy).cases.list()).items).toHaveLength(2);
    expect((await t.cases.create({ subject: 'Three' })).number).toBe(3);
  });

  run('matches an incoming message over every contact, refusing a sender the actor may not read', async () => {
    const { sys, b, member, as } = await world();
    const ada = await sys.contacts.create({ firstName: 'Ada', email: 'ada@example.com', ownerId: b.id });
    const marketer = await member('M', 'read-only', ['marketer', 'desk']);
    const blind = await member('N', 'read-only', ['blind']);
    const error = await as(blind).cases.ingest({ channel: 'email', from: 'Ada@Example.com', body: 'Hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ entity: 'contact', action: 'read', id: null });
    expect((await sys.contacts.list({ where: { email: 'ada@example.com' } })).items).toHaveLength(1);
    const taken = await as(marketer).cases.ingest({ channel: 'email', from: 'ada@example.com', body: 'Hi' });
    expect(taken.contact.id).toBe(ada.id);
    expect(taken.opened).toBe(true);
    // A new sender's contact, owned by nobody, comes with the message: an agent creating only their own records takes it in.
    const agent = await member('G', 'agent');
    const fresh = await as(agent).cases.ingest({ channel: 'sms', from: '+14155550100', body: 'Help', case: { ownerId: agent.id } });
    expect(fresh).toMatchObject({ opened: true, contact: { phone: '+14155550100', ownerId: null } });
    // The same message delivered again is found whoever stored it, and shown only to whom may read its case.
    const message = { channel: 'email', from: 'ada@example.com', body: 'Once', messageId: '<m1@example.com>' } as const;
    const first = await sys.cases.ingest(message);
    expect(await as(marketer).cases.ingest(message)).toMatchObject({ duplicate: true, record: { id: first.record.id } });
    await expect(as(agent).cases.ingest(message)).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'case', id: null });
  });

  run('refreshes a segment over every contact and shows its members as the actor may read them', async () => {
    const { sys, a, b, member, as } = await world();
    const marketer = await member('M', 'read-only', ['marketer']);
    const mine = await sys.contacts.create({ firstName: 'Mine', email: 'mine@x.example', ownerId: marketer.id });
    const others = [await sys.contacts.create({ firstName: 'A', email: 'a@x.example', ownerId: a.id }), await sys.contacts.create({ firstName: 'B', email: 'b@x.example', ownerId: b.id })];
    const t = as(marketer);
    const segment = await t.segments.create({ name: 'X', rule: { email: { contains: 'x.example' } } });
    expect(await t.segments.refresh(segment.id)).toMatchObject({ entered: 3, left: 0 });
    expect((await t.segments.members(segment.id)).items.map((c) => c.id)).toEqual([mine.id]);
    expect(await t.segments.count(segment.id)).toBe(1);
    expect(await t.segments.count(segment.id, { live: true })).toBe(1);
    expect(await sys.segments.count(segment.id)).toBe(3);
    expect(await t.segments.ofContact(others[0]!.id)).toEqual([]);
    await expect(t.segments.addMembers((await t.segments.create({ name: 'L', kind: 'static' })).id, [others[1]!.id])).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contact' });
    await expect(as(await member('R', 'read-only', ['reader'])).segments.refreshDue()).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'segment', action: 'update', id: null });

    // Enrolling the segment reaches all its members; listed ids only those the actor may read.
    const campaign = await t.campaigns.create({ name: 'Spring', channel: 'email' });
    expect(await t.campaigns.enroll(campaign.id, { contactIds: [others[0]!.id] })).toMatchObject({ enrolled: 0, unknown: 1 });
    expect(await t.campaigns.enroll(campaign.id, { segmentId: segment.id })).toMatchObject({ enrolled: 3, unknown: 0 });
    expect((await t.campaigns.members(campaign.id)).items.map((m) => m.contactId)).toEqual([mine.id]);
    expect((await sys.campaigns.members(campaign.id)).items).toHaveLength(3);
    await expect(t.campaigns.setMemberStatus(campaign.id, { contactId: others[0]!.id, status: 'opened' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.campaigns.markSent(campaign.id, { contactIds: [others[0]!.id] })).toBe(0);
    expect(await t.campaigns.markSent(campaign.id)).toBe(3);
    // Unsubscribing denies the contact's consent though the marketer may not change contacts: what it implies is system work.
    await t.campaigns.setMemberStatus(campaign.id, { contactId: mine.id, status: 'unsubscribed' });
    expect((await sys.contacts.get(mine.id)).consent.email).toBe('denied');
    await expect(as(a).campaigns.enroll(campaign.id, { contactIds: [mine.id] })).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'campaign', action: 'update' });
  });

  run('exports only what the actor may export, and refuses an actor who may export none', async () => {
    const { sys, a, b, member, as } = await world();
    const own = await sys.contacts.create({ firstName: 'Own', ownerId: a.id });
    const theirs = await sys.contacts.create({ firstName: 'Theirs', ownerId: b.id });
    const t = as(a);
    let text = '';
    for await (const chunk of t.exports.stream('contact', { format: 'ndjson' })) text += chunk;
    expect(text).toContain(own.id);
    expect(text).not.toContain(theirs.id);
    expect(await t.exports.count('contact')).toBe(1);
    const reader = as(await member('R', 'read-only', ['reader']));
    expect((await reader.contacts.list()).items).toHaveLength(2);
    await expect(reader.exports.count('contact')).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'contact', action: 'export', id: null });
    const chunks: string[] = [];
    await expect((async () => {
      for await (const chunk of reader.exports.stream('contact')) chunks.push(chunk);
    })()).rejects.toBeInstanceOf(ForbiddenError);
    expect(chunks).toEqual([]);
  });

  run('merges with the merge level on every record and moves references the actor may not read', async () => {
    const { sys, a, b, west, member, as } = await world();
    const keep = await sys.contacts.create({ firstName: 'Ada', email: 'ada@m.example', ownerId: a.id });
    const copy = await sys.contacts.create({ firstName: 'Ada', email: 'ada@m.example', ownerId: a.id });
    const east = await sys.contacts.create({ firstName: 'Ada', email: 'ada@m.example', ownerId: b.id });
    await expect(as(a).duplicates.merge({ entity: 'contact', survivorId: keep.id, mergedIds: [copy.id] })).rejects.toMatchObject({ code: 'FORBIDDEN', action: 'merge' });
    const manager = await member('M', 'manager', [], [west.id]);
    await expect(as(manager).duplicates.merge({ entity: 'contact', survivorId: keep.id, mergedIds: [east.id] }))
      .rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'contact', action: 'merge', id: east.id });
    const pipeline = await sys.pipelines.create({ name: 'P', stages: [{ name: 'Open' }] });
    const deal = await sys.deals.create({ title: 'Theirs', pipelineId: pipeline.id, contactIds: [copy.id], ownerId: b.id });
    const merger = as(await member('G', 'read-only', ['merger']));
    await expect(merger.deals.get(deal.id)).rejects.toBeInstanceOf(NotFoundError);
    const { relinked } = await merger.duplicates.merge({ entity: 'contact', survivorId: keep.id, mergedIds: [copy.id] });
    expect(relinked['dealContact.contactId']).toBe(1);
    expect((await sys.deals.get(deal.id)).contactIds).toEqual([keep.id]);
    // A merged id resolves to its survivor only for whom may read the survivor: for others it is missing, naming nothing.
    const seller = await member('S', 'read-only', ['seller']);
    const theirs = await sys.contacts.create({ firstName: 'Mine', ownerId: seller.id });
    await expect(as(seller).privacy.consentHistory(copy.id)).rejects.toMatchObject({ code: 'NOT_FOUND', id: copy.id });
    const refused = await as(seller).duplicates.merge({ entity: 'contact', survivorId: theirs.id, mergedIds: [copy.id] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotFoundError);
    expect(String(refused)).not.toContain(keep.id);
  });

  run('finds duplicates only among the records the actor may read', async () => {
    const { sys, b, member, as } = await world();
    const seller = await member('S', 'read-only', ['seller']);
    await sys.contacts.create({ firstName: 'Bo', email: 'bo@d.example', ownerId: b.id });
    await sys.contacts.create({ firstName: 'Bo', email: 'bo@d.example', ownerId: b.id });
    expect((await sys.duplicates.find({ entity: 'contact' })).items).toHaveLength(1);
    expect((await as(seller).duplicates.find({ entity: 'contact' })).items).toEqual([]);
    expect(await as(seller).duplicates.check('contact', { firstName: 'Bo', email: 'bo@d.example' })).toEqual([]);
  });

  run('imports row by row within the grant, the bulk path too; the system imports everything', async () => {
    const { sys, a, b, as } = await world();
    const csv = `firstName,ownerId\nMine,${a.id}\nTheirs,${b.id}\nAlso mine,${a.id}\n`;
    const report = await as(a).imports.run('contact', csv);
    expect({ created: report.created, rejected: report.rejected }).toEqual({ created: 2, rejected: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ line: 3, code: 'FORBIDDEN', message: expect.stringContaining('Not allowed to create contact') })]);
    expect((await sys.imports.run('contact', csv)).created).toBe(3);
    expect((await sys.contacts.list({ where: { ownerId: b.id } })).items).toHaveLength(1);
  });

  run('exports and erases a person as a data-subject request, complete beyond the actor\'s reads', async () => {
    const { sys, a, b, member, as } = await world();
    const ada = await sys.contacts.create({ firstName: 'Ada', email: 'ada@p.example', ownerId: b.id });
    const pipeline = await sys.pipelines.create({ name: 'P', stages: [{ name: 'Open' }] });
    const deal = await sys.deals.create({ title: 'Ada deal', pipelineId: pipeline.id, contactIds: [ada.id], ownerId: b.id });
    const ticket = await sys.cases.create({ subject: 'Ada Lovelace cannot print', contactId: ada.id, ownerId: b.id });
    await expect(as(await member('R', 'read-only', ['reader'])).privacy.export(ada.id)).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'contact', action: 'export', id: ada.id });
    await expect(as(a).privacy.erase(ada.id)).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'contact', action: 'delete', id: ada.id });
    const dpo = as(await member('P', 'read-only', ['dpo']));
    const doc = await dpo.privacy.export(ada.id);
    expect(doc.deals.map((d) => d.id)).toEqual([deal.id]);
    expect(doc.cases.map((c) => c.id)).toEqual([ticket.id]);
    await dpo.privacy.erase(ada.id);
    expect((await sys.cases.get(ticket.id)).subject).not.toContain('Ada');
  });

  run('keeps what a survey answer implies, beyond what the agent may change', async () => {
    const { sys, b, member, as } = await world();
    const agent = await member('G', 'agent');
    const ada = await sys.contacts.create({ firstName: 'Ada', ownerId: b.id });
    const ticket = await sys.cases.create({ subject: 'Jam', contactId: ada.id, ownerId: b.id });
    await sys.cases.setStatus(ticket.id, 'resolved');
    const survey = await sys.surveys.send({ kind: 'csat', caseId: ticket.id, onDetractor: 'reopen' });
    await as(agent).surveys.respond(survey.id, { score: 1 });
    expect((await sys.contacts.get(ada.id)).csat).toBe(1);
    expect(await sys.cases.get(ticket.id)).toMatchObject({ satisfaction: 1, status: 'open' });
  });

  run('gives a new asset its warranty though the actor may not create contracts', async () => {
    const { sys, member, as } = await world();
    const installer = as(await member('I', 'read-only', ['installer']));
    const product = await sys.products.create({ name: 'Printer', warrantyMonths: 12 });
    const asset = await installer.assets.create({ productId: product.id, purchasedAt: '2026-03-01' });
    await expect(installer.contracts.create({ name: 'Mine', kind: 'service', startDate: '2026-01-01', endDate: '2026-12-31' })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await sys.contracts.ofAsset(asset.id)).map((c) => c.kind)).toEqual(['warranty']);
  });

  run('backs a tenant up with its roles and shares: the restored copy holds its members to the same grants', async () => {
    const { crm, sys, a, b, member, as } = await world();
    await sys.roles.create({ name: 'vip', grants: { contact: { read: 'own' } } });
    const seller = await member('S', 'read-only', ['vip']);
    const own = await sys.contacts.create({ firstName: 'Own', ownerId: seller.id });
    const shared = await sys.contacts.create({ firstName: 'Shared', ownerId: b.id });
    await sys.contacts.create({ firstName: 'Hidden', ownerId: a.id });
    await sys.shares.grant({ entity: 'contact', recordId: shared.id, memberId: seller.id, access: 'read' });
    const visible = async (t: TenantScope) => (await t.contacts.list()).items.map((c) => c.id).sort();
    expect(await visible(as(seller))).toEqual([own.id, shared.id].sort());
    let backup = '';
    for await (const chunk of crm.tenants.backup(sys.tenantId)) backup += chunk;
    const copy = `${sys.tenantId}-copy`;
    await crm.tenants.restore(backup, { tenantId: copy });
    expect(await visible(crm.tenant(copy, { actorId: seller.id }))).toEqual([own.id, shared.id].sort());
    expect((await crm.system(copy).contacts.list()).items).toHaveLength(3);
  });

  run('reorders SLA policies only for an actor who may change them all', async () => {
    const { sys, a, as } = await world();
    const first = await sys.slaPolicies.create({ name: 'One', targets: { normal: { resolutionMinutes: 60 } } });
    const second = await sys.slaPolicies.create({ name: 'Two', targets: { normal: { resolutionMinutes: 60 } } });
    await expect(as(a).slaPolicies.reorder([second.id, first.id])).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'slaPolicy', action: 'update', id: null });
    const admin = as(await sys.members.create({ name: 'Root', role: 'admin' }));
    expect((await admin.slaPolicies.reorder([second.id, first.id])).map((p) => p.id)).toEqual([second.id, first.id]);
  });
});

describe('workflow effects under access control', () => {
  const look = defineWorkflow({
    id: 'look',
    version: 1,
    machine: setup({ actions: { look: effect() } }).createMachine({ id: 'look', initial: 'looking', states: { looking: { entry: { type: 'look', params: {} } } } }),
  });

  it('run in the tenant\'s system scope: no actor, every record', async () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const crm = await createCrm({ adapter: sqliteAdapter({ filename: ':memory:' }), clock, migrations: workflowMigrations, access: {} });
    await crm.migrate();
    try {
      const seen: { actorId: string | null; contacts: number }[] = [];
      const engine = createWorkflowEngine({
        crm, clock, workflows: [look],
        actions: { look: async ({ tenant }) => void seen.push({ actorId: tenant.actorId, contacts: (await tenant.contacts.list()).items.length }) },
      });
      const sys = crm.system('acme');
      const rep = await sys.members.create({ name: 'A', role: 'rep' });
      const agent = await sys.members.create({ name: 'G', role: 'agent' });
      await sys.contacts.createMany([{ firstName: 'One', ownerId: rep.id }, { firstName: 'Two', ownerId: rep.id }]);
      expect((await crm.tenant('acme', { actorId: agent.id }).deals.list()).items).toEqual([]);
      await engine.start('acme', 'look');
      expect(await engine.runDue()).toMatchObject({ jobsDone: 1 });
      expect(seen).toEqual([{ actorId: null, contacts: 2 }]);
    } finally {
      await crm.close();
    }
  });
});
