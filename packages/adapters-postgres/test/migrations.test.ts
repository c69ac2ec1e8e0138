import { type PostgresStorageAdapter, postgresAdapter } from '@crmkit/adapter-postgres';
import { coreMigrations, coreModels, createCrm, type Migration } from '@crmkit/core';
import { queueWorkerMigrations, workflowMigrations } from '@crmkit/workflows';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, test } from 'vitest';
import {
  asScript,
  releaseFile,
  releasedMigrationIds,
  statementsByMigration,
  upgradedRow,
  withoutAppliedAt,
} from '../../core/test/fixtures/release-0.1.0/release.js';
import { createTestDatabase, noServer, serverUrl } from './pg-target.js';

const all: readonly Migration[] = [...coreMigrations, ...workflowMigrations, ...queueWorkerMigrations];
const extensions = [...workflowMigrations, ...queueWorkerMigrations];
const released = releaseFile('postgres', 'schema.sql');

/** A database of its own on each target, with the SQL to fill it and its adapter. */
interface Database {
  adapter: PostgresStorageAdapter;
  exec(script: string): Promise<void>;
  rows(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const targets = [
  {
    name: 'PGlite',
    skip: false,
    async open(): Promise<Database> {
      const pglite = await PGlite.create();
      return {
        adapter: postgresAdapter({ pglite }),
        exec: async (script) => void (await pglite.exec(script)),
        rows: async (text) => (await pglite.query<Record<string, unknown>>(text)).rows,
        close: () => pglite.close(),
      };
    },
  },
  {
    name: 'server',
    skip: serverUrl === undefined,
    async open(): Promise<Database> {
      const db = await createTestDatabase(serverUrl!);
      const adapter = postgresAdapter({ connectionString: db.url, poolSize: 2 });
      return {
        adapter,
        exec: async (script) => void (await adapter.pool!.query(script)),
        rows: async (text) => (await adapter.pool!.query(text)).rows as Record<string, unknown>[],
        async close() {
          await adapter.close();
          await db.drop();
        },
      };
    },
  },
];

/** Every row of every crmkit table but the migration table, by table, in key order, as text. */
async function dump(db: Database): Promise<Record<string, Record<string, unknown>[]>> {
  const tables = await db.rows("select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'crmkit_migration' order by 1");
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { table_name: table } of tables) {
    // to_jsonb of the whole row: every value in one comparable form, whatever the driver parses.
    out[table as string] = (await db.rows(`select to_jsonb(t) as row from "${table as string}" t order by tenant_id, id`)).map((r) => r.row as Record<string, unknown>);
  }
  return out;
}

/** Columns and indexes as the catalog describes them. */
async function schemaOf(db: Database): Promise<unknown> {
  return {
    columns: await db.rows(
      "select table_name, column_name, ordinal_position, data_type, is_nullable, column_default from information_schema.columns where table_schema = 'public' order by 1, 3",
    ),
    indexes: await db.rows("select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2"),
  };
}

describe('the SQL of every migration on Postgres', () => {
  const compiled = statementsByMigration(postgresAdapter({ connectionString: 'postgres://unused' }).compileMigrations(all));

  test.each([...compiled.keys()])('of %s is pinned in a snapshot file', async (id) => {
    await expect(asScript(compiled.get(id)!)).toMatchFileSnapshot(`./migrations/${id}.sql`);
  });

  test('of the migrations of release 0.1.0 is exactly the script 0.1.0 printed', () => {
    const ids = new Set(releasedMigrationIds(released));
    const script = postgresAdapter({ connectionString: 'postgres://unused' }).compileMigrations(all.filter((m) => ids.has(m.id)));
    expect(withoutAppliedAt(asScript(script))).toBe(withoutAppliedAt(released));
  });
});

describe.each(targets)('upgrading a Postgres database of release 0.1.0 ($name)', (target) => {
  test.skipIf(target.skip)(`keeps every row and ends with the schema of a fresh database${target.skip ? ` (${noServer})` : ''}`, async () => {
    const db = await target.open();
    const fresh = await target.open();
    try {
      await db.exec(released);
      await db.exec(releaseFile('postgres', 'data.sql'));
      const before = await dump(db);
      const crm = await createCrm({ adapter: db.adapter, migrations: extensions });
      const old = new Set(releasedMigrationIds(released));
      expect(await crm.migrate()).toEqual(all.map((m) => m.id).filter((id) => !old.has(id)).sort());

      const after = await dump(db);
      expect(Object.values(before).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(150);
      for (const [table, rows] of Object.entries(before)) {
        const expected = rows.map((row) => upgradedRow(table, row, (value) => value));
        const kept = (after[table] ?? []).map((row, i) => Object.fromEntries(Object.keys(expected[i] ?? {}).map((column) => [column, row[column]])));
        expect(kept, table).toEqual(expected);
      }
      expect(after.crm_task!.filter((row) => row.idempotency_key !== null).length).toBeGreaterThan(0);
      // 0018_deal_lines: every line of every old deal became a row of crm_deal_line, with the deal's state.
      type OldLine = { productId: string | null; quantity: number; totalMinor: number };
      const lineKey = (row: Record<string, unknown>) => `${row.tenant_id as string}/${row.id as string}`;
      const expectedLines = before.crm_deal!.flatMap((deal) => (deal.lines as OldLine[]).map((line, position) => ({
        tenant_id: deal.tenant_id, id: `${deal.id as string}:${position}`, deal_id: deal.id, position, product_id: line.productId,
        quantity: line.quantity, amount_minor: line.totalMinor, currency: deal.currency, status: deal.status, closed_at: deal.closed_at, lost_reason: deal.lost_reason,
      })));
      expect(expectedLines.length).toBeGreaterThan(0);
      expect([...after.crm_deal_line!].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : 1)).map((row) => Object.fromEntries(Object.keys(expectedLines[0]!).map((c) => [c, row[c]]))))
        .toEqual(expectedLines.sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : 1)));

      await (await createCrm({ adapter: fresh.adapter, migrations: extensions })).migrate();
      expect(await schemaOf(db)).toEqual(await schemaOf(fresh));

      const t = crm.tenant('acme');
      const [contact] = (await t.contacts.list({ where: { firstName: 'Ada' } })).items;
      expect(contact).toMatchObject({ lastName: 'Lovelace', custom: { tier: 'gold', score: 42 } });
      expect((await t.timeline.forContact(contact!.id)).items.length).toBeGreaterThan(0);

      // The old events became the head of the log, in id order, and a new one comes after them.
      const events = before.crm_event!.map((row) => `${row.tenant_id as string}/${row.id as string}`).sort((a, b) => (a.split('/')[1]! < b.split('/')[1]! ? -1 : 1));
      await t.companies.create({ name: 'After the upgrade' });
      const log = await db.adapter.readLog({ model: coreModels.event, limit: 1000 });
      expect(log.rows.map((row) => `${row.tenantId as string}/${row.id as string}`)).toEqual([...events, expect.stringMatching(/^acme\//)]);
    } finally {
      await db.close();
      await fresh.close();
    }
  }, 60_000);
});
