import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Crm, CrmEvent } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Two crmkit instances on one database (different connections where the database has them), and what to close after. */
export interface TwoWriters {
  a: Crm;
  b: Crm;
  /** How a second OS process reaches the same database: the adapter kind and its file or URL. */
  process?: { kind: 'sqlite' | 'postgres'; target: string };
  close(): Promise<void>;
}

/** Runs test/fixtures/deal-mover.ts in another process against the same database. */
function moveInAnotherProcess(target: NonNullable<TwoWriters['process']>, tenantId: string, dealId: string, rounds: number): Promise<{ moved: number }> {
  const script = fileURLToPath(new URL('./fixtures/deal-mover.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, target.kind, target.target, tenantId, dealId, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.stderr.on('data', (chunk) => (err += String(chunk)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`deal-mover exited with ${code}: ${err}`))));
  });
}

const stages = [
  { name: 'A', key: 'a' }, { name: 'B', key: 'b' }, { name: 'C', key: 'c' },
  { name: 'Won', key: 'won', category: 'won' as const }, { name: 'Lost', key: 'lost', category: 'lost' as const },
];

let tenantSeq = 0;

/**
 * The service-level races of the hardening issue, run on two connections of
 * one database: every derived value (stage history, weighted amount, status,
 * link tables, merged custom fields) must come from the row as it is inside
 * the transaction that writes it, whoever wins.
 */
