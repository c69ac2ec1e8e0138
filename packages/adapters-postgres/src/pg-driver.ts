import { createHash } from 'node:crypto';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { CustomTypesConfig, Pool, PoolClient } from 'pg';
import { classifyPostgresError } from './postgres-errors.js';
import { beginStatement } from './transaction-sql.js';
import { textParsers } from './type-parsers.js';

const affecting = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Statements worth preparing: plain DML and queries. DDL, transaction control and SET are never named. */
const preparable = /^\s*\(?\s*(?:select|insert|update|delete|with)\b/i;
/** Statements that may change what a prepared statement's text means (a column's type, a table recreated). */
const schemaChange = /^\s*(?:create|alter|drop|comment|truncate)\b/i;
/** Errors after which a connection's prepared statements no longer match the server's: the client is discarded. */
const staleStatementCodes = new Set(['0A000', '26000', '42P05']);

/** Named statements prepared on one connection at most; beyond that, new texts run unnamed (server memory stays bounded). */
const maxPreparedPerConnection = 100;
/** Statement texts whose use count or name is remembered; the map starts over when it grows beyond this. */
const maxRememberedTexts = 2000;
/** The names each pg client has prepared, as seen by this module (pg keeps its own per-connection cache). */
const preparedByClient = new WeakMap<PoolClient, Set<string>>();

/**
 * @internal
 * Names statements run more than once, so that each pooled connection parses
 * and plans a statement once (`PREPARE` semantics of pg's `{ name, text }`)
 * instead of on every call. The name is a hash of the text and of a
 * generation that changes whenever DDL runs through the driver, so a changed
 * text or a migrated schema always gets a new name.
 */
export class StatementNames {
  readonly #seen = new Map<string, string | number>();
  #generation = 0;

  /** The name for `text`, or undefined to run it unnamed (first use, DDL, transaction control). */
  nameOf(text: string): string | undefined {
    const seen = this.#seen.get(text);
    if (typeof seen === 'string') return seen;
    if (seen === undefined) {
      if (!preparable.test(text)) {
        if (schemaChange.test(text)) this.schemaChanged();
        return undefined;
      }
      if (this.#seen.size >= maxRememberedTexts) this.#seen.clear();
      this.#seen.set(text, 1);
      return undefined;
    }
    const name = `crmkit_${createHash('sha1').update(`${this.#generation}\0${text}`).digest('hex').slice(0, 24)}`;
    this.#seen.set(text, name);
    return name;
  }

  /** Forgets every name: statements prepared before a schema change are not reused. */
  schemaChanged(): void {
    this.#generation++;
    this.#seen.clear();
  }
}

const typesByClient = new WeakMap<PoolClient, CustomTypesConfig>();

/** The per-query parsers of a client: crmkit's for the types it reads, the client's own for the rest. */
function typesOf(client: PoolClient): CustomTypesConfig {
  let types = typesByClient.get(client);
  if (types === undefined) {
    types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        (format !== 'binary' && textParsers[oid]) || client.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
    };
    typesByClient.set(client, types);
  }
  return types;
}

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

  readonly #types: CustomTypesConfig;
  readonly #names: StatementNames | undefined;

  /** `names` is the driver's statement namer, or undefined to run every statement unnamed. */
  constructor(client: PoolClient, names?: StatementNames) {
    this.client = client;
    this.#types = typesOf(client);
    this.#names = names;
    client.on('error', this.#onError);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const name = this.#prepareName(query.sql);
    try {
      const result = await this.client.query<R & object>({ text: query.sql, values: query.parameters as unknown[], types: this.#types, name });
      return {
        rows: result.rows ?? [],
        numAffectedRows: affecting.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
      };
    } catch (error) {
      if (classifyPostgresError(error).kind === 'retryable' && isConnectionLoss(error)) this.lost ??= error as Error;
      // A statement prepared before a column changed type, or a DEALLOCATE / DISCARD ALL behind pg's back:
      // this connection's prepared statements are unreliable, so it is not reused.
      if (name !== undefined && staleStatementCodes.has((error as { code?: string }).code ?? '')) this.lost ??= error as Error;
      throw error;
    }
  }

  /** The name to prepare `text` under on this connection, if any. */
  #prepareName(text: string): string | undefined {
    const name = this.#names?.nameOf(text);
    if (name === undefined) return undefined;
    let prepared = preparedByClient.get(this.client);
    if (prepared === undefined) preparedByClient.set(this.client, (prepared = new Set()));
    if (prepared.has(name)) return name;
    if (prepared.size >= maxPreparedPerConnection) return undefined;
    prepared.add(name);
    return name;
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
  /**
   * Whether statements run more than once are prepared as named statements,
   * once per connection. Turn off behind a pooler that does not keep prepared
   * statements across transactions (PgBouncer in transaction mode before 1.21).
   * @default true
   */
  preparedStatements?: boolean;
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
  readonly #names: StatementNames | undefined;

  constructor(pool: Pool, options: PgDriverOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#names = options.preparedStatements === false ? undefined : new StatementNames();
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgConnection(await this.#pool.connect(), this.#names);
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
