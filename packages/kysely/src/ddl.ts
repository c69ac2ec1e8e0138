import {
  type FieldDefinition,
  type IndexDefinition,
  type Migration,
  MigrationFold,
  type ModelDefinition,
  type TableOperation,
  type TableShape,
  ValidationError,
  normalizeOperation,
  resolveFieldRef,
  type Scalar,
} from '@crmkit/core';
import { type Kysely, sql } from 'kysely';
import type { JsonKind, SqlDialect, SqlFragment } from './dialect.js';
import { type FieldInfo, type ModelInfo, buildModelInfo, logTable, plainField, tableRef } from './model-info.js';
import { LiteralBuilder } from './shape.js';
import type { WhereCompiler } from './where-compiler.js';

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

function columnDdl(info: ModelInfo, name: string, dialect: SqlDialect, adding: false | { default?: string | number | boolean }): SqlFragment {
  const field = plainField(info, name);
  const type = sql.raw(dialect.columnType(field.type));
  if (field.nullable) return sql`${sql.id(field.column)} ${type}`;
  // A NOT NULL column added to a table that may hold rows needs a default.
  if (adding) {
    const value = adding.default === undefined ? sql.raw(dialect.columnDefault(field.type)) : sql.lit(adding.default);
    return sql`${sql.id(field.column)} ${type} not null default ${value}`;
  }
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

/** A model standing for a table as the migrations built it, so that DDL compiles from migration data alone. */
export function tableModel(shape: TableShape): ModelDefinition {
  return {
    name: shape.table, table: shape.table, fields: shape.fields, indexes: shape.indexes, versioned: Object.hasOwn(shape.fields, 'version'),
    ...(shape.log === true ? { log: true } : {}),
  };
}

function requireTable(fold: MigrationFold, op: TableOperation): TableShape {
  const shape = fold.table(op.table);
  if (!shape) throw ValidationError.single(`${op.kind} on ${op.table}: no migration in this list creates the table; pass the migrations that create it too`);
  return shape;
}

function addFieldDdl(op: Extract<TableOperation, { kind: 'addField' }>, dialect: SqlDialect): SqlFragment[] {
  const fields: Record<string, FieldDefinition> = { [op.field]: op.definition };
  const info = buildModelInfo({ name: op.table, table: op.table, fields, indexes: [], versioned: false }, dialect);
  return [
    sql`alter table ${info.table} add column ${columnDdl(info, op.field, dialect, op.default === undefined ? {} : { default: op.default })}`,
    ...jsonIndexDdl(info, op.field, dialect),
  ];
}

/**
 * Compiles one operation to statements, against the state `fold` holds (the
 * operations before it), then folds the operation in. Data steps compile with
 * their values as literals, so that the script `compileMigrations` prints runs
 * as it is.
 */
export function operationDdl(db: Kysely<any>, dialect: SqlDialect, operation: Migration['operations'][number], fold: MigrationFold, where: WhereCompiler): string[] {
  const op = normalizeOperation(operation);
  let statements: SqlFragment[];
  switch (op.kind) {
    case 'createTable':
      statements = createModelDdl(buildModelInfo(tableModel({ table: op.table, fields: op.fields, indexes: op.indexes ?? [] }), dialect), dialect);
      break;
    case 'addField':
      statements = addFieldDdl(op, dialect);
      break;
    case 'createIndex':
      statements = [indexDdl(buildModelInfo(tableModel(requireTable(fold, op)), dialect), op.index)];
      break;
    case 'dropIndex':
      // An index lives in its table's schema.
      statements = [sql`drop index if exists ${tableRef(dialect, `${op.table}_${op.name}`)}`];
      break;
    case 'updateRows':
      statements = [updateRowsDdl(buildModelInfo(tableModel(requireTable(fold, op)), dialect), op, dialect, where)];
      break;
    case 'insertRows': {
      const source = fold.table(op.from);
      if (!source) throw ValidationError.single(`insertRows from ${op.from}: no migration in this list creates the table`);
      statements = [insertRowsDdl(buildModelInfo(tableModel(requireTable(fold, op)), dialect), buildModelInfo(tableModel(source), dialect), op, dialect, where)];
      break;
    }
    case 'expandRows': {
      const source = fold.table(op.from);
      if (!source) throw ValidationError.single(`expandRows from ${op.from}: no migration in this list creates the table`);
      statements = [expandRowsDdl(buildModelInfo(tableModel(requireTable(fold, op)), dialect), buildModelInfo(tableModel(source), dialect), op, dialect, where)];
      break;
    }
    case 'addLog':
      statements = dialect.log.enable(logTable(dialect, tableModel(requireTable(fold, op))));
      break;
    default:
      throw ValidationError.single(`Unknown migration operation ${JSON.stringify((op as { kind: unknown }).kind)}`);
  }
  fold.apply(op);
  return statements.map((s) => compile(db, s));
}

function updateRowsDdl(info: ModelInfo, op: Extract<TableOperation, { kind: 'updateRows' }>, dialect: SqlDialect, where: WhereCompiler): SqlFragment {
  const b = new LiteralBuilder();
  const assignments = Object.entries(op.set).map(([name, value]) => {
    const field = plainField(info, name);
    if ('without' in value) {
      if (field.type !== 'json' || dialect.jsonRemove === undefined) {
        throw ValidationError.single(`updateRows removes keys from JSON fields only${dialect.jsonRemove ? '' : ', and this dialect cannot'} (${info.model.table}.${name})`);
      }
      // Checked like a where path: segments reach the SQL text.
      const { path } = resolveFieldRef(info.model, [name, ...value.without].join('.'));
      return sql`${sql.id(field.column)} = ${dialect.jsonRemove(field.ref, path)}`;
    }
    if ('value' in value) {
      const encoded = value.value === null || field.encode === undefined ? value.value : field.encode(value.value);
      const literal = b.bind(encoded);
      return sql`${sql.id(field.column)} = ${literal()}`;
    }
    const ref = resolveFieldRef(info.model, value.from);
    const source = info.byName.get(ref.field)!;
    if (ref.path.length === 0) return sql`${sql.id(field.column)} = ${source.ref}`;
    // A path reads a JSON scalar typed by the target column; a JSON target would need the dialect's JSON form instead.
    if (field.type === 'json') throw ValidationError.single(`updateRows copies JSON paths into plain fields only, not into ${info.model.table}.${name}`);
    return sql`${sql.id(field.column)} = ${dialect.jsonExtract(source.ref, ref.path, jsonKindOf(field.type))}`;
  });
  if (assignments.length === 0) throw ValidationError.single(`updateRows on ${op.table} sets nothing`);
  const filter = where.compile(info, op.where, b);
  return sql`update ${info.table} set ${sql.join(assignments)}${filter === undefined ? sql`` : sql` where ${filter()}`}`;
}

function insertRowsDdl(
  target: ModelInfo,
  source: ModelInfo,
  op: Extract<TableOperation, { kind: 'insertRows' }>,
  dialect: SqlDialect,
  where: WhereCompiler,
): SqlFragment {
  const b = new LiteralBuilder();
  // Columns left out are NULL; Postgres would read a bare NULL in a select list as text.
  const entries = Object.entries(op.values).filter(([, value]) => !('value' in value && value.value === null));
  const columns = entries.map(([name]) => sql.id(plainField(target, name).column));
  const values = entries.map(([name, value]) => copiedValue(plainField(target, name), value, source, b, dialect));
  const filter = where.compile(source, op.where, b);
  return sql`insert into ${target.table} (${sql.join(columns)}) select ${sql.join(values)} from ${source.table}${filter === undefined ? sql`` : sql` where ${filter()}`}`;
}

/** The alias of the array elements in the FROM clause of `expandRows`; no crmkit table is named so. */
const elementAlias = 'crmkit_element';

function expandRowsDdl(
  target: ModelInfo,
  source: ModelInfo,
  op: Extract<TableOperation, { kind: 'expandRows' }>,
  dialect: SqlDialect,
  where: WhereCompiler,
): SqlFragment {
  if (dialect.jsonArrayElements === undefined) throw ValidationError.single(`This dialect cannot expand JSON arrays (expandRows into ${op.table})`);
  const array = plainField(source, op.each);
  if (array.type !== 'json') throw ValidationError.single(`expandRows reads arrays from a json field, and ${op.from}.${op.each} is not one`);
  const elements = dialect.jsonArrayElements(array.ref, elementAlias);
  const b = new LiteralBuilder();
  const entries = Object.entries(op.values).filter(([, value]) => !('value' in value && value.value === null));
  const columns = entries.map(([name]) => sql.id(plainField(target, name).column));
  const values = entries.map(([name, value]): SqlFragment => {
    const field = plainField(target, name);
    if ('position' in value) return elements.position;
    if ('element' in value) {
      // Paths are checked like where paths: their segments reach the SQL text.
      const path = value.element.split('.');
      if (!path.every((segment) => /^[A-Za-z0-9_-]{1,64}$/.test(segment))) throw ValidationError.single(`Invalid element path ${JSON.stringify(value.element)}`);
      if (field.type === 'json') throw ValidationError.single(`expandRows copies element paths into plain fields only, not into ${op.table}.${name}`);
      return dialect.jsonExtract(elements.element, path, jsonKindOf(field.type));
    }
    if ('positionId' in value) {
      const key = plainField(source, value.positionId);
      return sql`${key.ref} || ':' || cast(${elements.position} as ${sql.raw(dialect.columnType('string'))})`;
    }
    return copiedValue(field, value, source, b, dialect);
  });
  const filter = where.compile(source, op.where, b);
  return sql`insert into ${target.table} (${sql.join(columns)}) select ${sql.join(values)} from ${source.table}, ${elements.from}${filter === undefined ? sql`` : sql` where ${filter()}`}`;
}

/** A constant (typed as its column) or a field / JSON path of the source row, as a select-list value. */
function copiedValue(field: FieldInfo, value: { value: Scalar } | { from: string }, source: ModelInfo, b: LiteralBuilder, dialect: SqlDialect): SqlFragment {
  if ('value' in value) {
    const literal = b.bind(field.encode === undefined ? value.value : field.encode(value.value))();
    // A literal in a select list has no type of its own in Postgres: give it the column's.
    return sql`cast(${literal} as ${sql.raw(dialect.columnType(field.type))})`;
  }
  const ref = resolveFieldRef(source.model, value.from);
  const from = source.byName.get(ref.field)!;
  return ref.path.length === 0 ? from.ref : dialect.jsonExtract(from.ref, ref.path, jsonKindOf(field.type));
}

function jsonKindOf(type: FieldDefinition['type']): JsonKind {
  if (type === 'integer' || type === 'bigint' || type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'string';
}
