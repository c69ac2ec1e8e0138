import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { DuplicateError, StorageError, createModelsMigration, defineModel } from '@crmkit/core';
import { afterEach, describe, expect, it } from 'vitest';

const note = defineModel({
  name: 'note',
  table: 'test_note',
  fields: {
    title: { type: 'string' },
    slug: { type: 'string', nullable: true },
    pinned: { type: 'boolean' },
    amount: { type: 'bigint', nullable: true },
    meta: { type: 'json' },
  },
  indexes: [{ name: 'slug', fields: ['slug'], unique: true, whereNotNull: ['slug'] }, { name: 'recent', fields: ['-createdAt'] }],
});
const migrations = [createModelsMigration('0001_notes', [note])];
const now = '2026-01-02T03:04:05.000Z';
const row = (id: string, extra: Record<string, unknown> = {}) => ({
  id, createdAt: now, updatedAt: now, version: 1, title: `t ${id}`, pinned: false, meta: {}, ...extra,
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('sqliteAdapter', () => {
  it('opens file databases in WAL mode with NORMAL synchronous and a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmkit-'));
    dirs.push(dir);
    const adapter = sqliteAdapter({ filename: join(dir, 'a.db') });
    expect(adapter.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(adapter.database.pragma('synchronous', { simple: true })).toBe(1);
    expect(adapter.database.pragma('busy_timeout', { simple: true })).toBe(5000);
    await adapter.close();
    expect(adapter.database.open).toBe(false);
  });

  it('leaves a database passed by the host open on close and applies only the given pragmas', async () => {
    const first = sqliteAdapter();
    const adapter = sqliteAdapter({ database: first.database, pragmas: { cache_size: -2000 } });
    expect(adapter.database.pragma('cache_size', { simple: true })).toBe(-2000);
    await adapter.close();
    expect(first.database.open).toBe(true);
    await first.close();
  });

  it('refuses pragma values that are not plain words', () => {
    expect(() => sqliteAdapter({ pragmas: { cache_size: '1; drop table x' } })).toThrow(TypeError);
  });
});

describe('migrations', () => {
  it('applies once and is idempotent', async () => {
    const adapter = sqliteAdapter();
    expect(await adapter.migrate(migrations)).toEqual(['0001_notes']);
    expect(await adapter.migrate(migrations)).toEqual([]);
    await adapter.close();
  });

  it('compiles a tenant-leading primary key, tenant-leading indexes and partial unique indexes', () => {
    const adapter = sqliteAdapter();
    const statements = adapter.compileMigrations(migrations);
    expect(statements[0]).toContain('create table if not exists "crmkit_migration"');
    expect(statements[1]).toContain('primary key ("tenant_id", "id")');
    expect(statements).toContain('create unique index "test_note_slug" on "test_note" ("tenant_id", "slug") where "slug" is not null');
    expect(statements).toContain('create index "test_note_recent" on "test_note" ("tenant_id", "created_at" desc)');
    expect(statements.at(-1)).toMatch(/^insert into "crmkit_migration" .* values \('0001_notes', '/);
  });

  it('runs the compiled script on an empty database to the same effect as migrate', async () => {
    const adapter = sqliteAdapter();
    for (const statement of adapter.compileMigrations(migrations)) adapter.database.exec(statement);
    expect(await adapter.migrate(migrations)).toEqual([]);
    await adapter.create({ model: note, tenantId: 't', data: row('a') });
    await adapter.close();
  });
});

describe('driver', () => {
  it('prepares each statement shape once', async () => {
    const adapter = sqliteAdapter();
    await adapter.migrate(migrations);
    let prepared = 0;
    const prepare = adapter.database.prepare.bind(adapter.database);
    adapter.database.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof adapter.database.prepare;
    for (let i = 0; i < 20; i++) {
      await adapter.create({ model: note, tenantId: 't', data: row(`n${i}`) });
      await adapter.findOne({ model: note, tenantId: 't', id: `n${i}` });
      await adapter.findMany({ model: note, tenantId: 't', where: { title: { startsWith: 't' } }, limit: i + 1 });
    }
    expect(prepared).toBe(3);
    await adapter.close();
  });

  it('prepares one statement for in lists of every length from two, bound as one JSON parameter (a list of one is a comparison)', async () => {
    const adapter = sqliteAdapter();
    await adapter.migrate(migrations);
    await adapter.createMany({ model: note, tenantId: 't', rows: [row('a'), row('b', { slug: 's' })] });
    const texts: string[] = [];
    const prepare = adapter.database.prepare.bind(adapter.database);
    adapter.database.prepare = ((sql: string) => {
      texts.push(sql);
      return prepare(sql);
    }) as typeof adapter.database.prepare;
    for (const length of [2, 10, 1_000, 100_000]) {
      const ids = Array.from({ length }, (_, i) => (i === 0 ? 'a' : `x${i}`));
      expect(await adapter.count({ model: note, tenantId: 't', where: { id: { in: ids } } })).toBe(1);
      expect(await adapter.count({ model: note, tenantId: 't', where: { slug: { in: [...ids, 's', null] } } })).toBe(2);
    }
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('in (select value from json_each(?))');
    expect(await adapter.count({ model: note, tenantId: 't', where: { id: { in: ['a'] } } })).toBe(1);
    expect(texts[2]).toMatch(/"id" = \?/);
    await adapter.close();
  });

  it('keeps 64-bit integers exact and reads booleans and JSON back in their own types', async () => {
    const adapter = sqliteAdapter();
    await adapter.migrate(migrations);
    await adapter.create({ model: note, tenantId: 't', data: row('a', { amount: 2n ** 63n - 1n, pinned: true, meta: { a: [1] } }) });
    const found = await adapter.findOne({ model: note, tenantId: 't', id: 'a' });
    expect(found).toMatchObject({ amount: 2n ** 63n - 1n, pinned: true, meta: { a: [1] } });
    await adapter.close();
  });
});

describe('errors', () => {
  it('maps unique violations to DuplicateError naming the fields', async () => {
    const adapter = sqliteAdapter();
    await adapter.migrate(migrations);
    await adapter.create({ model: note, tenantId: 't', data: row('a', { slug: 's' }) });
    const error = await adapter.create({ model: note, tenantId: 't', data: row('b', { slug: 's' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect((error as DuplicateError).fields).toEqual(['slug']);
    const again = await adapter.create({ model: note, tenantId: 't', data: row('a') }).catch((e: unknown) => e);
    expect((again as DuplicateError).fields).toEqual(['id']);
    await adapter.close();
  });

  it('maps other driver errors to StorageError keeping the cause', async () => {
    const adapter = sqliteAdapter();
    const error = await adapter.findOne({ model: note, tenantId: 't', id: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(false);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
    await adapter.close();
  });
});
