/**
 * The storage schema as data. Core describes its models here once; every
 * adapter turns the same description into tables, indexes and migrations, so a
 * third-party adapter needs no knowledge of the CRM domain.
 */

/** Column types an adapter must support, from the narrowest to the widest. */
export const fieldTypes = [
  /** Short text (names, ids, codes): indexed and compared. */
  'string',
  /** Long text (notes, descriptions): stored, seldom indexed. */
  'text',
  /** A safe JavaScript integer (counts, percentages, durations). */
  'integer',
  /** A 64-bit integer (money in minor units). Read back as `number` when safe, else `bigint`. */
  'bigint',
  /** A double-precision float. */
  'number',
  /** `true` / `false`. */
  'boolean',
  /** An instant, exchanged as an ISO 8601 UTC string with milliseconds (`2026-01-02T03:04:05.000Z`). */
  'timestamp',
  /** A calendar date, exchanged as `YYYY-MM-DD`. */
  'date',
  /** Any JSON value (objects, arrays): `custom`, `tags`, lists. */
  'json',
] as const;

/** One of {@link fieldTypes}. */
export type FieldType = (typeof fieldTypes)[number];

/** How one field of a model is stored. */
export interface FieldDefinition {
  /** The column type. */
  type: FieldType;
  /**
   * Whether the column accepts `NULL`. Missing values of a nullable field are stored as NULL.
   * @default false
   */
  nullable?: boolean;
  /**
   * Column name in SQL.
   * @default the field name in snake_case (`expectedCloseOn` -> `expected_close_on`)
   */
  column?: string;
}

/**
 * A field definition that also carries the TypeScript type of its values
 * (a JSON shape, a union of string literals), made by {@link typedField}.
 * The type exists only for the compiler.
 */
export interface TypedField<T> extends FieldDefinition {
  /** Never set: carries `T` for {@link RowOf}. */
  readonly valueType?: T;
}

/**
 * A field whose values have a narrower TypeScript type than its column type
 * gives: `typedField<Consent>('json')`, `typedField<LifecycleStage>('string')`,
 * `typedField<string[] | null>('json', { nullable: true })` (include `null` in
 * the type of a nullable field).
 */
export function typedField<T>(type: FieldType, options: { nullable?: boolean; column?: string } = {}): TypedField<T> {
  return { type, ...options };
}

/** The TypeScript type of the values of a column type. */
export type ValueOfType<T extends FieldType> = T extends 'string' | 'text' | 'timestamp' | 'date'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'bigint'
      ? number | bigint
      : T extends 'boolean'
        ? boolean
        : unknown;

/** The TypeScript type of one field's values, `null` included when it is nullable. */
export type ValueOf<D extends FieldDefinition> = D extends { type: FieldType; readonly valueType?: infer V }
  ? unknown extends V
    ? D extends { nullable: true } ? ValueOfType<D['type']> | null : ValueOfType<D['type']>
    : V
  : never;

/** A row of a model with these fields: field names to their TypeScript types. */
export type RowOf<F extends Record<string, FieldDefinition>> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** A secondary index. The adapter puts `tenantId` first (unless `acrossTenants`): queries are tenant-local. */
export interface IndexDefinition {
  /** Name, unique within the model; adapters prefix it with the table name. */
  name: string;
  /** Fields after the implicit leading `tenantId`. A `-` prefix means descending. */
  fields: string[];
  /**
   * Whether the combination (tenantId, ...fields) must be unique.
   * @default false
   */
  unique?: boolean;
  /**
   * Only index rows where every listed field is not null (a partial index), so that
   * optional unique keys allow many records without a value.
   */
  whereNotNull?: string[];
  /**
   * Do not lead with `tenantId`. Only for queues that workers drain across
   * tenants (`claimDue` without a tenant), which need one global order by due time.
   * @default false
   */
  acrossTenants?: boolean;
}

/**
 * A model: one table whose primary key is `(tenantId, id)`. The common fields
 * `tenantId`, `id`, `createdAt`, `updatedAt` and (for versioned models) `version`
 * are part of `fields`; {@link defineModel} adds them. `R` is the row type the
 * storage contract reads and writes for it, which {@link defineModel} infers.
 */
export interface ModelDefinition<R extends object = Record<string, unknown>> {
  /** Name used in the storage contract and in errors, e.g. `contact`. */
  name: string;
  /** SQL table name, e.g. `crm_contact`. */
  table: string;
  /** Every field, by name. */
  fields: Record<string, FieldDefinition>;
  /** Secondary indexes. */
  indexes: IndexDefinition[];
  /**
   * Whether the model has a `version` column that every update increments and
   * `expectedVersion` guards.
   */
  versioned: boolean;
  /** Never set: carries the row type `R` for the storage contract's signatures. */
  readonly rowType?: R;
  /**
   * Whether the table is also a commit-ordered log: every row written gets a
   * position in the order its transaction commits, and `Storage.readLog` reads
   * the rows of every tenant in that order from a position. The adapter keeps
   * the positions in columns of its own, not in `fields`. A migration turns a
   * table into a log with an `addLog` operation.
   * @default false
   */
  log?: boolean;
}

/** The row type of a model. */
export type RowOfModel<M> = M extends ModelDefinition<infer R> ? R : never;

/** The fields every model carries. */
export const commonFields = {
  tenantId: { type: 'string' },
  id: { type: 'string' },
  createdAt: { type: 'timestamp' },
  updatedAt: { type: 'timestamp' },
} as const satisfies Record<string, FieldDefinition>;

const versionField = { version: { type: 'integer' } } as const satisfies Record<string, FieldDefinition>;

/** Options of {@link defineModel}. */
export interface DefineModelOptions<F extends Record<string, FieldDefinition> = Record<string, FieldDefinition>, V extends boolean = boolean> {
  /** See {@link ModelDefinition.name}. */
  name: string;
  /** See {@link ModelDefinition.table}. */
  table: string;
  /** The model's own fields; the common ones are added. */
  fields: F;
  /** @default [] */
  indexes?: IndexDefinition[];
  /** @default true */
  versioned?: V;
  /** See {@link ModelDefinition.log}. @default false */
  log?: boolean;
}

/** The row type {@link defineModel} infers: the common fields, `version` unless unversioned, and the model's own. */
export type ModelRow<F extends Record<string, FieldDefinition>, V extends boolean> = RowOf<typeof commonFields> &
  (false extends V ? (true extends V ? { version?: number } : unknown) : RowOf<typeof versionField>) &
  RowOf<F>;

/**
 * Builds a {@link ModelDefinition}, adding the common fields, and infers its
 * row type from the field definitions (see {@link typedField} for JSON shapes
 * and string unions), so that services read rows without casts.
 *
 * @example
 * const note = defineModel({ name: 'note', table: 'crm_note', fields: { body: { type: 'text' } } });
 */
export function defineModel<const F extends Record<string, FieldDefinition>, const V extends boolean = true>(
  options: DefineModelOptions<F, V>,
): ModelDefinition<Flatten<ModelRow<F, V>>> {
  const versioned = options.versioned ?? true;
  const fields: Record<string, FieldDefinition> = { ...commonFields };
  if (versioned) fields.version = { type: 'integer' };
  Object.assign(fields, options.fields);
  return {
    name: options.name,
    table: options.table,
    fields,
    indexes: options.indexes ?? [],
    versioned,
    ...(options.log === true ? { log: true } : {}),
  };
}

/** Merges an intersection into one object type, for readable hovers and assignability. */
export type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The SQL column of a field: its explicit `column` or its name in snake_case. */
export function columnName(field: string, definition?: FieldDefinition): string {
  return definition?.column ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

