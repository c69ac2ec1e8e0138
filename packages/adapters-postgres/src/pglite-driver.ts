import type { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { beginStatement } from './transaction-sql.js';
import { textParsers } from './type-parsers.js';

/** crmkit's parsers, over the instance's own for the types crmkit reads (PGlite merges them per query). */
const queryOptions = { parsers: textParsers };

/** The single connection of a PGlite database. */
export class PgliteConnection implements DatabaseConnection {
  readonly #db: PGlite;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#db.query<R>(query.sql, query.parameters as unknown[], queryOptions);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('@crmkit/adapter-postgres does not stream query results');
  }
}

/** A FIFO mutex: PGlite has one session, and a transaction must own it until it ends. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => (release = resolve));
    await previous;
    this.#release = release;
  }

  unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

/**
 * One mutex per PGlite instance, not per driver: two adapters on the same
 * instance share its one session, and one's BEGIN must not swallow the other's
 * statements into its transaction.
 */
const sessions = new WeakMap<PGlite, Mutex>();

/**
 * A Kysely driver for PGlite (Postgres compiled to WebAssembly, in process).
 * PGlite is one session, so callers take turns: a transaction holds the
 * session from BEGIN to COMMIT and other calls wait for it, as they would for
 * a lock on a server.
 */
export class PgliteDriver implements Driver {
  readonly #connection: PgliteConnection;
  readonly #mutex: Mutex;

  constructor(db: PGlite) {
    this.#connection = new PgliteConnection(db);
    let mutex = sessions.get(db);
    if (mutex === undefined) sessions.set(db, (mutex = new Mutex()));
    this.#mutex = mutex;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(beginStatement(settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  // The host owns the PGlite instance and closes it.
  async destroy(): Promise<void> {}
}
