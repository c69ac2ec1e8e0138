import { type Crm, createCrm } from '../crm.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { Migration } from '../storage/migration.js';
import type { TenantScope } from '../tenant-scope.js';
import { CliError, usageError } from './cli-error.js';

/** The options every command takes (before or after the command name). */
export interface GlobalOptions {
  /** A SQLite database file. */
  db?: string;
  /** A PostgreSQL connection string. */
  url?: string;
  /** The tenant a data command works on. */
  tenant?: string;
  /** The member acting (recorded in audit entries and events). */
  actor?: string;
}

// The adapters are optional peer dependencies, loaded only when asked for: core never
// depends on them at compile time, so their factories are typed here by what the CLI calls.
interface SqliteModule {
  sqliteAdapter(options: { filename?: string }): StorageAdapter;
}
interface PostgresModule {
  postgresAdapter(options: { connectionString?: string; poolSize?: number }): StorageAdapter;
}
interface WorkflowsModule {
  workflowMigrations: readonly Migration[];
}

/**
 * Imports an optional package. The specifier is a variable so that neither the
 * compiler nor the bundler resolves it: it is found at run time, from the
 * host's node_modules.
 */
export async function loadOptional<T>(specifier: string, why: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(`${why} needs ${specifier}: install it next to @crmkit/core (npm install ${specifier})`);
    }
    throw error;
  }
}

/** The adapter named by `--db` or `--url`. @throws {CliError} a usage error when neither or both are given */
export async function openAdapter(options: GlobalOptions): Promise<StorageAdapter> {
  if (options.db !== undefined && options.url !== undefined) throw usageError('give either --db or --url, not both');
  if (options.db !== undefined) {
    const { sqliteAdapter } = await loadOptional<SqliteModule>('@crmkit/adapter-sqlite', '--db');
    return sqliteAdapter({ filename: options.db });
  }
  if (options.url !== undefined) {
    const { postgresAdapter } = await loadOptional<PostgresModule>('@crmkit/adapter-postgres', '--url');
    return postgresAdapter({ connectionString: options.url, poolSize: 2 });
  }
  throw usageError('name the database: --db <file.db> (SQLite) or --url <postgres://...>');
}

/** Migrations of `@crmkit/workflows`, for `crmkit migrate --workflows`. */
export async function workflowMigrations(): Promise<readonly Migration[]> {
  return (await loadOptional<WorkflowsModule>('@crmkit/workflows', '--workflows')).workflowMigrations;
}

/** Opens the CRM, runs `fn` and closes it, whatever `fn` does (a Postgres pool left open would keep the process alive). */
export async function withCrm<T>(options: GlobalOptions, fn: (crm: Crm) => Promise<T>, migrations?: readonly Migration[]): Promise<T> {
  const adapter = await openAdapter(options);
  try {
    const crm = await createCrm({ adapter, ...(migrations ? { migrations } : {}) });
    return await fn(crm);
  } finally {
    await adapter.close();
  }
}

/**
 * Opens the CRM and the tenant of `--tenant` (required), as `--actor` when given.
 * The CLI holds the database's own credentials, so it is the system: its CRM
 * has no `access`, and `--actor` is recorded in audit entries and events
 * (and must be an active member) but restricts nothing. Without `--actor`
 * the scope is `crm.system(tenant)`, said explicitly.
 */
export async function withTenant<T>(options: GlobalOptions, fn: (t: TenantScope, crm: Crm) => Promise<T>): Promise<T> {
  const tenant = options.tenant;
  if (tenant === undefined) throw usageError('this command needs --tenant <id>');
  return withCrm(options, (crm) => fn(options.actor === undefined ? crm.system(tenant) : crm.tenant(tenant, { actorId: options.actor }), crm));
}
