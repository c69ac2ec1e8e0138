import { kyselyOf, sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, type CrmEvent, CrmError, ManualClock } from '@crmkit/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let env: { crm: Awaited<ReturnType<typeof createCrm>>; adapter: ReturnType<typeof sqliteAdapter> };
beforeEach(async () => {
  const adapter = sqliteAdapter({ filename: ':memory:' });
  const crm = await createCrm({ adapter, clock: new ManualClock() });
  await crm.migrate();
  adapter.database.exec('create table app_signup (email text not null)');
  env = { crm, adapter };
});
afterEach(() => env.crm.close());

const count = (table: string) => (env.adapter.database.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

describe('host transactions', () => {
  it('commit several calls of several tenants and the host own queries together, then emit', async () => {
    const heard: CrmEvent[] = [];
    env.crm.onAnyEvent((e) => void heard.push(e));
    const result = await env.crm.transaction(async (tx) => {
      const acme = tx.tenant('acme');
      const company = await acme.companies.create({ name: 'Globex' });
      await acme.contacts.create({ firstName: 'Ada', companyId: company.id });
      expect((await acme.contacts.list()).items).toHaveLength(1); // reads join the transaction
      await tx.tenant('globex').contacts.create({ firstName: 'Bob' });
      await kyselyOf(tx.storage).executeQuery(sql`insert into app_signup (email) values (${'ada@globex.com'})`.compile(kyselyOf(tx.storage)));
      expect(heard).toEqual([]); // nothing is heard before commit
      return company.id;
    });
    expect(typeof result).toBe('string');
    expect(heard.map((e) => `${e.tenantId}:${e.type}`)).toEqual(['acme:company.created', 'acme:contact.created', 'globex:contact.created']);
    expect([count('crm_contact'), count('crm_company'), count('app_signup'), count('crm_event')]).toEqual([2, 1, 1, 3]);
  });

  it('roll back every call and query when the function throws, and emit nothing', async () => {
    const heard: CrmEvent[] = [];
    env.crm.onAnyEvent((e) => void heard.push(e));
    const boom = new Error('boom');
    await expect(
      env.crm.transaction(async (tx) => {
        await tx.tenant('acme').contacts.create({ firstName: 'Ada' });
        await kyselyOf(tx.storage).executeQuery(sql`insert into app_signup (email) values ('x')`.compile(kyselyOf(tx.storage)));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(heard).toEqual([]);
    expect([count('crm_contact'), count('app_signup'), count('crm_event'), count('crm_audit_entry')]).toEqual([0, 0, 0, 0]);
  });

  it('roll back the calls before a failing one inside the transaction', async () => {
    await expect(
      env.crm.transaction(async (tx) => {
        const t = tx.tenant('acme');
        await t.contacts.create({ firstName: 'Ada' });
        await t.contacts.create({ firstName: 'Bob', companyId: 'missing' });
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(count('crm_contact')).toBe(0);
  });

  it('fail at once, not hang, when a call goes around the transaction to the adapter', async () => {
    const outside = env.crm.tenant('acme');
    const error = await env.adapter
      .transaction(async () => {
        await outside.contacts.create({ firstName: 'Ada' });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'OUTSIDE_TRANSACTION' });
    const read = await env.crm.transaction(() => outside.contacts.list()).catch((e: unknown) => e);
    expect(read).toMatchObject({ code: 'OUTSIDE_TRANSACTION' });
    expect(count('crm_contact')).toBe(0);
    // Outside any transaction the same scope works.
    await outside.contacts.create({ firstName: 'Ada' });
    expect(count('crm_contact')).toBe(1);
  });

  it('run several calls of one tenant in one transaction through its scope', async () => {
    const asked = env.crm.tenant('acme');
    await asked.transaction(async (t) => {
      const ada = await t.contacts.create({ firstName: 'Ada' });
      await t.contacts.update(ada.id, { title: 'CTO' });
      expect(await t.transaction(async (inner) => (await inner.contacts.get(ada.id)).title)).toBe('CTO');
    });
    await expect(asked.transaction(async (t) => {
      await t.contacts.create({ firstName: 'Bob' });
      throw new Error('no');
    })).rejects.toThrow('no');
    expect((await asked.contacts.list()).items.map((c) => c.firstName)).toEqual(['Ada']);
  });

  it('see a stage changed earlier in the same transaction when they move deals', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: [{ name: 'A' }, { name: 'B' }, { name: 'Won', category: 'won' }] });
    const moved = await t.transaction(async (tt) => {
      const deal = await tt.deals.create({ title: 'x', pipelineId: p.id });
      await tt.pipelines.updateStage(p.id, 'b', { probability: 90 });
      await tt.pipelines.addStage(p.id, { name: 'C' });
      await tt.deals.moveToStage(deal.id, 'b');
      return tt.deals.moveToStage(deal.id, 'c');
    });
    expect(moved.stageId).toBe((await t.pipelines.get(p.id)).stages.find((s) => s.key === 'c')!.id);
    expect((await t.deals.stageHistory(moved.id)).map((c) => c.toStatus)).toEqual(['open', 'open', 'open']);
    const atB = await t.transaction(async (tt) => {
      const deal = await tt.deals.create({ title: 'y', pipelineId: p.id });
      return tt.deals.moveToStage(deal.id, 'b');
    });
    expect(atB.probability).toBe(90);
  });

  it('refuse a storage that does not run on Kysely in kyselyOf', () => {
    expect(() => kyselyOf({} as never)).toThrow(TypeError);
  });
});
