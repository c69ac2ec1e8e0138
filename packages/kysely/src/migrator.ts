import { type Migration, MigrationFold, toTimestamp } from '@crmkit/core';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { mapDriverError } from './error-mapper.js';
import { migrationTable, migrationTableDdl, operationDdl, recordMigrationDdl, sortMigrations } from './ddl.js';
import { tableRef } from './model-info.js';
import { WhereCompiler } from './where-compiler.js';

/** One migration compiled: its id and its statements, in order. */
interface CompiledMigration {
  id: string;
  statements: string[];
}

/**
 * Compiles every migration in id order. Each operation compiles against what
 * the operations before it built (index columns, data steps), so the list must
 * hold the migrations that create a table before those that change it.
 */
function compileAll(db: Kysely<any>, dialect: SqlDialect, migrations: readonly Migration[]): CompiledMigration[] {
  const fold = new MigrationFold();
  const where = new WhereCompiler(dialect);
  return sortMigrations(migrations).map((migration) => ({
    id: migration.id,
    statements: migration.operations.flatMap((op) => operationDdl(db, dialect, op, fold, where)),
  }));
}

/**
 * The SQL that {@link migrate} would run on an empty database: the migration
 * table, each migration's DDL and the row recording it, so that a host who runs
 * the script itself can still call `migrate()` later without re-applying.
 */
export function compileMigrations(db: Kysely<any>, dialect: SqlDialect, migrations: readonly Migration[], now = new Date()): string[] {
  const out = [migrationTableDdl(db, dialect)];
  for (const migration of compileAll(db, dialect, migrations)) {
    out.push(...migration.statements, recordMigrationDdl(db, dialect, migration.id, toTimestamp(now)));
  }
  return out;
}

async function appliedIds(db: Kysely<any>, dialect: SqlDialect): Promise<Set<string>> {
  const result = await db.executeQuery<{ id: string }>(sql`select ${sql.id('id')} from ${tableRef(dialect, migrationTable)}`.compile(db));
  return new Set(result.rows.map((r) => r.id));
}

async function apply(db: Kysely<any>, dialect: SqlDialect, migration: CompiledMigration): Promise<boolean> {
  await lock(db, dialect);
  // Checked again inside the transaction (after the lock): another process may have applied it meanwhile.
  if ((await appliedIds(db, dialect)).has(migration.id)) return false;
  for (const statement of migration.statements) await db.executeQuery(CompiledQuery.raw(statement));
  const at = toTimestamp(new Date());
  await db.executeQuery(
    sql`insert into ${tableRef(dialect, migrationTable)} (${sql.id('id')}, ${sql.id('applied_at')}) values (${migration.id}, ${at})`.compile(db),
  );
  return true;
}

function inTransactions(db: Kysely<any>, dialect: SqlDialect): boolean {
  return dialect.capabilities.transactionalDdl && !db.isTransaction;
}

/** Takes the dialect's migration lock, when it has one and `db` is a transaction that will release it. */
async function lock(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect.migrationLock && db.isTransaction) await db.executeQuery(dialect.migrationLock().compile(db));
}

/**
 * Applies the migrations not yet recorded in `crmkit_migration`, in id order,
 * each in its own transaction when the dialect has transactional DDL. Returns
 * the ids applied by this call.
 *
 * @throws {ValidationError} for malformed or duplicate ids, and operations that contradict the ones before them.
 * @throws {StorageError} when a statement fails (earlier migrations stay applied).
 */
export async function migrate(db: Kysely<any>, dialect: SqlDialect, migrations: readonly Migration[]): Promise<string[]> {
  // Compiled up front, applied or not: each operation compiles against the state the earlier ones built.
  const compiled = compileAll(db, dialect, migrations);
  try {
    const createTable = async (trx: Kysely<any>): Promise<void> => {
      await lock(trx, dialect);
      await trx.executeQuery(CompiledQuery.raw(migrationTableDdl(db, dialect)));
    };
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide in Postgres' catalog: under the lock it cannot.
    if (inTransactions(db, dialect) && dialect.migrationLock) await db.transaction().execute(createTable);
    else await createTable(db);
    const done = await appliedIds(db, dialect);
    const applied: string[] = [];
    for (const migration of compiled) {
      if (done.has(migration.id)) continue;
      const ok = inTransactions(db, dialect)
        ? await db.transaction().execute((trx) => apply(trx, dialect, migration))
        : await apply(db, dialect, migration);
      if (ok) applied.push(migration.id);
    }
    return applied;
  } catch (error) {
    throw mapDriverError(error, dialect);
  }
}
