import { type FieldType, type ModelDefinition, ValidationError, columnName } from '@crmkit/core';
import { sql } from 'kysely';
import type { LogTable, SqlDialect, SqlFragment, ValueCodec } from './dialect.js';
import { ShapeCache } from './shape.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** One field of a model, resolved once: its column and its codecs. */
export interface FieldInfo {
  readonly name: string;
  readonly column: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  readonly encode: ValueCodec | undefined;
  readonly decode: ValueCodec | undefined;
  /** `"table"."column"`: qualified so that a select alias never shadows the column. */
  readonly ref: SqlFragment;
}

/** Everything about a model the storage needs per call, computed once per model and dialect. */
export interface ModelInfo {
  readonly model: ModelDefinition<object>;
  /** Unique per info in the process: names the model in the shape keys of statements that read it in a sub-query. */
  readonly serial: number;
  readonly table: SqlFragment;
  /** What a FROM clause names: the table, or the table `as` the alias of {@link aliasedInfo}. */
  readonly from: SqlFragment;
  readonly fields: readonly FieldInfo[];
  readonly byName: ReadonlyMap<string, FieldInfo>;
  readonly byColumn: ReadonlyMap<string, FieldInfo>;
  /** Fields whose stored form needs decoding on read. */
  readonly decoded: readonly FieldInfo[];
  readonly shapes: ShapeCache;
  /** The table as the dialect's log hooks see it, for models with `log: true`. */
  readonly log: LogTable | undefined;
}

function checkIdentifier(name: string, what: string): string {
  if (!identifier.test(name)) throw ValidationError.single(`Invalid SQL ${what} name ${JSON.stringify(name)}`);
  return name;
}

/** A table of crmkit's, qualified with the dialect's schema when it has one. */
export function tableRef(dialect: SqlDialect, table: string): SqlFragment {
  return dialect.schema === undefined ? sql.table(table) : sql.id(checkIdentifier(dialect.schema, 'schema'), table);
}

let serials = 0;
/** The log view of a table of crmkit's: its name, reference, key columns and neighbouring objects. */
export function logTable(dialect: SqlDialect, model: ModelDefinition<object>): LogTable {
  const table = checkIdentifier(model.table, 'table');
  return {
    name: table,
    table: tableRef(dialect, table),
    tenantIdColumn: columnName('tenantId', model.fields.tenantId),
    idColumn: columnName('id', model.fields.id),
    object(name) {
      checkIdentifier(name, 'object');
      const schema = dialect.schema === undefined ? undefined : checkIdentifier(dialect.schema, 'schema');
      const quote = (id: string) => `"${id}"`;
      return { ref: tableRef(dialect, name), text: schema === undefined ? quote(name) : `${quote(schema)}.${quote(name)}` };
    },
  };
}

/** Resolves a model against a dialect. Table and column names are checked to be plain identifiers. */
export function buildModelInfo(model: ModelDefinition<object>, dialect: SqlDialect): ModelInfo {
  const table = checkIdentifier(model.table, 'table');
  const fields: FieldInfo[] = Object.entries(model.fields).map(([name, def]) => {
    const column = checkIdentifier(columnName(name, def), 'column');
    return {
      name,
      column,
      type: def.type,
      nullable: def.nullable ?? false,
      encode: dialect.encoder(def.type),
      decode: dialect.decoder(def.type),
      ref: sql.id(table, column),
    };
  });
  const ref = tableRef(dialect, table);
  return {
    model,
    serial: ++serials,
    table: ref,
    from: ref,
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    byColumn: new Map(fields.map((f) => [f.column, f])),
    decoded: fields.filter((f) => f.decode !== undefined),
    shapes: new ShapeCache(),
    log: model.log === true ? logTable(dialect, model) : undefined,
  };
}

const aliases = new WeakMap<ModelInfo, Map<string, ModelInfo>>();

/**
 * The info of a model read under an alias (a sub-query's `from "crm_deal" as
 * "__q1"`): every field reference is qualified with the alias, so that a
 * sub-query over the query's own table never confuses the two.
 */
export function aliasedInfo(info: ModelInfo, alias: string): ModelInfo {
  let byAlias = aliases.get(info);
  if (byAlias === undefined) aliases.set(info, (byAlias = new Map()));
  let aliased = byAlias.get(alias);
  if (aliased === undefined) {
    const fields = info.fields.map((f) => ({ ...f, ref: sql.id(alias, f.column) }));
    aliased = {
      ...info,
      from: sql`${info.table} as ${sql.id(alias)}`,
      fields,
      byName: new Map(fields.map((f) => [f.name, f])),
      byColumn: new Map(fields.map((f) => [f.column, f])),
      decoded: fields.filter((f) => f.decode !== undefined),
    };
    byAlias.set(alias, aliased);
  }
  return aliased;
}

/** Caches {@link ModelInfo} per model object for one dialect. */
export class ModelRegistry {
  readonly #infos = new WeakMap<ModelDefinition<object>, ModelInfo>();
  constructor(private readonly dialect: SqlDialect) {}

  /** The info of `model`, built on first use. */
  get(model: ModelDefinition<object>): ModelInfo {
    let info = this.#infos.get(model);
    if (info === undefined) {
      info = buildModelInfo(model, this.dialect);
      this.#infos.set(model, info);
    }
    return info;
  }
}

/**
 * The field of a plain (non-path) reference.
 * @throws {ValidationError} for an unknown field.
 */
export function plainField(info: ModelInfo, name: string): FieldInfo {
  const field = info.byName.get(name);
  if (field === undefined || !Object.hasOwn(info.model.fields, name)) {
    throw ValidationError.single(`${info.model.name} has no field ${JSON.stringify(name)}`, [name]);
  }
  return field;
}
