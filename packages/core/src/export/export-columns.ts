import { z } from 'zod';
import type { CustomFieldSchemas } from '../common/custom-fields.js';
import type { EntityDefinition } from '../entities/entity.js';
import { entityNamed, type EntityRow } from '../entities/registry.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { entityOfModel } from '../access/protections.js';
import type { FieldType, ModelDefinition } from '../storage/schema.js';
import type { ExportMapping } from './export.schema.js';

/** A referenced record's natural key, read per page with one query per reference (see export-references.ts). */
export interface ReferenceColumn {
  kind: 'reference';
  header: string;
  /** The record field holding the referenced id: `companyId`. */
  idField: string;
  /** The referenced model. */
  model: ModelDefinition;
  /** The referenced record's field: `domain`. */
  field: string;
}

/** A value of the record itself: `email`, `amount.minor`, `custom.tier`. */
export interface ValueColumn {
  kind: 'value';
  header: string;
  /** The path into the record, split on dots. */
  path: string[];
}

/** One column of an export. */
export type Column = ValueColumn | ReferenceColumn;

// Prefixes whose id field names a member, not an entity called like the prefix.
const memberPrefixes: Record<string, string> = { owner: 'member', assignee: 'member', actor: 'member' };

// Kept out of the default columns: the tenant is the export's own, the version and
// idempotency key are bookkeeping that an import into another database cannot reuse.
const internalFields = new Set(['tenantId', 'version', 'idempotencyKey']);

const sample: Record<FieldType, unknown> = {
  string: '', text: '', integer: 0, bigint: 0, number: 0, boolean: false,
  timestamp: '1970-01-01T00:00:00.000Z', date: '1970-01-01', json: null,
};

/**
 * The fields of the entity's record, found by mapping a sample row through
 * the entity's own `toRecord`, with the record fields that are money
 * (`{ minor, currency }`). Reading the shape off the registry's mapping keeps
 * export in step with every entity without a per-entity column list.
 */
function recordShape(entity: EntityDefinition<EntityRow>): { fields: string[]; money: Set<string> } {
  const row: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(entity.model.fields)) row[name] = sample[definition.type];
  const record = entity.toRecord(row as unknown as EntityRow) as Record<string, unknown>;
  const money = new Set<string>();
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === 'object' && value !== null && 'minor' in value && 'currency' in value) money.add(name);
  }
  return { fields: Object.keys(record), money };
}

/** The keys of a registered custom-field schema, when it is an object schema whose keys are known. */
function customKeys(schema: z.ZodType | undefined): string[] | undefined {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

/**
 * Every column of an entity when the caller names none: its record fields
 * (money as `x.minor` and `x.currency`), then its custom fields as `custom.x`
 * when the host registered an object schema for them, else `custom` as JSON.
 */
function defaultPaths(entity: EntityDefinition<EntityRow>, customFields: CustomFieldSchemas): string[] {
  const { fields, money } = recordShape(entity);
  const paths: string[] = [];
  for (const field of fields) {
    if (internalFields.has(field)) continue;
    if (money.has(field)) paths.push(`${field}.minor`, `${field}.currency`);
    else if (field === 'custom') {
      const keys = customKeys(customFields[entity.name as keyof CustomFieldSchemas]);
      if (keys === undefined) paths.push('custom');
      else paths.push(...keys.map((key) => `custom.${key}`));
    } else paths.push(field);
  }
  return paths;
}

function unknownPath(path: string, entity: string, header: string): ValidationError {
  return ValidationError.single(`${JSON.stringify(path)} is not a field, custom field or reference of ${entity}`, ['mapping', 'columns', header]);
}

/** Resolves one field path of the entity into a column. @throws {ValidationError} */
function toColumn(entity: EntityDefinition<EntityRow>, fields: ReadonlySet<string>, header: string, path: string): Column {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (fields.has(head)) return { kind: 'value', header, path: [head, ...rest] };
  const idField = `${head}Id`;
  const referenced = entityNamed(memberPrefixes[head] ?? head);
  if (rest.length === 1 && fields.has(idField) && referenced !== undefined) {
    const field = rest[0]!;
    const definition = referenced.model.fields[field];
    // Natural keys are plain values; a JSON field of another record is no key.
    if (definition !== undefined && definition.type !== 'json') {
      return { kind: 'reference', header, idField, model: referenced.model as unknown as ModelDefinition, field };
    }
  }
  throw unknownPath(path, entity.name, header);
}

/**
 * The columns of an export of `entity`: the mapping's (header -> path, in its
 * order), else the listed `fields`, else every field (see {@link defaultPaths}).
 * With both, `fields` keeps the mapped columns whose path it lists.
 * @throws {ValidationError} for a path that is no field, custom field or reference of the entity
 */
export function planColumns(
  entity: EntityDefinition<EntityRow>,
  customFields: CustomFieldSchemas,
  options: { mapping?: ExportMapping | undefined; fields?: string[] | undefined },
): Column[] {
  const fields = new Set(recordShape(entity).fields);
  let pairs: [string, string][];
  if (options.mapping !== undefined) {
    const keep = options.fields === undefined ? undefined : new Set(options.fields);
    pairs = Object.entries(options.mapping.columns).filter(
      (pair): pair is [string, string] => pair[1] !== null && (keep === undefined || keep.has(pair[1])),
    );
    if (pairs.length === 0) throw ValidationError.single('No mapped column is among the listed fields', ['fields']);
  } else {
    const paths = options.fields ?? defaultPaths(entity, customFields);
    pairs = paths.map((path) => [path, path]);
  }
  const headers = new Set<string>();
  return pairs.map(([header, path]) => {
    if (headers.has(header)) throw ValidationError.single(`Header ${JSON.stringify(header)} appears twice`, ['fields']);
    headers.add(header);
    return toColumn(entity, fields, header, path);
  });
}

/**
 * The export options an acting member gets, given what a field-level rule
 * hides from them (`conceals(entity, path)`: the path, a prefix of it, or a
 * path inside it is hidden). Without columns named, the default columns
 * leave hidden fields out (a `custom` JSON column holding a hidden key goes
 * whole). Columns named by `fields` or a `mapping` are refused when hidden,
 * as a filter on them is: the caller asked for what they may not see. A
 * reference column is hidden with the referenced record's field.
 * @throws {ForbiddenError} for a named column that is hidden
 * @throws {ValidationError} for a path that is no field, custom field or reference of the entity
 */
export function visibleExportOptions<O extends { mapping?: ExportMapping | undefined; fields?: string[] | undefined }>(
  entity: EntityDefinition<EntityRow>,
  customFields: CustomFieldSchemas,
  options: O,
  conceals: (entity: string, path: string) => boolean,
): O {
  if (options.mapping === undefined && options.fields === undefined) {
    const fields = defaultPaths(entity, customFields).filter((path) => !conceals(entity.name, path));
    return { ...options, fields };
  }
  for (const column of planColumns(entity, customFields, options)) {
    const [owner, path] = column.kind === 'value'
      ? [entity.name, column.path.join('.')]
      : [entityOfModel(column.model.name) ?? column.model.name, column.field];
    const viaId = column.kind === 'reference' && conceals(entity.name, column.idField);
    if (viaId || conceals(owner, path)) throw new ForbiddenError(entity.name, 'export', null, column.kind === 'value' ? path : column.header);
  }
  return options;
}
