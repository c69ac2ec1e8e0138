import { Writable } from 'node:stream';
import { ForbiddenError, type RoleDefinition, type TenantScope } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { salesStages } from '../helpers.js';
import { type FieldCase, type FieldFixture, fieldCases } from './field-entities.js';
import { type CrmOnTarget, crmTargets } from '../targets.js';

const targets = crmTargets();
const customFields = { contact: z.object({ salary: z.number().optional(), tier: z.string().optional() }) };

/** The host's rep: does everything, but never sees emails, salaries or deal amounts, nor changes lifecycle stages. */
const rep: RoleDefinition = {
  name: 'rep',
  grants: { '*': 'all' },
  fields: {
    contact: { email: 'hidden', 'custom.salary': 'hidden', lifecycleStage: 'readOnly' },
    deal: { amount: 'hidden' },
  },
};
/** Reads contacts and may see their emails, not change them; no deals. */
const auditor: RoleDefinition = { name: 'auditor', grants: { contact: { read: 'all' } }, fields: { contact: { email: 'readOnly' } } };
/** Reads contacts with their salaries; exports nothing. */
const payroll: RoleDefinition = { name: 'payroll', grants: { contact: { read: 'all' } } };
/** Here the built-in agent grants nothing: a member's `role` must name a built-in, and their grants come from `roles`. */
const nobody: RoleDefinition = { name: 'agent', grants: {} };

