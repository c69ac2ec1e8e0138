import { type Migration, type MigrationOperation, type ModelDefinition, type IndexDefinition, ValidationError } from '@crmkit/core';
import { type Kysely, sql } from 'kysely';
import type { SqlDialect, SqlFragment } from './dialect.js';
import { type ModelInfo, buildModelInfo, plainField, tableRef } from './model-info.js';

/** The table recording applied migrations; distinct from the host's own Kysely migration tables. */
export const migrationTable = 'crmkit_migration';

const migrationId = /^[A-Za-z0-9_.-]{1,128}$/;

function compile(db: Kysely<any>, fragment: SqlFragment): string {
  const compiled = fragment.compile(db);
  if (compiled.parameters.length > 0) throw new Error('DDL must not carry parameters');
  return compiled.sql;
}

/** The statement creating the migration table if it does not exist. */
export function migrationTableDdl(db: Kysely<any>, dialect: SqlDialect): string {
  const text = sql.raw(dialect.columnType('string'));
  return compile(
    db,
    sql`create table if not exists ${tableRef(dialect, migrationTable)} (${sql.id('id')} ${text} not null primary key, ${sql.id('applied_at')} ${text} not null)`,
  );
}

/** The statement recording a migration as applied, with literals (for scripts run by hosts). */
export function recordMigrationDdl(db: Kysely<any>, dialect: SqlDialect, id: string, appliedAt: string): string {
  return compile(db, sql`insert into ${tableRef(dialect, migrationTable)} (${sql.id('id')}, ${sql.id('applied_at')}) values (${sql.lit(id)}, ${sql.lit(appliedAt)})`);
}

/**
 * Checks a list of migrations: well-formed unique ids. Returns them in id order.
 * @throws {ValidationError}
 */
export function sortMigrations(migrations: readonly Migration[]): Migration[] {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (!migrationId.test(m.id)) throw ValidationError.single(`Invalid migration id ${JSON.stringify(m.id)}`);
    if (seen.has(m.id)) throw ValidationError.single(`Duplicate migration id ${JSON.stringify(m.id)}`);
    seen.add(m.id);
  }
  return [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function columnDdl(info: ModelInfo, name: string, dialect: SqlDialect, adding: boolean): SqlFragment {
  const field = plainField(info, name);
  const type = sql.raw(dialect.columnType(field.type));
  if (field.nullable) return sql`${sql.id(field.column)} ${type}`;
  // A NOT NULL column added to a table that may hold rows needs a default.
  if (adding) return sql`${sql.id(field.column)} ${type} not null default ${sql.raw(dialect.columnDefault(field.type))}`;
  return sql`${sql.id(field.column)} ${type} not null`;
}

function indexDdl(info: ModelInfo, index: IndexDefinition): SqlFragment {
  const model = info.model;
  const name = `${model.table}_${index.name}`;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw ValidationError.single(`Invalid index name ${JSON.stringify(name)}`);
  // Every index leads with tenant_id: queries are tenant-local and tables can be
  // distributed by tenant. Only work queues that workers drain across tenants opt out.
  const columns = index.acrossTenants === true ? [] : [sql.id(plainField(info, 'tenantId').column)];
  for (const entry of index.fields) {
    const descending = entry.startsWith('-');
    const field = plainField(info, descending ? entry.slice(1) : entry);
    if (field.name === 'tenantId' && index.acrossTenants !== true) continue;
    columns.push(descending ? sql`${sql.id(field.column)} desc` : sql.id(field.column));
  }
  const unique = index.unique === true ? sql`unique ` : sql``;
  const partial =
    index.whereNotNull !== undefined && index.whereNotNull.length > 0
      ? sql` where ${sql.join(index.whereNotNull.map((f) => sql`${sql.id(plainField(info, f).column)} is not null`), sql` and `)}`
      : sql``;
  return sql`create ${unique}index ${sql.id(name)} on ${info.table} (${sql.join(columns)})${partial}`;
}

function jsonIndexDdl(info: ModelInfo, name: string, dialect: SqlDialect): SqlFragment[] {
  const field = plainField(info, name);
  if (field.type !== 'json' || dialect.jsonIndex === undefined) return [];
  const ddl = dialect.jsonIndex(`${info.model.table}_${field.column}_json`, info.table, sql.id(field.column), field.name);
  return ddl === undefined ? [] : [ddl];
}

function createModelDdl(info: ModelInfo, dialect: SqlDialect): SqlFragment[] {
  const columns = info.fields.map((f) => columnDdl(info, f.name, dialect, false));
  const key = sql`primary key (${sql.id(plainField(info, 'tenantId').column)}, ${sql.id(plainField(info, 'id').column)})`;
  return [
    sql`create table ${info.table} (${sql.join([...columns, key])})`,
    ...info.model.indexes.map((index) => indexDdl(info, index)),
    ...info.fields.flatMap((f) => jsonIndexDdl(info, f.name, dialect)),
  ];
}

/** Compiles one migration operation to DDL statements. */
export function operationDdl(db: Kysely<any>, dialect: SqlDialect, op: MigrationOperation): string[] {
  const info = buildModelInfo(op.model as ModelDefinition, dialect);
  let statements: SqlFragment[];
  switch (op.kind) {
    case 'createModel':
      statements = createModelDdl(info, dialect);
      break;
    case 'addField':
      statements = [sql`alter table ${info.table} add column ${columnDdl(info, op.field, dialect, true)}`, ...jsonIndexDdl(info, op.field, dialect)];
      break;
    case 'createIndex':
      statements = [indexDdl(info, op.index)];
      break;
    case 'dropIndex':
      // An index lives in its table's schema.
      statements = [sql`drop index if exists ${tableRef(dialect, `${op.model.table}_${op.name}`)}`];
      break;
    default:
      throw ValidationError.single(`Unknown migration operation ${JSON.stringify((op as { kind: unknown }).kind)}`);
  }
  return statements.map((s) => compile(db, s));
}
