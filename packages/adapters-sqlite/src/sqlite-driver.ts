import type { Database, Statement } from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

/**
 * The one connection of a SQLite database, with prepared statements cached
 * by SQL text: preparing is the most expensive step of a point query, and
 * crmkit's statements come from a small set of shapes.
 */
export class SqliteConnection implements DatabaseConnection {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();
  readonly #limit: number;

  constructor(db: Database, cacheSize: number) {
    this.#db = db;
    this.#limit = cacheSize;
  }

  /** Number of cached statements (for tests and diagnostics). */
  get cachedStatements(): number {
    return this.#statements.size;
  }

  #statement(text: string): Statement {
    let stmt = this.#statements.get(text);
    if (stmt === undefined) {
      stmt = this.#db.prepare(text);
      if (this.#statements.size >= this.#limit) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(text, stmt);
    }
    return stmt;
  }

  /** Runs a query synchronously; the caller must own the connection (see {@link SqliteDriver}). */
  run<R>(query: CompiledQuery): QueryResult<R> {
    const stmt = this.#statement(query.sql);
    if (stmt.reader) return { rows: stmt.all(query.parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(query.parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.run<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.#db.prepare(query.sql);
    for (const row of stmt.iterate(query.parameters)) yield { rows: [row as R] };
  }
}

/** A minimal mutex: SQLite has one connection and a transaction must own it until it ends. */
class Mutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  get locked(): boolean {
    return this.#held !== undefined;
  }

  async lock(): Promise<void> {
    while (this.#held !== undefined) await this.#held;
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

/** Options of {@link SqliteDriver}. */
export interface SqliteDriverOptions {
  /** Whether `destroy` closes the database (false when the host passed its own handle). */
  closeOnDestroy: boolean;
  /** Most prepared statements kept. */
  cacheSize: number;
}

/**
 * A Kysely driver for better-sqlite3 with a statement cache. Transactions start
 * with `BEGIN IMMEDIATE`, which takes the write lock up front so that a
 * read-then-write transaction never fails on lock upgrade when another process
 * writes the same file (busy_timeout then simply waits).
 */
export class SqliteDriver implements Driver {
  readonly connection: SqliteConnection;
  readonly #db: Database;
  readonly #mutex = new Mutex();
  readonly #options: SqliteDriverOptions;

  constructor(db: Database, options: SqliteDriverOptions) {
    this.#db = db;
    this.#options = options;
    this.connection = new SqliteConnection(db, options.cacheSize);
  }

  /** Whether a caller (usually a transaction) holds the connection right now. */
  get busy(): boolean {
    return this.#mutex.locked;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT or a constraint error may already have ended the transaction.
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    if (this.#options.closeOnDestroy && this.#db.open) this.#db.close();
  }
}
