import type { Migration, Storage, StorageAdapter, StorageCapabilities } from '@crmkit/core';
import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { type QueryExecutor, kyselyExecutor } from './executor.js';
import { KyselyStorage, createStorageContext } from './kysely-storage.js';
import { compileMigrations, migrate } from './migrator.js';

/** Options of {@link createKyselyStorage}. */
export interface KyselyStorageOptions {
  /** The Kysely instance to run on. Its dialect must match `dialect`. */
  db: Kysely<any>;
  /** What differs per database; see {@link SqlDialect}. */
  dialect: SqlDialect;
  /**
   * How compiled queries are run.
   * @default {@link kyselyExecutor} (through `db.executeQuery`)
   */
  executor?: QueryExecutor;
  /**
   * Called by `close()`.
   * @default destroys `db`
   */
  close?: () => Promise<void>;
}

class KyselyStorageAdapter extends KyselyStorage implements StorageAdapter {
  readonly capabilities: StorageCapabilities;
  readonly #close: () => Promise<void>;

  constructor(options: KyselyStorageOptions) {
    super(createStorageContext(options.dialect, options.executor ?? kyselyExecutor), options.db);
    this.capabilities = options.dialect.capabilities;
    this.#close = options.close ?? (() => options.db.destroy());
  }

  migrate(migrations: readonly Migration[]): Promise<string[]> {
    return migrate(this.db, this.ctx.dialect, migrations);
  }

  compileMigrations(migrations: readonly Migration[]): string[] {
    return compileMigrations(this.db, this.ctx.dialect, migrations);
  }

  close(): Promise<void> {
    return this.#close();
  }
}

/**
 * Implements crmkit's storage contract on a Kysely instance. Database adapters
 * (`@crmkit/adapter-sqlite`, `@crmkit/adapter-postgres`) call this with their
 * dialect; hosts normally use those factories instead.
 *
 * @example
 * const adapter = createKyselyStorage({ db: new Kysely({ dialect }), dialect: mySqlDialect });
 * await adapter.migrate(migrations);
 */
export function createKyselyStorage(options: KyselyStorageOptions): StorageAdapter {
  return new KyselyStorageAdapter(options);
}

/**
 * The Kysely instance behind a storage handle of `@crmkit/kysely`: inside
 * `crm.transaction((tx) => ...)`, `kyselyOf(tx.storage)` is the Kysely
 * transaction, so the host's own queries commit or roll back with crmkit's.
 * @throws {TypeError} for a storage that does not run on Kysely
 * @example
 * await crm.transaction(async (tx) => {
 *   await tx.tenant('acme').contacts.create({ firstName: 'Ada' });
 *   await kyselyOf(tx.storage).insertInto('app_signup').values({ email: 'ada@acme.io' }).execute();
 * });
 */
export function kyselyOf(storage: Storage): Kysely<any> {
  if (!(storage instanceof KyselyStorage)) throw new TypeError('kyselyOf needs a storage of @crmkit/kysely (the SQLite and Postgres adapters, or a transaction handle of theirs)');
  return storage.kyselyInstance;
}
