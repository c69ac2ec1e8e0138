import type { CompiledQuery, Kysely, QueryResult } from 'kysely';

/**
 * Runs a compiled query on a Kysely instance or one of its transactions. The
 * default goes through `db.executeQuery`; an adapter may supply a faster path
 * for its own driver (the SQLite adapter runs statements synchronously when
 * the connection is free, which halves the cost of a point read).
 */
export interface QueryExecutor {
  /** Runs `query` on `db`, which is the root instance or a transaction of it. */
  execute<R>(db: Kysely<any>, query: CompiledQuery<R>): Promise<QueryResult<R>> | QueryResult<R>;
}

/** The executor that goes through Kysely's own connection handling. */
export const kyselyExecutor: QueryExecutor = {
  execute: (db, query) => db.executeQuery(query),
};
