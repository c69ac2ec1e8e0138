import { type Migration, toTimestamp } from '@crmkit/core';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { mapDriverError } from './error-mapper.js';
import { migrationTable, migrationTableDdl, operationDdl, recordMigrationDdl, sortMigrations } from './ddl.js';
import { tableRef } from './model-info.js';

/**
 * The SQL that {@link migrate} would run on an empty database: the migration
 * table, each migration's DDL and the row recording it, so that a host who runs
 * the script itself can still call `migrate()` later without re-applying.
 */
export function compileMigrations(db: Kysely<any>, dialect: SqlDialect, migrations: readonly Migration[], now = new Date()): string[] {
  const out = [migrationTableDdl(db, dialect)];
  for (const migration of sortMigrations(migrations)) {
    for (const op of migration.operations) out.push(...operationDdl(db, dialect, op));
    out.push(recordMigrationDdl(db, dialect, migration.id, toTimestamp(now)));
  }
  return out;
}

async function appliedIds(db: Kysely<any>, dialect: SqlDialect): Promise<Set<string>> {
  const result = await db.executeQuery<{ id: string }>(sql`select ${sql.id('id')} from ${tableRef(dialect, migrationTable)}`.compile(db));
  return new Set(result.rows.map((r) => r.id));
}

async function apply(db: Kysely<any>, dialect: SqlDialect, migration: Migration): Promise<boolean> {
  await lock(db, dialect);
  // Checked again inside the transaction (after the lock): another process may have applied it meanwhile.
  if ((await appliedIds(db, dialect)).has(migration.id)) return false;
  for (const op of migration.operations) {
    for (const statement of operationDdl(db, dialect, op)) await db.executeQuery(CompiledQuery.raw(statement));
  }
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
 * @throws {ValidationError} for malformed or duplicate ids.
 * @throws {StorageError} when a statement fails (earlier migrations stay applied).
 */
export async function migrate(db: Kysely<any>, dialect: SqlDialect, migrations: readonly Migration[]): Promise<string[]> {
  const sorted = sortMigrations(migrations);
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
    for (const migration of sorted) {
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
