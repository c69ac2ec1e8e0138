import { type Migration, type StorageAdapter, StorageError } from '@crmkit/core';
import { type SqlDialect, type SqlFragment, createKyselyStorage } from '@crmkit/kysely';
import type { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, type Driver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import { PgDriver } from './pg-driver.js';
import { PgliteDriver } from './pglite-driver.js';
import { postgresDialect } from './postgres-dialect.js';
import { classifyPostgresError } from './postgres-errors.js';

/** Options of {@link postgresAdapter}: exactly one of `connectionString`, `pool` or `pglite`. */
export interface PostgresAdapterOptions {
  /** A libpq connection URL; the adapter opens a pg `Pool` on it and ends it on `close()`. */
  connectionString?: string;
  /**
   * The most connections of the pool opened for `connectionString`.
   * @default 10
   */
  poolSize?: number;
  /** A pg `Pool` of the host's; the adapter neither changes its settings nor ends it. */
  pool?: pg.Pool;
  /** A PGlite instance (embedded Postgres in WebAssembly), for development and tests; the host closes it. */
  pglite?: PGlite;
  /**
   * Whether statements run more than once become named prepared statements,
   * parsed and planned once per connection (at most 100 per connection).
   * Turn off behind a pooler that does not keep prepared statements across
   * transactions, such as PgBouncer in transaction mode before 1.21. Ignored on PGlite.
   * @default true
   */
  preparedStatements?: boolean;
  /**
   * The Postgres schema holding crmkit's tables, indexes and `crmkit_migration`;
   * `migrate()` creates it. Statements name it explicitly, so the connections'
   * `search_path` does not matter.
   * @default none: unqualified names, resolved by the connections' `search_path` (usually `public`)
   */
  schema?: string;
}

/** The Postgres storage adapter: the storage contract plus the raw handles. */
export interface PostgresStorageAdapter extends StorageAdapter {
  /**
   * The Kysely instance the adapter runs on, usable for the host's own queries.
   * Its results are parsed as crmkit's are, whatever the pool's own parsers:
   * timestamps as ISO 8601 UTC text, dates as `YYYY-MM-DD`, int8 and numeric as
   * number (bigint beyond 2^53), json and jsonb parsed.
   */
  readonly kysely: Kysely<any>;
  /** The pg pool, unless the adapter runs on PGlite. */
  readonly pool: pg.Pool | undefined;
  /** The PGlite instance, when the adapter runs on one. */
  readonly pglite: PGlite | undefined;
  /** The schema option, if given. */
  readonly schema: string | undefined;
}

const schemaName = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** pg returns date as a JS Date at local midnight and int8 as text; for pools the adapter opens, hosts' raw queries get the crmkit forms. */
const poolTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.DATE) return (value: string) => value;
    if (oid === pg.types.builtins.INT8) {
      return (value: string) => {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : BigInt(value);
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** 'crmk': the advisory lock class of crmkit's migrations; the object is a hash of the schema. */
const lockClass = 0x63726d6b;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function openDriver(options: PostgresAdapterOptions): { driver: Driver; pool: pg.Pool | undefined } {
  const given = [options.connectionString, options.pool, options.pglite].filter((o) => o !== undefined).length;
  if (given !== 1) throw new TypeError('postgresAdapter needs exactly one of connectionString, pool or pglite');
  if (options.pglite !== undefined) return { driver: new PgliteDriver(options.pglite), pool: undefined };
  const preparedStatements = options.preparedStatements ?? true;
  if (options.pool !== undefined) return { driver: new PgDriver(options.pool, { endPoolOnDestroy: false, preparedStatements }), pool: options.pool };
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10, types: poolTypes });
  // An idle client whose server went away must not crash the host: the pool drops it, the next call reconnects.
  pool.on('error', () => {});
  // Likewise for a checked-out client used outside the adapter (a host's or graphile-worker's): the query fails, the process lives.
  pool.on('connect', (client) => client.on('error', () => {}));
  return { driver: new PgDriver(pool, { endPoolOnDestroy: true, preparedStatements }), pool };
}

/**
 * Creates crmkit's storage adapter for PostgreSQL, on a pg pool (servers) or on
 * PGlite (local development and tests). Migrations are serialised across
 * processes by a transaction-level advisory lock, due rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, and driver errors become crmkit's typed errors.
 *
 * @example
 * const adapter = postgresAdapter({ connectionString: process.env.DATABASE_URL, schema: 'crm' });
 * const crm = await createCrm({ adapter });
 * await crm.migrate();
 *
 * @throws {TypeError} unless exactly one of `connectionString`, `pool` and `pglite` is given, or for an invalid `schema`.
 */
export function postgresAdapter(options: PostgresAdapterOptions): PostgresStorageAdapter {
  const schema = options.schema;
  if (schema !== undefined && !schemaName.test(schema)) throw new TypeError(`Invalid schema name ${JSON.stringify(schema)}`);
  const { driver, pool } = openDriver(options);
  const kysely = new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const lock = (): SqlFragment => sql`select pg_advisory_xact_lock(${sql.lit(lockClass)}, ${sql.lit(fnv1a(schema ?? ''))})`;
  const dialect: SqlDialect = { ...postgresDialect, schema, migrationLock: lock };
  const close = async (): Promise<void> => {
    await kysely.destroy();
    // Kysely destroys only a driver it has initialised, that is one that ran a query.
    await driver.destroy();
  };
  const storage = createKyselyStorage({ db: kysely, dialect, close });
  const createSchema = schema === undefined ? undefined : sql`create schema if not exists ${sql.id(schema)}`.compile(kysely).sql;

  const migrate = storage.migrate.bind(storage);
  const compileMigrations = storage.compileMigrations.bind(storage);
  return Object.assign(storage, {
    kysely,
    pool,
    pglite: options.pglite,
    schema,
    async migrate(migrations: readonly Migration[]): Promise<string[]> {
      if (createSchema !== undefined) {
        try {
          // Under the same lock as the migrations: concurrent CREATE SCHEMA IF NOT EXISTS can collide.
          await kysely.transaction().execute(async (trx) => {
            await trx.executeQuery(lock().compile(trx));
            await trx.executeQuery(CompiledQuery.raw(createSchema));
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new StorageError(`storage: ${message}`, { cause: error, retryable: classifyPostgresError(error).kind === 'retryable' });
        }
      }
      return migrate(migrations);
    },
    compileMigrations(migrations: readonly Migration[]): string[] {
      const statements = compileMigrations(migrations);
      return createSchema === undefined ? statements : [createSchema, ...statements];
    },
  });
}
