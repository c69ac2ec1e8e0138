import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { coreMigrations, coreModels, createCrm, type Migration } from '@crmkit/core';
import { queueWorkerMigrations, workflowMigrations } from '@crmkit/workflows';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import {
  asScript,
  releaseFile,
  releasedMigrationIds,
  statementsByMigration,
  upgradedRow,
  withoutAppliedAt,
} from '../../core/test/fixtures/release-0.1.0/release.js';

const all: readonly Migration[] = [...coreMigrations, ...workflowMigrations, ...queueWorkerMigrations];
const released = releaseFile('sqlite', 'schema.sql');

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every crmkit table but the adapter's own (migrations, log counters), by table, in key order. */
function dump(db: BetterSqlite3.Database): Rows {
  const tables = db.prepare("select name from sqlite_master where type = 'table' and name not in ('crmkit_migration', 'crmkit_log') order by name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`select * from "${t}" order by tenant_id, id`).all() as Record<string, unknown>[]]));
}

/** The schema as SQLite records it: every table and index with its DDL. */
function schemaOf(db: BetterSqlite3.Database): unknown[] {
  return db.prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by type, name").all();
}

describe('the SQL of every migration', () => {
  const compiled = statementsByMigration(sqliteAdapter().compileMigrations(all));

  test.each([...compiled.keys()])('of %s is pinned in a snapshot file, so a released migration cannot change unseen', async (id) => {
    await expect(asScript(compiled.get(id)!)).toMatchFileSnapshot(`./migrations/${id}.sql`);
  });

  test('of the migrations of release 0.1.0 is exactly the script 0.1.0 printed', () => {
    const ids = new Set(releasedMigrationIds(released));
    const script = sqliteAdapter().compileMigrations(all.filter((m) => ids.has(m.id)));
    expect(withoutAppliedAt(asScript(script))).toBe(withoutAppliedAt(released));
  });
});

describe('upgrading a database of release 0.1.0', () => {
  async function upgraded() {
    const db = new BetterSqlite3(':memory:');
    db.exec(released);
    db.exec(releaseFile('sqlite', 'data.sql'));
    const before = dump(db);
    const crm = await createCrm({ adapter: sqliteAdapter({ database: db }), migrations: [...workflowMigrations, ...queueWorkerMigrations] });
    const applied = await crm.migrate();
    return { db, crm, before, applied };
  }

  test('applies every migration released since, and only those', async () => {
    const { applied, crm } = await upgraded();
    const old = new Set(releasedMigrationIds(released));
    expect(applied).toEqual(all.map((m) => m.id).filter((id) => !old.has(id)).sort());
    await crm.close();
  });

  test('keeps every row, column for column', async () => {
    const { db, before, crm } = await upgraded();
    const after = dump(db);
    expect(Object.values(before).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(150);
    const json = (value: unknown) => JSON.parse(value as string) as unknown;
    for (const [table, rows] of Object.entries(before)) {
      const expected = rows.map((row) => upgradedRow(table, row, json));
      const kept = (after[table] ?? []).map((row, i) =>
        Object.fromEntries(Object.keys(expected[i] ?? {}).map((column) => [column, column === 'custom' ? json(row[column]) : row[column]])),
      );
      expect(kept, table).toEqual(expected.map((row) => ('custom' in row && typeof row.custom === 'string' ? { ...row, custom: json(row.custom) } : row)));
    }
    expect(after.crm_task!.filter((row) => row.idempotency_key !== null).length).toBeGreaterThan(0);
    // 0018_deal_lines: every line of every old deal became a row of crm_deal_line, with the deal's state.
    type OldLine = { productId: string | null; quantity: number; totalMinor: number };
    const lineKey = (row: Record<string, unknown>) => `${row.tenant_id as string}/${row.id as string}`;
    const expectedLines = before.crm_deal!.flatMap((deal) => (json(deal.lines) as OldLine[]).map((line, position) => ({
      tenant_id: deal.tenant_id, id: `${deal.id as string}:${position}`, deal_id: deal.id, position, product_id: line.productId,
      quantity: line.quantity, amount_minor: line.totalMinor, currency: deal.currency, status: deal.status, closed_at: deal.closed_at, lost_reason: deal.lost_reason,
    })));
    expect(expectedLines.length).toBeGreaterThan(0);
    expect([...after.crm_deal_line!].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : 1)).map((row) => Object.fromEntries(Object.keys(expectedLines[0]!).map((c) => [c, row[c]]))))
      .toEqual(expectedLines.sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : 1)));
    await crm.close();
  });

  test('makes the old events the head of the log, in id order, before every new event', async () => {
    const { before, crm } = await upgraded();
    const events = before.crm_event!.map((row) => [row.id as string, `${row.tenant_id as string}/${row.id as string}`] as const).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(events.length).toBeGreaterThan(50);
    await crm.tenant('globex').companies.create({ name: 'After the upgrade' });
    const log = await crm.adapter.readLog({ model: coreModels.event, limit: 1000 });
    expect(log.rows.map((row) => `${row.tenantId as string}/${row.id as string}`)).toEqual([...events.map(([, key]) => key), expect.stringMatching(/^globex\//)]);
    await crm.close();
  });

  test('ends with exactly the schema a fresh database gets', async () => {
    const { db, crm } = await upgraded();
    const fresh = new BetterSqlite3(':memory:');
    const freshCrm = await createCrm({ adapter: sqliteAdapter({ database: fresh }), migrations: [...workflowMigrations, ...queueWorkerMigrations] });
    await freshCrm.migrate();
    expect(schemaOf(db)).toEqual(schemaOf(fresh));
    await crm.close();
    await freshCrm.close();
  });

  test('serves the old records through the current services', async () => {
    const { db, crm } = await upgraded();
    for (const tenantId of ['acme', 'globex']) {
      const t = crm.tenant(tenantId);
      const count = (table: string) => db.prepare(`select count(*) from "${table}" where tenant_id = ?`).pluck().get(tenantId);
      expect((await t.contacts.list({ limit: 100 })).items).toHaveLength(count('crm_contact') as number);
      expect((await t.deals.list({ limit: 100 })).items).toHaveLength(count('crm_deal') as number);
      expect((await t.tasks.list({ limit: 100 })).items).toHaveLength(count('crm_task') as number);
      const [contact] = (await t.contacts.list({ where: { firstName: 'Ada' } })).items;
      expect(contact).toMatchObject({ lastName: 'Lovelace', custom: { tier: 'gold', score: 42 }, consent: { email: 'granted' } });
      const timeline = await t.timeline.forContact(contact!.id);
      expect(timeline.items.length).toBeGreaterThan(0);
      const [pipeline] = (await t.pipelines.list()).items;
      expect((await t.reports.pipelineSummary(pipeline!.id)).stages).toHaveLength(4);
    }
    await crm.close();
  });
});
