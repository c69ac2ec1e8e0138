import type { StorageAdapter } from '@crmkit/core';
import { type QueryExecutor, createKyselyStorage } from '@crmkit/kysely';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { sqliteDialect } from './sqlite-dialect.js';
import { SqliteDriver } from './sqlite-driver.js';
import { registerSqliteFunctions } from './sqlite-functions.js';

/** A pragma value; names and values are checked to be plain words before they reach SQL. */
export type PragmaValue = string | number | boolean;

/** Options of {@link sqliteAdapter}. */
export interface SqliteAdapterOptions {
  /**
   * The database file, opened with better-sqlite3. Ignored when `database` is given.
   * @default ':memory:'
   */
  filename?: string;
  /**
   * An open better-sqlite3 database to use instead of opening `filename`. The
   * adapter applies only `pragmas` to it and does not close it on `close()`.
   */
  database?: BetterSqlite3.Database;
  /**
   * Pragmas applied after the defaults, e.g. `{ cache_size: -64000 }`.
   * Defaults for a file crmkit opens: `journal_mode=WAL`, `synchronous=NORMAL`,
   * `busy_timeout=5000`, `foreign_keys=ON` (in memory: `foreign_keys=ON`).
   * @default {}
   */
  pragmas?: Record<string, PragmaValue>;
  /**
   * Most prepared statements kept in the cache.
   * @default 1000
   */
  statementCacheSize?: number;
}

/** The SQLite storage adapter: the storage contract plus the raw handles. */
export interface SqliteStorageAdapter extends StorageAdapter {
  /** The better-sqlite3 database, for hosts that need raw access (backups, their own tables). */
  readonly database: BetterSqlite3.Database;
  /** The Kysely instance the adapter runs on, usable for the host's own queries. */
  readonly kysely: Kysely<any>;
}

function applyPragmas(db: BetterSqlite3.Database, pragmas: Record<string, PragmaValue>): void {
  for (const [name, raw] of Object.entries(pragmas)) {
    const value = raw === true ? 'ON' : raw === false ? 'OFF' : String(raw);
    if (!/^[a-z_]+$/i.test(name) || !/^-?[A-Za-z0-9_.]+$/.test(value)) {
      throw new TypeError(`Invalid pragma ${name} = ${value}`);
    }
    db.pragma(`${name} = ${value}`);
  }
}

/**
 * Creates crmkit's storage adapter for SQLite on better-sqlite3. One process,
 * one connection: calls are serialised, transactions are exclusive.
 *
 * @example
 * const adapter = sqliteAdapter({ filename: 'crm.db' });
 * await adapter.migrate(migrations);
 */
export function sqliteAdapter(options: SqliteAdapterOptions = {}): SqliteStorageAdapter {
  const owned = options.database === undefined;
  const database = options.database ?? new BetterSqlite3(options.filename ?? ':memory:');
  if (owned) {
    const defaults: Record<string, PragmaValue> = database.memory
      ? { foreign_keys: true }
      : { journal_mode: 'WAL', synchronous: 'NORMAL', busy_timeout: 5000, foreign_keys: true };
    applyPragmas(database, defaults);
  }
  applyPragmas(database, options.pragmas ?? {});
  registerSqliteFunctions(database);
  const driver = new SqliteDriver(database, { closeOnDestroy: owned, cacheSize: options.statementCacheSize ?? 1000 });
  const kysely = new Kysely<any>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  // Running synchronously when nobody holds the connection skips Kysely's
  // acquire/release round trip, which costs as much as the query itself for a
  // point read. A transaction owns the connection, so its handle runs directly.
  const executor: QueryExecutor = {
    execute: (db, query) => (db.isTransaction || !driver.busy ? driver.connection.run(query) : db.executeQuery(query)),
  };
  const close = async (): Promise<void> => {
    await kysely.destroy();
    // Kysely only destroys a driver it initialised, and the fast path may never have needed it.
    await driver.destroy();
  };
  const storage = createKyselyStorage({ db: kysely, dialect: sqliteDialect, executor, close });
  return Object.assign(storage, { database, kysely });
}
