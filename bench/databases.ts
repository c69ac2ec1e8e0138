import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreMigrations } from '@crmkit/core';
import { type SqliteStorageAdapter, sqliteAdapter } from '@crmkit/adapter-sqlite';

/** A temporary directory for database files. */
export interface Scratch {
  /** The path of a file in the directory. */
  file(name: string): string;
  /** Deletes the directory and everything in it. */
  remove(): void;
}

/** Creates a {@link Scratch} directory under `os.tmpdir()`. */
export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'crmkit-bench-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Opens a file database through the adapter and creates the core schema with
 * `migrate(coreMigrations)`. The raw side uses the `.database` handle of such
 * an adapter, so both sides run on the same schema, indexes and pragmas
 * (WAL, synchronous=NORMAL, page cache).
 */
export async function openMigrated(file: string): Promise<SqliteStorageAdapter> {
  const adapter = sqliteAdapter({ filename: file });
  await adapter.migrate(coreMigrations);
  return adapter;
}

/** Rows in a table, read with plain SQL (to check that an import wrote everything). */
export function countRows(adapter: SqliteStorageAdapter, table: 'crm_contact' | 'crm_event'): number {
  return (adapter.database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}
