import { ValidationError } from '../errors.js';
import type { FieldDefinition, IndexDefinition, ModelDefinition } from './schema.js';
import type { Scalar, Where } from './where.js';

/**
 * Creates a table. The definition is data written out in the migration, never a
 * live model: a model that changes later must not change what a released
 * migration did. The primary key is `(tenantId, id)`.
 */
export interface CreateTableOperation {
  kind: 'createTable';
  /** SQL table name. */
  table: string;
  /** Every column, by field name, the common ones (`tenantId`, `id`, ...) included. */
  fields: Record<string, FieldDefinition>;
  /** Secondary indexes, created with the table. @default [] */
  indexes?: IndexDefinition[];
}

/**
 * Adds a column. A column that is not nullable is filled with `default` in
 * the rows a table already holds.
 */
export interface AddFieldOperation {
  kind: 'addField';
  table: string;
  /** The field name (the column is its snake_case form unless `definition.column` says otherwise). */
  field: string;
  definition: FieldDefinition;
  /**
   * What existing rows get in a column that is not nullable.
   * @default the type's zero: `''`, `0`, `false`, `1970-01-01`, the epoch, JSON `null`
   */
  default?: string | number | boolean;
}

/** Creates a secondary index on a table created earlier in the same migration list. */
export interface CreateIndexOperation {
  kind: 'createIndex';
  table: string;
  index: IndexDefinition;
}

/** Drops a secondary index (by the name given in its definition, without the table prefix). */
export interface DropIndexOperation {
  kind: 'dropIndex';
  table: string;
  name: string;
}

/**
 * Makes a table a commit-ordered log (see {@link ModelDefinition.log}): the
 * adapter adds the columns, indexes and counters it keeps positions in, and
 * gives the rows the table already holds positions in id order, before any
 * row written later. The model of the table must say `log: true`.
 */
export interface AddLogOperation {
  kind: 'addLog';
  table: string;
}

/**
 * The new value of one column in {@link UpdateRowsOperation}: a constant,
 * another field or JSON path of the row, or (for a JSON field) the field
 * itself without the key at a path.
 */
export type RowValue = { value: Scalar } | { from: string } | { without: string[] };

/**
 * A data step: sets columns of every row matching `where`, across all
 * tenants, for example to fill a new column from a JSON path of an old one
 * (`{ idempotencyKey: { from: 'custom.idempotencyKey' } }`). Field names are
 * those of the table as the migrations before this one left it.
 */
export interface UpdateRowsOperation {
  kind: 'updateRows';
  table: string;
  set: Record<string, RowValue>;
  /** Rows to change, as in every where-tree. @default every row */
  where?: Where;
}

/**
 * A data step that copies rows: one row into `table` for every row of
 * `from` matching `where`, across tenants, each field of the new row a
 * constant or a field (or JSON path) of the source row. For example, a new
 * table filled from an old one.
 */
export interface InsertRowsOperation {
  kind: 'insertRows';
  table: string;
  /** The table rows are copied from. */
  from: string;
  /** Every field of the new rows; `{ from }` names a field of the source row. */
  values: Record<string, Exclude<RowValue, { without: string[] }>>;
  /** Source rows to copy. @default every row */
  where?: Where;
}

/**
 * The value of one field of a row that {@link ExpandRowsOperation} writes:
 * a constant, a field (or JSON path) of the source row, a path inside the
 * array element (`{ element: 'productId' }`), the element's position from 0,
 * or a source field followed by `:` and the position (`{ positionId: 'id' }`
 * gives `<id>:0`, `<id>:1`...), a key that stays the same when run again.
 */
export type ElementValue =
  | Exclude<RowValue, { without: string[] }>
  | { element: string }
  | { position: true }
  | { positionId: string };

/**
 * A data step that expands a JSON array: one row into `table` for every
 * element of the array field `each` of every row of `from` matching `where`,
 * across tenants. A source row whose field is not an array (null, an object)
 * gives no row. For example, deal lines kept in a JSON array become rows of a
 * line table that SQL can group (`0018_deal_lines`).
 * @example
 * { kind: 'expandRows', table: 'crm_deal_line', from: 'crm_deal', each: 'lines', values: {
 *   tenantId: { from: 'tenantId' }, id: { positionId: 'id' }, dealId: { from: 'id' },
 *   position: { position: true }, productId: { element: 'productId' }, ... } }
 */
export interface ExpandRowsOperation {
  kind: 'expandRows';
  table: string;
  /** The table whose rows hold the arrays. */
  from: string;
  /** A `json` field of `from` holding an array (of objects when `element` paths are read). */
  each: string;
  /** Every field of the new rows. */
  values: Record<string, ElementValue>;
  /** Source rows to expand. @default every row */
  where?: Where;
}

