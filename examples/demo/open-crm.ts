import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm } from '@crmkit/core';

/** Opens a migrated crm on a SQLite file (or `:memory:`). */
export async function openCrm(filename: string): Promise<Crm> {
  const crm = await createCrm({ adapter: sqliteAdapter({ filename }) });
  await crm.migrate();
  return crm;
}
