import { rm } from 'node:fs/promises';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm } from '@crmkit/core';

/** Opens a migrated crm on a SQLite file (or `:memory:`). */
export async function openCrm(filename: string): Promise<Crm> {
  const crm = await createCrm({ adapter: sqliteAdapter({ filename }) });
  await crm.migrate();
  return crm;
}

/** Deletes a database file with its WAL companions, for a run that starts empty. */
export async function removeDatabase(filename: string): Promise<void> {
  if (filename === ':memory:') return;
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(filename + suffix, { force: true })));
}