/**
 * Operations of release 0.1.0, which named live models. Still accepted so that
 * migrations written then keep working; they are read once, when compiled.
 * @deprecated write {@link CreateTableOperation} and the other table-named operations.
 */
export type LegacyMigrationOperation =
  | { kind: 'createModel'; model: ModelDefinition<object> }
  | { kind: 'addField'; model: ModelDefinition<object>; field: string }
  | { kind: 'createIndex'; model: ModelDefinition<object>; index: IndexDefinition }
  | { kind: 'dropIndex'; model: ModelDefinition<object>; name: string };

/** One step of a migration. Adapters compile each kind to their own DDL. */
export type MigrationOperation =
  | CreateTableOperation
  | AddFieldOperation
  | CreateIndexOperation
  | DropIndexOperation
  | UpdateRowsOperation
  | InsertRowsOperation
  | ExpandRowsOperation
  | AddLogOperation
  | LegacyMigrationOperation;

/** A migration operation in its current form (legacy forms resolved). */
export type TableOperation = Exclude<MigrationOperation, LegacyMigrationOperation>;

/**
 * A named, ordered list of schema operations. Ids sort in application order
 * (`0001_crm_core`, `0002_idempotency`...) and are recorded in the adapter's
 * `crmkit_migration` table once applied. Once released, a migration never
 * changes: a schema change is a new migration.
 */
export interface Migration {
  /** Unique, sortable id. */
  id: string;
  /** Operations applied in order, in one transaction where the database allows DDL in transactions. */
  operations: MigrationOperation[];
}

/** What a list of migrations leaves a table as: its fields and indexes, and whether it is a log. */
export interface TableShape {
  table: string;
  fields: Record<string, FieldDefinition>;
  indexes: IndexDefinition[];
  /** Set by an {@link AddLogOperation}. @default false */
  log?: boolean;
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * Creates a migration that creates each model's table, copying the models'
 * fields and indexes as they are now. For a migration you release, write the
 * `createTable` operations out (or generate them once and commit the result):
 * a model edited later must not edit a released migration.
 */
export function createModelsMigration(id: string, models: readonly ModelDefinition<object>[]): Migration {
  return {
    id,
    operations: models.flatMap((model): TableOperation[] => [
      { kind: 'createTable', table: model.table, fields: copy(model.fields), indexes: copy(model.indexes) },
      ...(model.log === true ? [{ kind: 'addLog', table: model.table } as const] : []),
    ]),
  };
}

/** Resolves a legacy operation into the table-named form. */
export function normalizeOperation(op: MigrationOperation): TableOperation {
  if (!('model' in op)) return op;
  switch (op.kind) {
    case 'createModel':
      return { kind: 'createTable', table: op.model.table, fields: copy(op.model.fields), indexes: copy(op.model.indexes) };
    case 'addField': {
      const definition = op.model.fields[op.field];
      if (definition === undefined) throw ValidationError.single(`${op.model.name} has no field ${JSON.stringify(op.field)} to add`);
      return { kind: 'addField', table: op.model.table, field: op.field, definition: copy(definition) };
    }
    case 'createIndex':
      return { kind: 'createIndex', table: op.model.table, index: copy(op.index) };
    case 'dropIndex':
      return { kind: 'dropIndex', table: op.model.table, name: op.name };
  }
}

/**
 * The tables a list of migrations builds, applied in id order: what a
 * database migrated with exactly these migrations holds. Adapters compile each
 * operation against the state the ones before it left (index columns, data
 * steps); tests compare the result with the models (see {@link verifyMigrations}).
 *
 * @throws {ValidationError} for an operation that contradicts the ones before it
 * (a table created twice, a field added twice, an index on an unknown field).
 */
export class MigrationFold {
  readonly #tables = new Map<string, TableShape>();

