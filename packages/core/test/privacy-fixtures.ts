import type { PostgresStorageAdapter } from '@crmkit/adapter-postgres';
import type { SqliteStorageAdapter } from '@crmkit/adapter-sqlite';
import type { Crm, StorageAdapter, TenantScope } from '@crmkit/core';
import { createWorkflowEngine, defineWorkflow, type WorkflowEngine } from '@crmkit/workflows';
import { assign, setup } from 'xstate';
import { salesStages } from './helpers.js';

/** A workflow whose context copies the contact's email and whose history records a note naming them. */
export const remember = defineWorkflow({
  id: 'remember',
  version: 1,
  machine: setup({
    types: {} as {
      input: { contactId: string; email: string };
      context: { contactId: string; email: string; note: string | null };
      events: { type: 'note'; text: string };
    },
  }).createMachine({
    id: 'remember',
    initial: 'waiting',
    context: ({ input }) => ({ contactId: input.contactId, email: input.email, note: null }),
    states: {
      waiting: { on: { note: { actions: assign({ note: ({ event }) => event.text }) } }, after: { 86_400_000: 'done' } },
      done: { type: 'final' },
    },
  }),
});

export function engineFor(crm: Crm): WorkflowEngine {
  return createWorkflowEngine({ crm, clock: crm.clock, workflows: [remember] });
}

/** The person's spellings, unique per call: tests of one file share a Postgres database. */
export function person() {
  const tag = Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6).padEnd(6, 'x');
  const digits = String(Math.floor(Math.random() * 90) + 10);
  const firstName = `Adalind${tag}`;
  const lastName = `Quenby${tag}`;
  return {
    firstName,
    lastName,
    oldEmail: `old.${tag}@example.org`,
    email: `adalind.${tag}@example.org`,
    phone: `+4420718387${digits}`,
    nationalPhone: `20718387${digits}`,
  };
}
export type Person = ReturnType<typeof person>;

/**
 * Puts the person everywhere crmkit keeps data: contact (changed once, so the
 * audit trail and the outbox hold the old email), company, deal, order, asset,
 * contract, a case opened by email with a reply, interactions (one shared with
 * another contact), a task, a survey with a comment, a campaign, a static
 * segment and a workflow instance.
 */
