import { type PostgresStorageAdapter, classifyPostgresError, postgresAdapter } from '@crmkit/adapter-postgres';
import { coreModels, createCrm, DuplicateError, StorageError } from '@crmkit/core';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, note, noteRow } from './models.js';
import { noServer, serverUrl, useTestDatabase } from './pg-target.js';

const url = useTestDatabase();
let pglite: PGlite | undefined;
afterAll(async () => {
  await pglite?.close();
});

/** The two targets every test here runs on; the server one is skipped without a server. */
const targets = [
  { name: 'PGlite', skip: false, open: async (schema?: string) => postgresAdapter({ pglite: (pglite ??= await PGlite.create()), schema }) },
  { name: 'server', skip: serverUrl === undefined, open: async (schema?: string) => postgresAdapter({ connectionString: url(), schema }) },
];

async function rows(adapter: PostgresStorageAdapter, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (adapter.pglite) return (await adapter.pglite.query<Record<string, unknown>>(text, params)).rows;
  return (await adapter.pool!.query(text, params)).rows;
}

describe('postgresAdapter options', () => {
  it('needs exactly one of connectionString, pool and pglite', () => {
    expect(() => postgresAdapter({})).toThrow(TypeError);
    expect(() => postgresAdapter({ connectionString: 'postgres://x', pool: new pg.Pool() })).toThrow(TypeError);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => postgresAdapter({ connectionString: 'postgres://x', schema: 'crm"; drop' })).toThrow(TypeError);
  });

  it('reports the capabilities of Postgres', () => {
    expect(postgresAdapter({ connectionString: 'postgres://x' }).capabilities).toEqual({
      name: 'postgres', jsonPaths: true, returning: true, skipLocked: true, multipleConnections: true, transactionalDdl: true, maxParameters: 65535,
    });
  });
});