export function describeServiceConcurrency(name: string, open: () => Promise<TwoWriters>): void {
  describe(`services under concurrent writers (${name})`, () => {
    let env: TwoWriters;
    beforeAll(async () => {
      env = await open();
    });
    afterAll(async () => {
      await env?.close();
    });

    async function deal() {
      const tenantId = `race-${process.pid}-${++tenantSeq}`;
      const t = env.a.tenant(tenantId);
      const pipeline = await t.pipelines.create({ name: 'Sales', stages });
      const record = await t.deals.create({ title: 'x', pipelineId: pipeline.id, amount: { minor: 10_000, currency: 'USD' } });
      const events: CrmEvent[] = [];
      for (const crm of new Set([env.a, env.b])) crm.tenant(tenantId).events.on('*', (e) => void events.push(e));
      return { tenantId, ta: t, tb: env.b.tenant(tenantId), record, events };
    }

    it('records one stage change when two connections move a deal to the same stage at once', async () => {
      const { ta, tb, record, events } = await deal();
      await Promise.all([ta.deals.moveToStage(record.id, 'b'), tb.deals.moveToStage(record.id, 'b')]);
      const history = await ta.deals.stageHistory(record.id);
      expect(history.map((c) => [c.fromStageId === null, c.toStageId])).toHaveLength(2);
      expect(events.filter((e) => e.type === 'deal.stageChanged')).toHaveLength(1);
      expect((await ta.deals.get(record.id)).version).toBe(2);
    });

    it('keeps the stage history a chain when two connections move a deal to different stages at once', async () => {
      const { ta, tb, record } = await deal();
      await Promise.all([ta.deals.moveToStage(record.id, 'b'), tb.deals.moveToStage(record.id, 'c')]);
      const history = await ta.deals.stageHistory(record.id);
      expect(history).toHaveLength(3);
      for (let i = 1; i < history.length; i++) expect(history[i]!.fromStageId).toBe(history[i - 1]!.toStageId);
      expect((await ta.deals.get(record.id)).stageId).toBe(history[2]!.toStageId);
    });

    it('computes the weighted amount from the amount and probability the deal ends with', async () => {
      const { ta, tb, record } = await deal();
      await Promise.all([ta.deals.update(record.id, { amount: { minor: 90_000, currency: 'USD' } }), tb.deals.moveToStage(record.id, 'c')]);
      const final = await ta.deals.get(record.id);
      expect(final.amount.minor).toBe(90_000);
      expect(final.weightedAmountMinor).toBe(Math.round((90_000 * final.probability) / 100));
      expect(final.probability).toBe(75);
    });

    it('keeps both contacts when two connections add different contacts to a deal at once', async () => {
      const { ta, tb, record } = await deal();
      const [x, y] = [await ta.contacts.create({ firstName: 'X' }), await ta.contacts.create({ firstName: 'Y' })];
      await Promise.all([ta.deals.addContact(record.id, x.id, { role: 'champion' }), tb.deals.addContact(record.id, y.id)]);
      expect(new Set((await ta.deals.get(record.id)).contactIds)).toEqual(new Set([x.id, y.id]));
      expect((await ta.deals.contacts(record.id)).map((c) => c.contactId).sort()).toEqual([x.id, y.id].sort());
    });

    it('merges custom fields written by two connections at once', async () => {
      const { ta, tb } = await deal();
      const c = await ta.contacts.create({ firstName: 'Ada' });
      await Promise.all([ta.contacts.update(c.id, { custom: { a: 1 } }), tb.contacts.update(c.id, { custom: { b: 2 } })]);
      expect((await ta.contacts.get(c.id)).custom).toEqual({ a: 1, b: 2 });
    });

    it('loses no update of any service when two connections change one record at once', async () => {
      const { ta, tb } = await deal();
      const pipeline = (await ta.pipelines.list()).items[0]!;
      type Updatable = { update(id: string, patch: { custom: Record<string, unknown> }): Promise<{ custom: Record<string, unknown>; version: number }> };
      const records: [string, (t: typeof ta) => Updatable, string][] = [
        ['members', (t) => t.members, (await ta.members.create({ name: 'M' })).id],
        ['teams', (t) => t.teams, (await ta.teams.create({ name: `T${Math.random()}` })).id],
        ['companies', (t) => t.companies, (await ta.companies.create({ name: 'C' })).id],
        ['products', (t) => t.products, (await ta.products.create({ name: `P${Math.random()}` })).id],
        ['interactions', (t) => t.interactions, (await ta.interactions.log({ type: 'note' })).id],
        ['tasks', (t) => t.tasks, (await ta.tasks.create({ title: 'x' })).id],
        ['deals', (t) => t.deals, (await ta.deals.create({ title: 'y', pipelineId: pipeline.id })).id],
      ];
      for (const [name, service, id] of records) {
        await Promise.all([service(ta).update(id, { custom: { a: 1 } }), service(tb).update(id, { custom: { b: 2 } })]);
        const after = await service(ta).update(id, { custom: {} });
        expect([name, after.custom, after.version]).toEqual([name, { a: 1, b: 2 }, 3]);
      }
    });

    it('creates one record when two connections create with the same idempotency key at once', async () => {
      const { ta, tb, tenantId } = await deal();
      const [one, two] = await Promise.all([
        ta.tasks.create({ title: 'Call' }, { idempotencyKey: 'k1' }),
        tb.tasks.create({ title: 'Call' }, { idempotencyKey: 'k1' }),
      ]);
      expect(one.id).toBe(two.id);
      expect((await env.a.tenant(tenantId).tasks.list({ where: { idempotencyKey: 'k1' } })).items).toHaveLength(1);
    });

    it('keeps history, events and weighted amount consistent when another OS process moves the same deal', async () => {
      if (env.process === undefined) return;
      const { ta, record, events, tenantId } = await deal();
      const rounds = 30;
      const [other] = await Promise.all([
        moveInAnotherProcess(env.process, tenantId, record.id, rounds),
        (async () => {
          for (let i = 0; i < rounds; i++) {
            await ta.deals.moveToStage(record.id, i % 2 === 0 ? 'c' : 'b');
            await ta.deals.update(record.id, { amount: { minor: 5000 + i, currency: 'USD' } });
          }
        })(),
      ]);
      const history = await ta.deals.stageHistory(record.id);
      for (let i = 1; i < history.length; i++) expect(history[i]!.fromStageId).toBe(history[i - 1]!.toStageId);
      const here = events.filter((e) => e.type === 'deal.stageChanged').length;
      expect(history.length - 1).toBe(here + other.moved);
      const final = await ta.deals.get(record.id);
      expect(final.stageId).toBe(history.at(-1)!.toStageId);
      expect(final.weightedAmountMinor).toBe(Math.round((Number(final.amount.minor) * final.probability) / 100));
    }, 60_000);

    it('emits each due reminder once when two processes deliver reminders at once', async () => {
      const { ta, tenantId } = await deal();
      const past = new Date(Date.now() - 60_000);
      for (let i = 0; i < 20; i++) await ta.tasks.create({ title: `r${i}`, remindAt: past, dueAt: new Date(Date.now() + 86_400_000) });
      const heard: string[] = [];
      for (const crm of new Set([env.a, env.b])) crm.tenant(tenantId).events.on('task.reminderDue', (e) => void heard.push(e.data.record.id));
      for (let round = 0; round < 5; round++) await Promise.all([env.a.deliverReminders({ limit: 3 }), env.b.deliverReminders({ limit: 3 })]);
      while ((await env.a.deliverReminders()) + (await env.b.deliverReminders()) > 0);
      expect(heard).toHaveLength(20);
      expect(new Set(heard).size).toBe(20);
    });
  });
}