export async function seedPerson(t: TenantScope, engine: WorkflowEngine, p: Person) {
  const company = await t.companies.create({ name: 'Globex' });
  const contact = await t.contacts.create(
    { firstName: p.firstName, lastName: p.lastName, email: p.oldEmail, phone: p.phone, companyId: company.id, city: 'Leeds', consent: { email: 'granted' } },
    { source: 'web-form' },
  );
  await t.contacts.update(contact.id, { email: p.email, title: 'CTO', consent: { email: 'granted', sms: 'denied' } }, { source: 'support-call' });
  const bob = await t.contacts.create({ firstName: 'Bob', email: 'bob@example.net' });
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  const product = await t.products.create({ name: 'Printer' });
  const deal = await t.deals.create({
    title: `${p.lastName} renewal`, pipelineId: pipeline.id, amount: { minor: 500_000, currency: 'EUR' },
    lines: [{ productId: product.id, unitPriceMinor: 500_000 }], contactIds: [contact.id, bob.id],
  });
  await t.deals.markLost(deal.id, { reason: `${p.firstName} chose a rival` });
  const order = await t.orders.create({ contactId: contact.id, currency: 'EUR', placedAt: '2026-02-01T10:00:00Z', lines: [{ productId: product.id, name: 'Printer', unitPriceMinor: 125_000, quantity: 2 }] });
  const asset = await t.assets.create({ productId: product.id, contactId: contact.id, serialNumber: 'SN-1', location: `12 ${p.lastName} Street` });
  const contract = await t.contracts.create({ name: `${p.lastName} care plan`, kind: 'maintenance', contactId: contact.id, startDate: '2026-01-01', endDate: '2026-12-31', status: 'active' });
  const intake = await t.cases.ingest({
    channel: 'email', from: p.email.toUpperCase(), subject: null,
    body: `Hello, ${p.firstName} ${p.lastName} here, call me on ${p.phone}. The printer jams.`, messageId: `<m-${p.lastName}@mail.example.com>`,
  });
  await t.cases.respond(intake.record.id, { body: `Dear ${p.firstName}, we will call you.` });
  await t.interactions.log({ type: 'call', direction: 'outbound', contactIds: [contact.id], subject: `Call with ${p.firstName}`, body: `Reached ${p.firstName} at ${p.phone}` });
  const shared = await t.interactions.log({ type: 'meeting', contactIds: [contact.id, bob.id], body: `Met ${p.firstName} ${p.lastName} and Bob about the renewal` });
  await t.tasks.create({ title: `Call ${p.firstName} back`, description: `on ${p.phone}`, link: { type: 'contact', id: contact.id } });
  const survey = await t.surveys.send({ kind: 'nps', contactId: contact.id });
  await t.surveys.respond(survey.id, { score: 4, comment: `${p.firstName} says: reach me at ${p.email}` });
  const campaign = await t.campaigns.create({ name: 'Spring', channel: 'email' });
  await t.campaigns.enroll(campaign.id, { contactIds: [contact.id] });
  const list = await t.segments.create({ name: 'Key people', kind: 'static' });
  await t.segments.addMembers(list.id, [contact.id]);
  const run = await engine.start(t.tenantId, 'remember', { subject: { type: 'contact', id: contact.id }, input: { contactId: contact.id, email: p.email } });
  await engine.send(t.tenantId, run.id, { type: 'note', text: `${p.firstName} ${p.lastName} called from ${p.phone}` });
  return { contact, bob, company, deal, order, asset, contract, caseId: intake.record.id, shared, survey, campaign, list, run };
}

/** A raw reader of every row of every table, whatever the database. */
export interface RawDatabase {
  /** Every table, each row as one JSON text (JSON columns included as they are stored). */
  rowsByTable(): Promise<Map<string, string[]>>;
  /** One number from SQL. */
  scalar(sql: string): Promise<number>;
}

export function rawDatabase(targetName: string, adapter: StorageAdapter): RawDatabase {
  if (targetName === 'sqlite') {
    const db = (adapter as SqliteStorageAdapter).database;
    return {
      async rowsByTable() {
        const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").pluck().all() as string[];
        return new Map(tables.map((table) => [table, (db.prepare(`select * from "${table}"`).all() as object[]).map((row) => JSON.stringify(row))]));
      },
      async scalar(sql) {
        return Number(db.prepare(sql).pluck().get() ?? 0);
      },
    };
  }
  const pool = (adapter as PostgresStorageAdapter).pool!;
  return {
    async rowsByTable() {
      const { rows: tables } = await pool.query<{ s: string; t: string }>(
        "select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')",
      );
      const out = new Map<string, string[]>();
      for (const { s, t } of tables) {
        const { rows } = await pool.query<{ j: string }>(`select row_to_json(x)::text as j from "${s}"."${t}" x`);
        out.set(`${s}.${t}`, rows.map((r) => r.j));
      }
      return out;
    },
    async scalar(sql) {
      const { rows } = await pool.query<Record<string, unknown>>(sql);
      return Number(Object.values(rows[0] ?? {})[0] ?? 0);
    },
  };
}

/** Where any of the needles (case-insensitive) is found: `table: row` texts. */
export async function findAnywhere(db: RawDatabase, needles: readonly string[]): Promise<string[]> {
  const lower = needles.map((n) => n.toLowerCase());
  const found: string[] = [];
  for (const [table, rows] of await db.rowsByTable()) {
    for (const row of rows) {
      const text = row.toLowerCase();
      const hit = lower.find((n) => text.includes(n));
      if (hit) found.push(`${table} (${hit}): ${row.slice(0, 400)}`);
    }
  }
  return found;
}
