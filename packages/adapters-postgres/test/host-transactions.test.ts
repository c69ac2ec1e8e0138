import { kyselyOf, postgresAdapter, type PostgresStorageAdapter } from '@crmkit/adapter-postgres';
import { createCrm } from '@crmkit/core';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { noServer, serverUrl, useTestDatabase } from './pg-target.js';

const url = useTestDatabase();
let pglite: PGlite | undefined;
afterAll(async () => {
  await pglite?.close();
});

const targets = [
  { name: 'PGlite', skip: false, open: async () => postgresAdapter({ pglite: (pglite ??= await PGlite.create()), schema: `host_tx_${Date.now()}` }) },
  { name: 'server', skip: serverUrl === undefined, open: async () => postgresAdapter({ connectionString: url(), poolSize: 4, schema: `host_tx_${Date.now()}` }) },
];

describe.each(targets)('host transactions on Postgres ($name)', (target) => {
  async function open(): Promise<{ adapter: PostgresStorageAdapter; crm: Awaited<ReturnType<typeof createCrm>>; count: (table: string) => Promise<number> }> {
    const adapter = await target.open();
    const crm = await createCrm({ adapter });
    await crm.migrate();
    await adapter.kysely.executeQuery(sql`create table if not exists ${sql.id(adapter.schema!, 'app_signup')} (email text not null)`.compile(adapter.kysely));
    const count = async (table: string) => {
      const { rows } = await adapter.kysely.executeQuery<{ n: number }>(sql`select count(*)::int as n from ${sql.id(adapter.schema!, table)}`.compile(adapter.kysely));
      return rows[0]!.n;
    };
    return { adapter, crm, count };
  }

  it.skipIf(target.skip)(`commit crmkit calls and the host's own Kysely queries together, or roll both back${target.skip ? ` (${noServer})` : ''}`, async () => {
    const { adapter, crm, count } = await open();
    await crm.transaction(async (tx) => {
      await tx.tenant('acme').contacts.create({ firstName: 'Ada' });
      const db = kyselyOf(tx.storage);
      await db.executeQuery(sql`insert into ${sql.id(adapter.schema!, 'app_signup')} (email) values ('ada@acme.io')`.compile(db));
    });
    await expect(
      crm.transaction(async (tx) => {
        await tx.tenant('acme').contacts.create({ firstName: 'Bob' });
        const db = kyselyOf(tx.storage);
        await db.executeQuery(sql`insert into ${sql.id(adapter.schema!, 'app_signup')} (email) values ('bob@acme.io')`.compile(db));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect([await count('crm_contact'), await count('app_signup')]).toEqual([1, 1]);
    await crm.close();
  });

  it.skipIf(target.skip)(`refuse a call that goes around the transaction, so that nothing survives its rollback${target.skip ? ` (${noServer})` : ''}`, async () => {
    const { adapter, crm, count } = await open();
    const outside = crm.tenant('acme');
    const error = await adapter
      .transaction(async () => {
        await outside.contacts.create({ firstName: 'Eve' });
        throw new Error('host rolls back');
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTSIDE_TRANSACTION' });
    expect(await count('crm_contact')).toBe(0);
    await crm.close();
  });
});