/** Matches the ForbiddenError of a field-level rule: the action refused and the field named. */
function refused(action: string, field: string) {
  return expect.objectContaining({ name: 'ForbiddenError', action, field });
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`field-level rules (${target.name})`, () => {
    let env: CrmOnTarget;
    let tenants = 0;

    beforeAll(async () => {
      env = await target.open({ access: { roles: [rep, auditor, payroll, nobody] }, customFields });
    });
    afterAll(() => env.crm.close());

    /** A fresh tenant with a contact, a deal and a rep acting; `roles` are the rep's extra roles. */
    async function setup(roles: string[] = []) {
      const tenantId = `fields-${++tenants}`;
      const sys = env.crm.system(tenantId);
      const member = await sys.members.create({ name: 'Rita', role: 'rep', roles });
      const t = env.crm.tenant(tenantId, { actorId: member.id });
      const pipeline = await sys.pipelines.create({ name: 'Sales', stages: salesStages });
      const ada = await sys.contacts.create({ firstName: 'Ada', email: 'ada@acme.io', lifecycleStage: 'lead', custom: { salary: 90_000, tier: 'gold' }, ownerId: member.id });
      const deal = await sys.deals.create({ title: 'Printers', pipelineId: pipeline.id, amount: { minor: 12_000, currency: 'EUR' }, contactIds: [ada.id], ownerId: member.id });
      return { tenantId, sys, t, member, pipeline, ada, deal };
    }

    describe('hidden fields', () => {
      it('are absent from what get, list, create and update return', async () => {
        const { t, ada, deal, pipeline } = await setup();
        const contact = await t.contacts.get(ada.id);
        expect(contact).not.toHaveProperty('email');
        expect(contact.custom).toEqual({ tier: 'gold' });
        expect(contact.lifecycleStage).toBe('lead');
        expect(contact.firstName).toBe('Ada');
        const page = await t.contacts.list();
        expect(page.items.map((c) => [c.firstName, 'email' in c, c.custom])).toEqual([['Ada', false, { tier: 'gold' }]]);
        const created = await t.contacts.create({ firstName: 'Bob', custom: { tier: 'silver' } });
        expect(created).not.toHaveProperty('email');
        const updated = await t.contacts.update(ada.id, { lastName: 'Lovelace' });
        expect(updated).not.toHaveProperty('email');
        expect(updated).toMatchObject({ lastName: 'Lovelace', custom: { tier: 'gold' } });
        const got = await t.deals.get(deal.id);
        expect(got).not.toHaveProperty('amount');
        expect(got).not.toHaveProperty('weightedAmountMinor');
        expect(got.title).toBe('Printers');
        const newDeal = await t.deals.create({ title: 'Toner', pipelineId: pipeline.id });
        expect(newDeal).not.toHaveProperty('amount');
        expect(await t.deals.moveToStage(newDeal.id, 'proposal')).not.toHaveProperty('amount');
      });

      it('leave the records as the system scope reads them', async () => {
        const { t, sys, ada } = await setup();
        await t.contacts.get(ada.id);
        const contact = await sys.contacts.get(ada.id);
        expect(contact).toMatchObject({ email: 'ada@acme.io', custom: { salary: 90_000, tier: 'gold' } });
      });

      it('are absent from the customer view, the timeline and the audit trail', async () => {
        const { t, sys, ada, deal } = await setup();
        await sys.interactions.log({ type: 'call', contactIds: [ada.id], dealId: deal.id });
        await sys.tasks.create({ title: 'Call back', link: { type: 'contact', id: ada.id } });
        await sys.contacts.update(ada.id, { email: 'ada@lovelace.io', custom: { salary: 95_000 }, title: 'CTO' });
        await sys.contacts.update(ada.id, { custom: { salary: 99_000 } });
        await sys.contacts.update(ada.id, { custom: { salary: 99_500, tier: 'platinum' } });
        const view = await t.customers.view(ada.id);
        expect(view.contact).not.toHaveProperty('email');
        expect(view.contact.custom).toEqual({ tier: 'platinum' });
        expect(JSON.stringify(view)).not.toMatch(/ada@|salary|"amount"|weightedAmount/);
        const timeline = await t.timeline.forContact(ada.id);
        expect(timeline.items.length).toBeGreaterThan(0);
        expect(JSON.stringify(timeline)).not.toMatch(/ada@|salary/);
        const trail = await t.audit.forRecord('contact', ada.id);
        const changes = trail.items.flatMap((entry) => entry.changes);
        expect(changes.map((c) => c.field)).toContain('title');
        expect(changes.map((c) => c.field)).not.toContain('email');
        expect(JSON.stringify(trail)).not.toMatch(/ada@|salary|95000|90000|99000|99500/);
        // A change of the salary alone is gone; one of the tier too keeps the tier.
        expect(changes.filter((c) => c.field === 'custom')).toEqual([{ field: 'custom', from: { tier: 'gold' }, to: { tier: 'platinum' } }]);
        expect((await sys.audit.forRecord('contact', ada.id)).items.flatMap((e) => e.changes).filter((c) => c.field === 'custom')).toHaveLength(3);
      });

      it('are absent from every other call that returns contacts or deals', async () => {
        const { t, sys, ada, deal, member } = await setup();
        const segment = await sys.segments.create({ name: 'Guests', kind: 'static' });
        await sys.segments.addMembers(segment.id, [ada.id]);
        const order = await sys.orders.create({ contactId: ada.id, currency: 'EUR', lines: [{ name: 'Item', unitPriceMinor: 1000 }] });
        const asset = await sys.assets.create({ productId: (await sys.products.create({ name: 'Printer' })).id, contactId: ada.id });
        const results: unknown[] = [
          await t.segments.members(segment.id),
          await t.deals.ofContact(ada.id),
          await t.orders.ofCustomer({ contactId: ada.id }),
          await t.privacy.export(ada.id),
          await t.assets.replace(asset.id, { serialNumber: 'S-2' }),
          await t.deals.addContact(deal.id, (await t.contacts.create({ firstName: 'Cy' })).id),
          await t.deals.markWon(deal.id),
          await t.orders.get(order.id),
          await t.reports.inactiveCustomers({ days: 30, asOf: '2027-01-01T00:00:00.000Z' }),
        ];
        expect((results.at(-1) as { items: unknown[] }).items).toHaveLength(1);
        expect(member.id).toBeDefined();
        for (const result of results) expect(JSON.stringify(result)).not.toMatch(/ada@acme|salary|"amount"|weightedAmount/);
      });

      it('are refused in filters, orders, counts and report filters', async () => {
        const { t, ada } = await setup();
        await expect(t.contacts.list({ where: { email: 'ada@acme.io' } })).rejects.toEqual(refused('read', 'email'));
        await expect(t.contacts.list({ where: { 'custom.salary': { gt: 50_000 } } })).rejects.toEqual(refused('read', 'custom.salary'));
        await expect(t.contacts.list({ orderBy: { email: 'asc' } })).rejects.toEqual(refused('read', 'email'));
        await expect(t.contacts.list({ where: { or: [{ firstName: 'Ada' }, { email: { contains: 'acme' } }] } })).rejects.toBeInstanceOf(ForbiddenError);
        await expect(t.exports.count('contact', { where: { email: { ne: null } } })).rejects.toBeInstanceOf(ForbiddenError);
        await expect(t.deals.list({ where: { amountMinor: { gt: 100 } } })).rejects.toEqual(refused('read', 'amountMinor'));
        await expect(t.deals.list({ orderBy: { weightedAmountMinor: 'desc' } })).rejects.toBeInstanceOf(ForbiddenError);
        await expect(t.reports.cube({ source: 'deals', measures: ['count'], dimensions: ['status'], filters: { amountMinor: { gt: 0 } } })).rejects.toBeInstanceOf(ForbiddenError);
        await expect(t.reports.cube({ source: 'deals', measures: ['amount.sum'], dimensions: ['status'] })).rejects.toBeInstanceOf(ForbiddenError);
        // What does not touch them works.
        expect((await t.contacts.list({ where: { 'custom.tier': 'gold' }, orderBy: { firstName: 'asc' } })).items.map((c) => c.id)).toEqual([ada.id]);
        expect(await t.exports.count('contact', { where: { lifecycleStage: 'lead' } })).toBe(1);
      });

      it('are refused in inputs, and in patches', async () => {
        const { t, ada, deal, pipeline } = await setup();
        await expect(t.contacts.create({ firstName: 'Eve', email: 'eve@acme.io' })).rejects.toEqual(refused('create', 'email'));
        await expect(t.contacts.createMany([{ firstName: 'Eve' }, { firstName: 'Mal', custom: { salary: 1 } }])).rejects.toEqual(refused('create', 'custom.salary'));
        await expect(t.contacts.update(ada.id, { email: 'x@y.io' })).rejects.toEqual(expect.objectContaining({ action: 'update', id: ada.id, field: 'email' }));
        await expect(t.contacts.update(ada.id, { custom: { salary: 1 } })).rejects.toEqual(refused('update', 'custom.salary'));
        await expect(t.deals.update(deal.id, { amount: { minor: 1, currency: 'EUR' } })).rejects.toEqual(refused('update', 'amount'));
        await expect(t.deals.create({ title: 'X', pipelineId: pipeline.id, amount: { minor: 1, currency: 'EUR' } })).rejects.toEqual(refused('create', 'amount'));
        await expect(t.deals.create({ title: 'X', pipelineId: pipeline.id, lines: [{ name: 'Box', unitPriceMinor: 100 }] })).rejects.toEqual(refused('create', 'lines'));
        // Other custom keys still write, and the hidden value is kept.
        await t.contacts.update(ada.id, { custom: { tier: 'silver' } });
        expect((await env.crm.system(ada.tenantId).contacts.get(ada.id)).custom).toEqual({ salary: 90_000, tier: 'silver' });
      });

      it('are left out of default exports and refused when named', async () => {
        const { t } = await setup();
        const csv = await text(t.exports.stream('contact', { format: 'csv' }));
        const header = csv.split('\n')[0]!.split(',');
        expect(header).toContain('firstName');
        expect(header).toContain('custom.tier');
        expect(header).not.toContain('email');
        expect(header).not.toContain('emails');
        expect(header).not.toContain('custom.salary');
        expect(csv).not.toMatch(/ada@|90000/);
        const deals = await text(t.exports.stream('deal', { format: 'ndjson' }));
        expect(Object.keys(JSON.parse(deals.split('\n')[0]!) as object)).not.toContain('amount.minor');
        let written = '';
        const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { written += chunk.toString(); done(); } });
        expect(await t.exports.toWritable('contact', sink, { format: 'ndjson' })).toEqual({ rows: 1 });
        expect(JSON.parse(written.split('\n')[0]!)).toMatchObject({ firstName: 'Ada', 'custom.tier': 'gold' });
        expect(written).not.toMatch(/ada@|salary/);
        await expect(t.exports.toWritable('contact', sink, { fields: ['email'] })).rejects.toEqual(refused('export', 'email'));
        expect(() => t.exports.stream('contact', { fields: ['firstName', 'email'] })).not.toThrow();
        await expect(text(t.exports.stream('contact', { fields: ['firstName', 'email'] }))).rejects.toEqual(refused('export', 'email'));
        await expect(text(t.exports.stream('contact', { fields: ['custom'] }))).rejects.toEqual(refused('export', 'custom'));
        await expect(text(t.exports.stream('deal', { mapping: { columns: { Value: 'amount.minor' } } }))).rejects.toBeInstanceOf(ForbiddenError);
        await expect(text(t.exports.stream('deal', { fields: ['title', 'weightedAmountMinor'] }))).rejects.toEqual(refused('export', 'weightedAmountMinor'));
      });
    });

    describe('read-only fields', () => {
      it('are visible and refused in create and update inputs', async () => {
        const { t, ada } = await setup();
        expect((await t.contacts.get(ada.id)).lifecycleStage).toBe('lead');
        expect((await t.contacts.list({ where: { lifecycleStage: 'lead' } })).items).toHaveLength(1);
        await expect(t.contacts.create({ firstName: 'Eve', lifecycleStage: 'customer' })).rejects.toEqual(refused('create', 'lifecycleStage'));
        await expect(t.contacts.update(ada.id, { lifecycleStage: 'customer' })).rejects.toEqual(refused('update', 'lifecycleStage'));
        const eve = await t.contacts.create({ firstName: 'Eve' });
        expect(eve.lifecycleStage).toBeDefined();
      });
    });

    describe('stored roles', () => {
      /** A member whose grants come from one role the tenant stores. */
      async function memberWith(fields: RoleDefinition['fields']) {
        const base = await setup();
        await base.sys.roles.create({ name: 'stored', grants: { '*': 'all' }, fields });
        const member = await base.sys.members.create({ name: 'Sam', role: 'agent', roles: ['stored'] });
        return { ...base, t: env.crm.tenant(base.tenantId, { actorId: member.id }) };
      }

      it('refuse read-only fields in the writes that set them by themselves', async () => {
        const { t, sys, deal } = await memberWith({ deal: { stageId: 'readOnly' }, case: { status: 'readOnly' }, survey: { comment: 'readOnly' } });
        await expect(t.deals.moveToStage(deal.id, 'proposal')).rejects.toEqual(expect.objectContaining({ action: 'update', id: deal.id, field: 'stageId' }));
        await expect(t.deals.markWon(deal.id)).rejects.toEqual(refused('update', 'stageId'));
        const kase = await sys.cases.create({ subject: 'Broken' });
        await expect(t.cases.setStatus(kase.id, 'pending')).rejects.toEqual(refused('update', 'status'));
        const survey = await sys.surveys.send({ kind: 'csat', contactId: deal.contactIds[0]! });
        await expect(t.surveys.respond(survey.id, { score: 4, comment: 'Fine' })).rejects.toEqual(refused('update', 'comment'));
        expect((await t.surveys.respond(survey.id, { score: 4 })).score).toBe(4);
        expect((await t.deals.update(deal.id, { title: 'Renamed' })).stageId).toBe(deal.stageId);
      });

      it('hide referenced fields from export columns', async () => {
        const { t, sys } = await memberWith({ member: { email: 'hidden' } });
        await sys.members.update(t.actorId!, { email: 'sam@acme.io' });
        await expect(text(t.exports.stream('contact', { fields: ['firstName', 'owner.email'] }))).rejects.toEqual(refused('export', 'owner.email'));
        expect(await text(t.exports.stream('contact', { fields: ['firstName', 'owner.name'], format: 'ndjson' }))).toContain('"owner.name":"Rita"');
      });
    });

    describe('members with several roles', () => {
      it('get the most permissive rule of the roles that read the entity', async () => {
        const { t, ada, deal } = await setup(['auditor']);
        const contact = await t.contacts.get(ada.id);
        // rep hides email, auditor makes it read-only: the more permissive rule wins.
        expect(contact.email).toBe('ada@acme.io');
        await expect(t.contacts.update(ada.id, { email: 'x@y.io' })).rejects.toEqual(refused('update', 'email'));
        // auditor names no rule for custom.salary: a role reading contacts without a rule shows it.
        expect(contact.custom).toEqual({ salary: 90_000, tier: 'gold' });
        // auditor cannot read deals: its silence does not widen the rep's rule there.
        expect(await t.deals.get(deal.id)).not.toHaveProperty('amount');
      });

      it('see every field when one readable role rules none', async () => {
        const { t, ada } = await setup(['payroll']);
        const contact = await t.contacts.get(ada.id);
        expect(contact).toMatchObject({ email: 'ada@acme.io', lifecycleStage: 'lead', custom: { salary: 90_000 } });
        await t.contacts.update(ada.id, { lifecycleStage: 'customer', email: 'ada@lovelace.io' });
      });
    });

    describe('scopes', () => {
      it('guards transactions of an acting member', async () => {
        const { t, ada } = await setup();
        const seen = await t.transaction(async (tt) => {
          await expect(tt.contacts.update(ada.id, { email: 'x@y.io' })).rejects.toBeInstanceOf(ForbiddenError);
          return tt.contacts.get(ada.id);
        });
        expect(seen).not.toHaveProperty('email');
        const inCrm = await env.crm.transaction(async (tx) => tx.tenant(ada.tenantId, { actorId: t.actorId! }).contacts.get(ada.id));
        expect(inCrm).not.toHaveProperty('email');
      });
    });

    describe('on every entity', () => {
      let entityCrm: CrmOnTarget;
      beforeAll(async () => {
        const fields = Object.fromEntries(fieldCases.map((c) => [c.entity, { [c.hidden]: 'hidden' as const }]));
        entityCrm = await target.open({ access: { roles: [{ name: 'rep', grants: { '*': 'all' }, fields }] } });
      });
      afterAll(() => entityCrm.crm.close());

      async function fixture(): Promise<FieldFixture> {
        const tenantId = `entities-${++tenants}`;
        const sys = entityCrm.crm.system(tenantId);
        const member = await sys.members.create({ name: 'Rita', role: 'rep' });
        return {
          sys, member, t: entityCrm.crm.tenant(tenantId, { actorId: member.id }),
          contact: await sys.contacts.create({ firstName: 'Ada' }),
          product: await sys.products.create({ name: 'Printer' }),
          pipeline: await sys.pipelines.create({ name: 'Sales', stages: salesStages }),
        };
      }

      const recordsOf = (c: FieldCase, result: unknown) => (c.records ?? ((r: unknown) => [r as { id: string }]))(result);

      it.each(fieldCases.map((c) => [c.entity, c] as const))('%s: get, list, create and update return records without the hidden field', async (_, c) => {
        const f = await fixture();
        const made = recordsOf(c, await c.make(f));
        expect(made.some((r) => c.hidden in r)).toBe(true); // the system scope sees it
        const results = [
          ...made.length > 0 ? recordsOf(c, await c.get!(f, made[0]!)) : [],
          ...(await c.list!(f)).flatMap((r) => recordsOf(c, r)),
          ...recordsOf(c, await c.create(f)),
          ...recordsOf(c, await c.update(f, made[0]!)),
        ];
        expect(results.length).toBeGreaterThan(2);
        for (const record of results) expect(record).not.toHaveProperty(c.hidden);
      });

      it('timelines and customer views hide fields of the records inside them', async () => {
        const f = await fixture();
        const interaction = fieldCases.find((c) => c.entity === 'interaction')!;
        const task = fieldCases.find((c) => c.entity === 'task')!;
        await interaction.make(f);
        await task.make(f);
        const timeline = await f.t.timeline.forContact(f.contact.id);
        expect(timeline.items.map((i) => i.kind).sort()).toEqual(['interaction', 'task']);
        expect(JSON.stringify(timeline)).not.toContain('Secret');
        expect(JSON.stringify(await f.sys.timeline.forContact(f.contact.id))).toContain('Secret');
        expect(JSON.stringify(await f.t.customers.view(f.contact.id))).not.toContain('Secret');
      });
    });

    it('strips exactly the hidden fields of random rules from random records', async () => {
      const ruled = ['email', 'phone', 'title', 'city', 'source', 'occupation', 'lifecycleStage', 'custom', 'custom.tier', 'custom.salary'] as const;
      // A rule on a field covers what is derived from it (see field-columns.ts).
      const derived: Record<string, string[]> = { email: ['emails'], phone: ['phones'] };
      const contactArb = fc.record(
        {
          firstName: fc.constantFrom('Ada', 'Bob', 'Cy'),
          email: fc.stringMatching(/^[a-z]{1,8}$/).map((local) => `${local}@acme.io`),
          phone: fc.constantFrom('+493012345670', '+14155550100'),
          title: fc.constantFrom('CTO', 'Buyer'),
          city: fc.constantFrom('Berlin', 'Paris'),
          custom: fc.record({ tier: fc.constantFrom('gold', 'silver'), salary: fc.integer({ min: 1, max: 1e6 }) }, { requiredKeys: [] }),
        },
        { requiredKeys: ['firstName'] },
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(contactArb, { minLength: 1, maxLength: 3 }),
          fc.uniqueArray(fc.tuple(fc.constantFrom(...ruled), fc.constantFrom('hidden', 'readOnly')), { selector: ([f]) => f, maxLength: 5 }),
          async (inputs, rules) => {
            const tenantId = `property-${++run}-${++tenants}`;
            const sys = env.crm.system(tenantId);
            await sys.roles.create({ name: 'random', grants: { '*': 'all' }, fields: { contact: Object.fromEntries(rules) } });
            const member = await sys.members.create({ name: 'Pat', role: 'agent', roles: ['random'] });
            const originals = await Promise.all(inputs.map((input) => sys.contacts.create(input)));
            const t: TenantScope = env.crm.tenant(tenantId, { actorId: member.id });
            const hidden = new Set<string>(rules.filter(([, rule]) => rule === 'hidden').map(([field]) => field));
            const gone = new Set([...hidden].flatMap((f) => [f, ...(derived[f] ?? [])]));
            const results = [
              ...(await t.contacts.list()).items,
              ...(await Promise.all(originals.map((c) => t.contacts.get(c.id)))),
              await t.contacts.update(originals[0]!.id, { tags: ['seen'] }),
              (await t.customers.view(originals[0]!.id)).contact,
            ];
            expect(results).toHaveLength(originals.length * 2 + 2);
            for (const record of results) {
              const original = originals.find((c) => c.id === record.id)!;
              const expected = Object.keys(original).filter((k) => !gone.has(k));
              expect(Object.keys(record).sort()).toEqual(expected.sort());
              if (!gone.has('custom')) {
                const keys = Object.keys(original.custom).filter((k) => !hidden.has(`custom.${k}`));
                expect(Object.keys(record.custom).sort()).toEqual(keys.sort());
              }
              for (const key of expected) if (key !== 'custom' && key !== 'tags' && key !== 'version' && key !== 'updatedAt') expect(record[key as keyof typeof record]).toEqual(original[key as keyof typeof original]);
            }
          },
        ),
        { numRuns: 15 },
      );
    });
  });
}
