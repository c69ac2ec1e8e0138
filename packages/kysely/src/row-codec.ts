import { type Row, ValidationError, storableProblem, valueError } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect, SqlFragment } from './dialect.js';
import type { FieldInfo, ModelInfo } from './model-info.js';

/** Fields the storage sets itself; an update may not change them. */
const immutable = new Set(['id', 'tenantId', 'createdAt', 'version']);

/**
 * The select list of `fields`, each aliased to its field name, so that the
 * driver's row objects are already keyed by field and only a few values need
 * decoding in place.
 */
export function selectList(fields: readonly FieldInfo[], dialect: SqlDialect): SqlFragment {
  return sql.join(
    fields.map((f) => sql`${dialect.selectColumn(f.ref, f.type)} as ${sql.id(f.name)}`),
    sql`, `,
  );
}

/** Decodes driver rows in place (they are fresh objects) with the precomputed decoders. */
export function decodeRows(rows: Row[], decoded: readonly FieldInfo[]): Row[] {
  if (decoded.length === 0) return rows;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let i = 0; i < decoded.length; i++) {
      const field = decoded[i]!;
      const value = row[field.name];
      if (value !== null && value !== undefined) row[field.name] = field.decode!(value);
    }
  }
  return rows;
}

/** Normalises a value the caller wrote into the form a read would give back. */
function readBack(field: FieldInfo, input: unknown, encoded: unknown): unknown {
  if (field.decode === undefined) return encoded;
  if (typeof input === 'bigint' && Number.isSafeInteger(Number(input))) return Number(input);
  return input;
}

/**
 * Encodes a complete row for an INSERT into `params` from `offset`, in model
 * field order, and returns the row as a read would return it when `out` is set.
 * This is the bulk-insert hot loop: no closures, no Object.entries.
 *
 * @throws {ValidationError} for a missing required field, an unknown one, or a
 *   value the field cannot hold exactly on every database (`storableProblem`).
 */
export function encodeInsertRow(
  info: ModelInfo,
  tenantId: string,
  row: Row,
  params: unknown[],
  offset: number,
  out: Row | undefined,
): void {
  const fields = info.fields;
  let present = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    let input = row[field.name];
    if (input !== undefined) present++;
    if (i === 0 && field.name === 'tenantId') {
      if (input !== undefined && input !== tenantId) {
        throw ValidationError.single(`${info.model.name}.tenantId does not match the call's tenant`, ['tenantId']);
      }
      input = tenantId;
    } else if (input === undefined && field.name === 'version') {
      input = 1;
    }
    let value: unknown = null;
    if (input === undefined || input === null) {
      if (!field.nullable) throw ValidationError.single(`${info.model.name}.${field.name} is required`, [field.name]);
      input = null;
    } else {
      const found = storableProblem(field.type, input);
      if (found !== undefined) throw valueError(`${info.model.name}.${field.name}`, found, [field.name]);
      value = field.encode === undefined ? input : field.encode(input);
    }
    params[offset + i] = value;
    if (out !== undefined) out[field.name] = value === null ? null : readBack(field, input, value);
  }
  // Counting instead of scanning every key keeps the common case (no stray key) cheap.
  let keys = 0;
  for (const key in row) if (row[key] !== undefined) keys++;
  if (keys !== present) {
    for (const key in row) {
      if (!info.byName.has(key)) throw ValidationError.single(`${info.model.name} has no field ${JSON.stringify(key)}`, [key]);
    }
  }
}

/** One assignment of an UPDATE: the field and its encoded value. */
export interface Assignment {
  readonly field: FieldInfo;
  readonly value: unknown;
}

/**
 * Validates and encodes the data of an update, in model field order so that
 * the same set of fields always gives the same statement shape.
 *
 * @throws {ValidationError} for unknown or immutable fields, a null in a required
 *   one, and a value the field cannot hold (`storableProblem`).
 */
export function encodeAssignments(info: ModelInfo, data: Row): Assignment[] {
  for (const key of Object.keys(data)) {
    if (data[key] === undefined) continue;
    if (!info.byName.has(key) || !Object.hasOwn(info.model.fields, key)) {
      throw ValidationError.single(`${info.model.name} has no field ${JSON.stringify(key)}`, [key]);
    }
    if (immutable.has(key)) throw ValidationError.single(`${info.model.name}.${key} cannot be updated`, [key]);
  }
  const out: Assignment[] = [];
  for (const field of info.fields) {
    const input = data[field.name];
    if (input === undefined) continue;
    if (input === null && !field.nullable) {
      throw ValidationError.single(`${info.model.name}.${field.name} is required`, [field.name]);
    }
    if (input !== null) {
      const found = storableProblem(field.type, input);
      if (found !== undefined) throw valueError(`${info.model.name}.${field.name}`, found, [field.name]);
    }
    out.push({ field, value: input === null || field.encode === undefined ? input : field.encode(input) });
  }
  return out;
}