describe('compileMigrations', () => {
  const adapter = postgresAdapter({ connectionString: 'postgres://unused' });
  const statements = adapter.compileMigrations(migrations);

  it('uses Postgres-native column types', () => {
    const table = statements.find((s) => s.startsWith('create table "pg_test_note"'))!;
    for (const part of ['"created_at" timestamptz not null', '"counter" bigint not null', '"amount" bigint', '"pinned" boolean not null', '"due_on" date', '"custom" jsonb not null']) {
      expect(table).toContain(part);
    }
    expect(table).toContain('primary key ("tenant_id", "id")');
  });

  it('leads every B-tree index with tenant_id and adds a GIN index on custom', () => {
    expect(statements).toContain('create unique index "pg_test_note_slug" on "pg_test_note" ("tenant_id", "slug") where "slug" is not null');
    expect(statements).toContain('create index "pg_test_note_recent" on "pg_test_note" ("tenant_id", "created_at" desc)');
    expect(statements).toContain('create index "pg_test_note_custom_json" on "pg_test_note" using gin ("custom" jsonb_path_ops)');
  });

  it('qualifies tables, indexes and the migration table with the schema option and creates the schema first', () => {
    const scoped = postgresAdapter({ connectionString: 'postgres://unused', schema: 'crm' }).compileMigrations(migrations);
    expect(scoped[0]).toBe('create schema if not exists "crm"');
    expect(scoped[1]).toContain('create table if not exists "crm"."crmkit_migration"');
    expect(scoped.join('\n')).toContain('on "crm"."pg_test_note"');
    expect(scoped.at(-1)).toMatch(/^insert into "crm"."crmkit_migration" .* values \('0001_notes', '/);
  });
});

for (const target of targets) {
  describe.skipIf(target.skip)(`postgres on ${target.name}`, () => {
    it('runs the compiled script on an empty schema to the same effect as migrate', async () => {
      const adapter = await target.open('compiled_script');
      for (const statement of adapter.compileMigrations(migrations)) await rows(adapter, statement);
      expect(await adapter.migrate(migrations)).toEqual([]);
      await adapter.create({ model: note, tenantId: 't', data: noteRow('a') });
      await adapter.close();
    });

    it('applies each migration exactly once when several migrate() calls race on a fresh schema', async () => {
      const adapters = await Promise.all([1, 2, 3, 4].map(() => target.open('racing')));
      const results = await Promise.all(adapters.map((a) => a.migrate(migrations)));
      expect(results.flat()).toEqual(['0001_notes']);
      expect(await rows(adapters[0]!, 'select id from racing.crmkit_migration')).toEqual([{ id: '0001_notes' }]);
      await Promise.all(adapters.map((a) => a.close()));
    });

    it('keeps tables, indexes and crmkit_migration in the schema option, whatever the search_path', async () => {
      const adapter = await target.open('crm_space');
      expect(await adapter.migrate(migrations)).toEqual(['0001_notes']);
      const tables = await rows(adapter, "select table_schema, table_name from information_schema.tables where table_name in ('pg_test_note', 'crmkit_migration') and table_schema = 'crm_space' order by 2");
      expect(tables.map((r) => r.table_name)).toEqual(['crmkit_migration', 'pg_test_note']);
      const indexes = await rows(adapter, "select indexname from pg_indexes where schemaname = 'crm_space' and tablename = 'pg_test_note' order by 1");
      expect(indexes.map((r) => r.indexname)).toEqual(['pg_test_note_custom_json', 'pg_test_note_pkey', 'pg_test_note_recent', 'pg_test_note_slug']);
      await adapter.create({ model: note, tenantId: 't', data: noteRow('a', { slug: 's' }) });
      expect(await adapter.findOne({ model: note, tenantId: 't', id: 'a' })).toMatchObject({ title: 't a' });
      expect(await adapter.create({ model: note, tenantId: 't', data: noteRow('b', { slug: 's' }) }).catch((e: unknown) => e)).toBeInstanceOf(DuplicateError);
      await adapter.close();
    });

    it('reads dates as YYYY-MM-DD, int8 as number or bigint, booleans and JSON in their own types', async () => {
      const adapter = await target.open('types');
      await adapter.migrate(migrations);
      await rows(adapter, "set timezone = 'Pacific/Kiritimati'");
      const data = noteRow('a', { dueOn: '2024-02-29', amount: 2n ** 63n - 1n, counter: Number.MAX_SAFE_INTEGER, pinned: true, custom: { a: [1, '1'] } });
      await adapter.create({ model: note, tenantId: 't', data });
      expect(await adapter.findOne({ model: note, tenantId: 't', id: 'a' })).toEqual({ ...data, tenantId: 't', slug: null });
      const types = await rows(adapter, "select column_name, data_type from information_schema.columns where table_schema = 'types' and table_name = 'pg_test_note' and column_name in ('created_at', 'amount', 'due_on', 'custom', 'pinned') order by 1");
      expect(Object.fromEntries(types.map((r) => [r.column_name, r.data_type]))).toEqual({
        amount: 'bigint', created_at: 'timestamp with time zone', custom: 'jsonb', due_on: 'date', pinned: 'boolean',
      });
      await adapter.close();
    });

    it('maps a unique violation to DuplicateError naming the fields and keeping the cause', async () => {
      const adapter = await target.open('dupes');
      await adapter.migrate(migrations);
      await adapter.create({ model: note, tenantId: 't', data: noteRow('a', { slug: 's' }) });
      const error = await adapter.create({ model: note, tenantId: 't', data: noteRow('b', { slug: 's' }) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateError);
      expect((error as DuplicateError).fields).toEqual(['slug']);
      expect((error as DuplicateError).cause).toMatchObject({ code: '23505' });
      const again = await adapter.create({ model: note, tenantId: 't', data: noteRow('a') }).catch((e: unknown) => e);
      expect((again as DuplicateError).fields).toEqual(['id']);
      await adapter.close();
    });

    it('keeps the event log and its sequence in the schema option and reads it in commit order', async () => {
      const adapter = await target.open('logged');
      const crm = await createCrm({ adapter });
      await crm.migrate();
      const objects = await rows(adapter, "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'logged' and relname like 'crm_event_log%' order by 1");
      expect(objects.map((r) => r.relname)).toEqual(['crm_event_log_seq', 'crm_event_log_sequence', 'crm_event_log_xid']);
      const start = await adapter.logPosition({ model: coreModels.event });
      await crm.tenant('a').companies.create({ name: 'First' });
      await crm.tenant('b').companies.create({ name: 'Second' });
      await crm.tenant('b').companies.create({ name: 'Third' });
      const page = await adapter.readLog({ model: coreModels.event, after: start, limit: 10, where: { type: 'company.created' } });
      expect(page.rows.map((r) => `${r.tenantId as string}:${(r.data as { record: { name: string } }).record.name}`)).toEqual(['a:First', 'b:Second', 'b:Third']);
      await adapter.close();
    });

    it('maps other driver errors to a non-retryable StorageError keeping the cause', async () => {
      const adapter = await target.open('missing_tables');
      const error = await adapter.findOne({ model: note, tenantId: 't', id: 'a' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).retryable).toBe(false);
      expect((error as StorageError).cause).toMatchObject({ code: '42P01' });
      await adapter.close();
    });
  });
}

describe.skipIf(serverUrl === undefined)('postgres protocol limits (server)', () => {
  it('prepares one statement for in lists of every length from two, bound as one array parameter', async () => {
    const adapter = postgresAdapter({ connectionString: url(), schema: 'lists', poolSize: 1 });
    await adapter.migrate(migrations);
    await adapter.createMany({ model: note, tenantId: 't', rows: [noteRow('a', { amount: 2n ** 62n }), noteRow('b', { slug: 's' })] });
    for (const length of [2, 10, 1_000, 100_000]) {
      const ids = Array.from({ length }, (_, i) => (i === 0 ? 'a' : `x"\\,{}${i}`));
      expect(await adapter.count({ model: note, tenantId: 't', where: { id: { in: ids } } })).toBe(1);
      expect(await adapter.count({ model: note, tenantId: 't', where: { amount: { in: Array.from({ length }, (_, i) => 2n ** 62n - BigInt(i)) } } })).toBe(1);
    }
    const prepared = await adapter.executeSql!`select statement from pg_prepared_statements where statement like ${'%= any(%'}`;
    expect(prepared).toHaveLength(2);
    await adapter.close();
  });

  it('calls a statement the server refuses as a protocol violation (08P01) not retryable: it fails the same way every time', async () => {
    const adapter = postgresAdapter({ connectionString: url() });
    // 70,000 parameters do not fit the protocol's 16-bit count, which the server answers with 08P01.
    const values = Array.from({ length: 70_000 }, (_, i) => i);
    const text = `select 1 where 1 in (${values.map((_, i) => `$${i + 1}`).join(', ')})`;
    const error = await adapter.pool!.query(text, values).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '08P01' });
    expect(classifyPostgresError(error)).toEqual({ kind: 'other' });
    await adapter.close();
  });
});

describe.skipIf(serverUrl === undefined)('postgres on a host pool', () => {
  it('leaves a pool passed by the host open on close', async () => {
    const pool = new pg.Pool({ connectionString: url(), max: 2 });
    const adapter = postgresAdapter({ pool, schema: 'host_pool' });
    await adapter.migrate(migrations);
    await adapter.close();
    expect((await pool.query('select count(*)::int as n from host_pool.crmkit_migration')).rows).toEqual([{ n: 1 }]);
    await pool.end();
  });

  it('claims due rows with SKIP LOCKED: a row locked elsewhere is passed over, not waited for', async () => {
    const adapter = postgresAdapter({ connectionString: url(), schema: 'skip_locked' });
    const { conformanceJob, conformanceMigrations } = await import('@crmkit/adapter-tests');
    await adapter.migrate(conformanceMigrations);
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
    for (const id of ['a', 'b']) {
      await adapter.create({ model: conformanceJob, tenantId: 't', data: { id, createdAt: at(0), updatedAt: at(0), queue: 'q', dueAt: at(id === 'a' ? 1 : 2), attempts: 0 } });
    }
    const locker = await adapter.pool!.connect();
    await locker.query('begin');
    await locker.query("select id from skip_locked.conformance_job where id = 'a' for update");
    const claimed = await adapter.claimDue({ model: conformanceJob, tenantId: 't', dueField: 'dueAt', leaseField: 'leasedUntil', now: at(10), leaseUntil: at(20), limit: 2 });
    expect(claimed.map((r) => r.id)).toEqual(['b']);
    await locker.query('rollback');
    locker.release();
    await adapter.close();
  });
});

describe('classifyPostgresError', () => {
  it('calls serialisation failures, deadlocks, admin shutdown and lost sockets retryable', () => {
    for (const error of [{ code: '40001' }, { code: '40P01' }, { code: '57P01' }, { code: '08006' }, { code: '08003' }, { code: 'ECONNRESET' }, new Error('Connection terminated unexpectedly')]) {
      expect(classifyPostgresError(error), JSON.stringify(error)).toEqual({ kind: 'retryable' });
    }
  });

  it('never calls a deterministic failure retryable: protocol violations, unknown commit outcomes, bad input', () => {
    for (const error of [{ code: '08P01' }, { code: '08007' }, { code: '22021' }, { code: '22P05' }, { code: '54001' }, { code: '22003' }]) {
      expect(classifyPostgresError(error), JSON.stringify(error)).toEqual({ kind: 'other' });
    }
  });

  it('reads the columns of a unique violation from its detail', () => {
    expect(classifyPostgresError({ code: '23505', detail: 'Key (tenant_id, external_id)=(t, x) already exists.' })).toEqual({ kind: 'unique', columns: ['tenant_id', 'external_id'] });
    expect(classifyPostgresError({ code: '42P01' })).toEqual({ kind: 'other' });
  });
});

describe.skipIf(serverUrl !== undefined)('without a server', () => {
  it.skip(`server-only tests: ${noServer}`, () => {});
});
