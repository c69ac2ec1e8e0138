import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { classifyPostgresError } from './postgres-errors.js';
import { beginStatement } from './transaction-sql.js';

const affecting = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * One pooled pg client, checked out for a query or a transaction. It listens
 * for the client's `error` event while checked out: pg-pool only listens while
 * a client is idle, and a backend killed between two statements of a
 * transaction would otherwise emit an unhandled `error` and end the process.
 */
export class PgConnection implements DatabaseConnection {
  readonly client: PoolClient;
  /** The error that made the connection unusable, if any: the client is then destroyed on release. */
  lost: Error | undefined;
  readonly #onError = (error: Error): void => {
    this.lost ??= error;
  };

  constructor(client: PoolClient) {
    this.client = client;
    client.on('error', this.#onError);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const result = await this.client.query<R & object>({ text: query.sql, values: query.parameters as unknown[] });
      return {
        rows: result.rows ?? [],
        numAffectedRows: affecting.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
      };
    } catch (error) {
      if (classifyPostgresError(error).kind === 'retryable' && isConnectionLoss(error)) this.lost ??= error as Error;
      throw error;
    }
  }

  // crmkit never streams; a host that needs cursors uses its own pool.
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('@crmkit/adapter-postgres does not stream query results');
  }

  /** Returns the client to the pool, or destroys it when the connection was lost. */
  release(): void {
    this.client.removeListener('error', this.#onError);
    this.client.release(this.lost);
  }
}

/** Errors after which the socket is gone (as opposed to a serialisation failure on a live connection). */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === undefined || (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E')));
}

/** Options of {@link PgDriver}. */
export interface PgDriverOptions {
  /** Whether `destroy` ends the pool (false when the host passed its own). */
  endPoolOnDestroy: boolean;
}

/**
 * A Kysely driver on a pg `Pool`. Unlike Kysely's own it survives a connection
 * killed mid-transaction: the rollback of a lost connection is skipped (the
 * server has already discarded the transaction) so the caller sees the
 * original error, and the dead client is removed from the pool, not reused.
 */
export class PgDriver implements Driver {
  readonly #pool: Pool;
  readonly #options: PgDriverOptions;

  constructor(pool: Pool, options: PgDriverOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgConnection(await this.#pool.connect());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(beginStatement(settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const pg = connection as PgConnection;
    if (pg.lost !== undefined) return;
    try {
      await pg.executeQuery(CompiledQuery.raw('rollback'));
    } catch (error) {
      // Losing the connection during ROLLBACK discards the transaction just the same.
      if (pg.lost === undefined) throw error;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection).release();
  }

  async destroy(): Promise<void> {
    if (this.#options.endPoolOnDestroy && !this.#pool.ended) await this.#pool.end();
  }
}