  /** Folds every operation of `migrations`, sorted by id. */
  static of(migrations: readonly Migration[]): MigrationFold {
    const fold = new MigrationFold();
    for (const migration of [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      for (const op of migration.operations) fold.apply(normalizeOperation(op));
    }
    return fold;
  }

  /** The tables, by SQL name. */
  get tables(): ReadonlyMap<string, TableShape> {
    return this.#tables;
  }

  /** The shape of a table, or undefined when no operation folded so far created it. */
  table(name: string): TableShape | undefined {
    return this.#tables.get(name);
  }

  /** Applies one operation to the state. */
  apply(op: TableOperation): void {
    const shape = this.#tables.get(op.table);
    switch (op.kind) {
      case 'createTable':
        if (shape) throw ValidationError.single(`Table ${op.table} is created twice`);
        this.#tables.set(op.table, { table: op.table, fields: copy(op.fields), indexes: copy(op.indexes ?? []) });
        return;
      case 'addField':
        // A table created by another list of migrations (another package's) is not known here: nothing to check.
        if (!shape) return;
        if (Object.hasOwn(shape.fields, op.field)) throw ValidationError.single(`${op.table} already has a field ${op.field}`);
        shape.fields[op.field] = copy(op.definition);
        return;
      case 'createIndex':
        if (!shape) return;
        if (shape.indexes.some((index) => index.name === op.index.name)) {
          throw ValidationError.single(`${op.table} already has an index ${op.index.name}`);
        }
        for (const entry of [...op.index.fields, ...(op.index.whereNotNull ?? [])]) {
          const field = entry.replace(/^-/, '');
          if (!Object.hasOwn(shape.fields, field)) throw ValidationError.single(`Index ${op.index.name} of ${op.table} names an unknown field ${field}`);
        }
        shape.indexes.push(copy(op.index));
        return;
      case 'dropIndex':
        if (shape) shape.indexes = shape.indexes.filter((index) => index.name !== op.name);
        return;
      case 'updateRows':
        if (!shape) throw ValidationError.single(`updateRows on ${op.table}, which these migrations do not create`);
        return;
      case 'insertRows':
        if (!shape || !this.#tables.has(op.from)) throw ValidationError.single(`insertRows from ${op.from} into ${op.table}: these migrations do not create both`);
        for (const field of Object.keys(shape.fields)) {
          if (!Object.hasOwn(op.values, field) && !shape.fields[field]!.nullable) throw ValidationError.single(`insertRows into ${op.table} gives no value for ${field}`);
        }
        return;
      case 'expandRows': {
        const source = this.#tables.get(op.from);
        if (!shape || !source) throw ValidationError.single(`expandRows from ${op.from} into ${op.table}: these migrations do not create both`);
        if (source.fields[op.each]?.type !== 'json') throw ValidationError.single(`expandRows reads arrays from a json field, and ${op.from}.${op.each} is not one`);
        for (const field of Object.keys(shape.fields)) {
          if (!Object.hasOwn(op.values, field) && !shape.fields[field]!.nullable) throw ValidationError.single(`expandRows into ${op.table} gives no value for ${field}`);
        }
        return;
      }
      case 'addLog':
        if (!shape) throw ValidationError.single(`addLog on ${op.table}, which these migrations do not create`);
        if (shape.log === true) throw ValidationError.single(`${op.table} is made a log twice`);
        shape.log = true;
        return;
    }
  }
}

function describeField(definition: FieldDefinition): string {
  return JSON.stringify({ type: definition.type, nullable: definition.nullable ?? false, column: definition.column ?? null });
}

function describeIndex(index: IndexDefinition): string {
  return JSON.stringify({
    fields: index.fields, unique: index.unique ?? false, whereNotNull: index.whereNotNull ?? [], acrossTenants: index.acrossTenants ?? false,
  });
}

/**
 * Compares models with what a list of migrations builds and returns every
 * difference, in words (an empty list when they agree). A model whose field
 * is not created by any migration would fail at its first query; a test
 * calling this catches it before release.
 * @example
 * expect(verifyMigrations(Object.values(coreModels), coreMigrations)).toEqual([]);
 */
export function verifyMigrations(models: readonly ModelDefinition<object>[], migrations: readonly Migration[]): string[] {
  const fold = MigrationFold.of(migrations);
  const problems: string[] = [];
  for (const model of models) {
    const shape = fold.table(model.table);
    if (!shape) {
      problems.push(`no migration creates ${model.table} (model ${model.name})`);
      continue;
    }
    for (const [field, definition] of Object.entries(model.fields)) {
      const built = shape.fields[field];
      if (!built) problems.push(`${model.table}.${field} is in the model but no migration adds it`);
      else if (describeField(built) !== describeField(definition)) {
        problems.push(`${model.table}.${field} is ${describeField(definition)} in the model, ${describeField(built)} after the migrations`);
      }
    }
    for (const field of Object.keys(shape.fields)) {
      if (!Object.hasOwn(model.fields, field)) problems.push(`${model.table}.${field} is created by a migration but not in the model`);
    }
    if ((model.log === true) !== (shape.log === true)) {
      problems.push(model.log === true ? `${model.table} is a log in the model but no migration adds the log` : `${model.table} is made a log by a migration but the model is not a log`);
    }
    const built = new Map(shape.indexes.map((index) => [index.name, index]));
    for (const index of model.indexes) {
      const found = built.get(index.name);
      if (!found) problems.push(`index ${index.name} of ${model.table} is in the model but no migration creates it`);
      else if (describeIndex(found) !== describeIndex(index)) {
        problems.push(`index ${index.name} of ${model.table} is ${describeIndex(index)} in the model, ${describeIndex(found)} after the migrations`);
      }
      built.delete(index.name);
    }
    for (const name of built.keys()) problems.push(`index ${name} of ${model.table} is created by a migration but not in the model`);
  }
  return problems;
}
