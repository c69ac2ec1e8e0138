import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm, type ManualClock } from '@crmkit/core';
import { workflowMigrations } from '@crmkit/workflows';

/** Opens a migrated CRM with the workflow tables on a SQLite file (or `:memory:`), on a manual clock. */
export async function openDeskCrm(filename: string, clock: ManualClock): Promise<Crm> {
  const crm = await createCrm({ adapter: sqliteAdapter({ filename }), clock, migrations: workflowMigrations });
  await crm.migrate();
  return crm;
}
