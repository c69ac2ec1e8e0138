import { type CrmEvent, NotFoundError, ValidationError } from '@crmkit/core';
import { workflowMigrations, workflowPersonalData } from '@crmkit/workflows';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineFor, findAnywhere, person, rawDatabase, seedPerson } from './privacy-fixtures.js';
import { crmTargets } from './targets.js';

const targets = crmTargets();
const options = { migrations: workflowMigrations, personalData: [workflowPersonalData] };

/** Rows per table, for the tables whose row count an erasure must not change. */
function rowCounts(tables: Map<string, string[]>): Record<string, number> {
  const keep = /(^|\.)(crm_|crmkit_wf_)/;
  const changing = /(^|\.)(crm_consent_change|crm_erasure|crm_audit_entry|crm_event)$/;
  return Object.fromEntries([...tables].filter(([t]) => keep.test(t) && !changing.test(t)).map(([t, rows]) => [t, rows.length]));
}

describe.each(targets)('privacy ($name)', (target) => {
  const run = it.skipIf(target.skip);

  run('erases a person from every table of the database, keeping rows, amounts and counts', async () => {
    const { crm, adapter } = await target.open(options);
    try {
      const t = crm.tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
      const engine = engineFor(crm);
      const p = person();
      const seeded = await seedPerson(t, engine, p);
      const db = rawDatabase(target.name, adapter);
      const needles = [p.firstName, p.lastName, p.email, p.oldEmail, p.phone, p.nationalPhone];
      // The seed really put the person in the tables the erasure has to reach.
      const before = await findAnywhere(db, needles);
      for (const table of ['crm_contact', 'crm_deal_line', 'crm_interaction', 'crm_case', 'crm_survey', 'crm_deal', 'crm_task', 'crm_audit_entry', 'crm_event', 'crmkit_wf_instance', 'crmkit_wf_step']) {
        expect(before.some((hit) => hit.startsWith(table) || hit.includes(`.${table} `))).toBe(true);
      }
      const sums = async () => [
        await db.scalar('select sum(amount_minor) from crm_deal'),
        await db.scalar('select sum(total_minor) from crm_order'),
        await db.scalar('select sum(total_minor) from crm_order_line'),
      ];
      const sumsBefore = await sums();
      const countsBefore = rowCounts(await db.rowsByTable());
      const heard: CrmEvent[] = [];
      t.events.on('contact.erased', (e) => void heard.push(e));

      const erasure = await t.privacy.erase(seeded.contact.id, { reason: 'GDPR art. 17', requestedBy: 'ticket 4711' });

      expect(await findAnywhere(db, needles)).toEqual([]);
      expect(await sums()).toEqual(sumsBefore);
      expect(rowCounts(await db.rowsByTable())).toEqual(countsBefore);
      expect(erasure).toMatchObject({ contactId: seeded.contact.id, reason: 'GDPR art. 17', requestedBy: 'ticket 4711', erasedAt: crm.clock.now().toISOString() });
      expect(erasure.counts).toMatchObject({ crm_contact: 1, crm_case: 1, crm_survey: 1, crm_deal: 1, crmkit_wf_instance: 1 });
      expect(erasure.counts.crm_interaction).toBeGreaterThanOrEqual(3);
      expect(erasure.counts.crm_event).toBeGreaterThan(5);
      expect(heard.map((e) => e.data)).toEqual([{ contactId: seeded.contact.id, erasureId: erasure.id }]);

      // The contact stays, anonymised and flagged; links and scores stay.
      const contact = await t.contacts.get(seeded.contact.id);
      expect(contact).toMatchObject({ firstName: null, lastName: null, email: null, emails: [], phone: null, phones: [], city: null, consent: {}, companyId: seeded.company.id });
      expect(contact.erasedAt).toBe(erasure.erasedAt);
      expect((await t.deals.get(seeded.deal.id)).amount).toEqual({ minor: 500_000, currency: 'EUR' });
      expect((await t.deals.get(seeded.deal.id)).title).toBe('[erased] renewal');
      // What others said stays: only the person is taken out of a shared meeting.
      expect((await t.interactions.get(seeded.shared.id)).body).toBe('Met [erased] and Bob about the renewal');
      expect((await t.contacts.get(seeded.bob.id)).email).toBe('bob@example.net');
      expect(await t.campaigns.members(seeded.campaign.id)).toMatchObject({ items: [{ contactId: seeded.contact.id }] });
      const instance = await engine.get(t.tenantId, seeded.run.id);
      expect(instance.state).toBe('waiting');
      expect(instance.context).toEqual({ contactId: seeded.contact.id, email: '[erased]', note: '[erased] called from [erased]' });

      const exported = await t.privacy.export(seeded.contact.id);
      expect(exported.erasures).toEqual([erasure]);
      expect(exported.consentHistory.at(-1)).toMatchObject({ source: 'erasure', to: null });
      const text = JSON.stringify(exported).toLowerCase();
      for (const needle of needles) expect(text).not.toContain(needle.toLowerCase());
      // Data written after the erasure is the host's to erase again; the flag stays.
      await t.contacts.update(seeded.contact.id, { firstName: 'Returning' });
      expect((await t.contacts.get(seeded.contact.id)).erasedAt).toBe(erasure.erasedAt);
    } finally {
      await crm.close();
    }
  });

  run('exports everything about the person as one JSON document', async () => {
    const { crm } = await target.open(options);
    try {
      const t = crm.tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
      const engine = engineFor(crm);
      const p = person();
      const seeded = await seedPerson(t, engine, p);
      const doc = await t.privacy.export(seeded.contact.id);
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
      expect(doc).toMatchObject({ format: 'crmkit.personal-data.v1', contactId: seeded.contact.id, tenantId: t.tenantId, contact: { email: p.email }, company: { id: seeded.company.id } });
      expect(doc.deals.map((d) => d.id)).toEqual([seeded.deal.id]);
      expect(doc.orders.map((o) => o.id)).toEqual([seeded.order.id]);
      expect(doc.orderLines).toHaveLength(1);
      expect(doc.assets.map((a) => a.id)).toEqual([seeded.asset.id]);
      expect(doc.contracts.map((c) => c.id)).toEqual([seeded.contract.id]);
      expect(doc.cases.map((c) => c.id)).toEqual([seeded.caseId]);
      expect(doc.caseActivity.length).toBeGreaterThanOrEqual(2);
      expect(doc.interactions).toHaveLength(4);
      expect(doc.tasks.map((x) => x.title)).toContain(`Call ${p.firstName} back`);
      expect(doc.surveys).toMatchObject([{ id: seeded.survey.id, score: 4 }]);
      expect(doc.campaignMemberships).toMatchObject([{ campaignId: seeded.campaign.id }]);
      expect(doc.segmentMemberships).toMatchObject([{ segmentId: seeded.list.id, segmentName: 'Key people' }]);
      expect(doc.consentHistory.map((c) => [c.channel, c.from, c.to, c.source])).toEqual([
        ['email', null, 'granted', 'web-form'],
        ['sms', null, 'denied', 'support-call'],
      ]);
      expect(doc.auditEntries.filter((a) => a.recordId === seeded.contact.id).map((a) => a.action)).toEqual(['create', 'update', 'update']);
      expect(doc.events.map((e) => e.type)).toEqual(expect.arrayContaining(['contact.created', 'contact.updated', 'deal.created', 'case.created', 'survey.answered']));
      expect(doc.events.some((e) => e.type === 'contact.created' && JSON.stringify(e.data).includes(seeded.bob.id))).toBe(false);
      expect(doc.erasures).toEqual([]);
      expect(doc.extensions.workflows).toMatchObject({
        instances: [{ id: seeded.run.id, workflowId: 'remember', subject: { type: 'contact', id: seeded.contact.id }, context: { email: p.email } }],
        steps: expect.arrayContaining([expect.objectContaining({ eventType: 'note' })]),
      });
      // Bob is on the deal and the meeting, but the document is not about him.
      expect(JSON.stringify(await t.privacy.export(seeded.bob.id))).not.toContain(p.email);
    } finally {
      await crm.close();
    }
  });

  run('takes only the person out of shared texts: whole names, any case, every phone format', async () => {
    const { crm } = await target.open();
    try {
      const t = crm.tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
      const ada = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.io', phone: '+442071838750' });
      const bob = await t.contacts.create({ firstName: 'Bob' });
      const note = await t.interactions.log({
        type: 'note', contactIds: [ada.id, bob.id],
        body: 'ADA LOVELACE moved to Canada with Bob; write to Ada@Acme.io or call 020 7183 8750 / +44 20 7183 8750. Adamant: Ada.',
      });
      await t.privacy.erase(ada.id);
      expect((await t.interactions.get(note.id)).body).toBe('[erased] moved to Canada with Bob; write to [erased] or call [erased] / [erased]. Adamant: [erased].');
    } finally {
      await crm.close();
    }
  });

  run('erases inside a host transaction, including what that transaction wrote before', async () => {
    const { crm, adapter } = await target.open();
    try {
      const t = crm.tenant(`acme-${Math.random().toString(36).slice(2, 8)}`);
      const p = person();
      const erasure = await t.transaction(async (tt) => {
        const contact = await tt.contacts.create({ firstName: p.firstName, email: p.email });
        await tt.contacts.update(contact.id, { lastName: p.lastName });
        return tt.privacy.erase(contact.id);
      });
      expect(await findAnywhere(rawDatabase(target.name, adapter), [p.firstName, p.lastName, p.email])).toEqual([]);
      expect((await t.privacy.export(erasure.contactId)).erasures).toEqual([erasure]);
    } finally {
      await crm.close();
    }
  });

  run("cannot read or erase another tenant's contact", async () => {
    const { crm } = await target.open(options);
    try {
      const suffix = Math.random().toString(36).slice(2, 8);
      const t = crm.tenant(`acme-${suffix}`);
      const other = crm.tenant(`globex-${suffix}`);
      const ada = await t.contacts.create({ firstName: 'Ada', email: `ada-${suffix}@example.org`, consent: { email: 'granted' } });
      await expect(other.privacy.erase(ada.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(other.privacy.export(ada.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(other.privacy.consentHistory(ada.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await t.contacts.get(ada.id)).email).toBe(`ada-${suffix}@example.org`);
      await expect(t.privacy.erase(ada.id, { reason: '' })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.privacy.erase(ada.id, { because: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(t.privacy.erase('')).rejects.toBeInstanceOf(ValidationError);
      // Whatever id another tenant tries, it erases and reads nothing.
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.constant(ada.id), fc.string({ maxLength: 40 })), async (id) => {
          for (const call of [() => other.privacy.erase(id), () => other.privacy.export(id), () => other.privacy.consentHistory(id)]) {
            const error = await call().then(() => undefined, (e: unknown) => e);
            expect(error instanceof NotFoundError || error instanceof ValidationError).toBe(true);
          }
        }),
        { numRuns: 25 },
      );
      expect(await t.privacy.consentHistory(ada.id)).toMatchObject([{ channel: 'email', to: 'granted' }]);
      expect((await t.contacts.get(ada.id)).erasedAt).toBeNull();
    } finally {
      await crm.close();
    }
  });
});
