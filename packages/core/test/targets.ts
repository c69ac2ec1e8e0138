import { postgresAdapter } from '@crmkit/adapter-postgres';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, type CrmOptions, ManualClock, type StorageAdapter, createCrm } from '@crmkit/core';
import { noServer, serverUrl, useTestDatabase } from '../../adapters-postgres/test/pg-target.js';

/** A migrated CRM on one of the targets, with a manual clock. */
export interface CrmOnTarget {
  crm: Crm;
  adapter: StorageAdapter;
  clock: ManualClock;
}

/** A database the service tests run on: SQLite always, the Postgres server when one answers. */
export interface CrmTarget {
  name: string;
  /** Why the target is skipped, or undefined when it runs. */
  skip: string | undefined;
  open(options?: Partial<CrmOptions>): Promise<CrmOnTarget>;
}

/**
 * The targets of a test file. Call once at the top level: it registers the
 * hooks that give the file its own Postgres database (see pg-target.ts).
 */
export function crmTargets(): CrmTarget[] {
  const url = useTestDatabase();
  const open = async (adapter: StorageAdapter, options: Partial<CrmOptions> = {}): Promise<CrmOnTarget> => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const crm = await createCrm({ adapter, clock, ...options });
    await crm.migrate();
    return { crm, adapter, clock };
  };
  return [
    { name: 'sqlite', skip: undefined, open: (options) => open(sqliteAdapter({ filename: ':memory:' }), options) },
    {
      name: 'postgres server',
      skip: serverUrl === undefined ? noServer : undefined,
      open: (options) => open(postgresAdapter({ connectionString: url(), poolSize: 4 }), options),
    },
  ];
}
