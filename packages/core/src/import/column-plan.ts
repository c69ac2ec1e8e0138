import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { schemaAt } from './coerce-cell.js';
import { type ImportMapping, type ReferenceKind, referenceKinds } from './import.schema.js';
import type { ImportTarget } from './import-targets.js';

/** Where one column goes. */
export type ColumnTarget =
  | { kind: 'field'; path: string[]; schema: z.ZodType | undefined }
  | { kind: 'reference'; reference: ReferenceKind; field: string; many: boolean }
  | { kind: 'ignore' }
  | { kind: 'unknown' };

const isReference = (name: string): name is ReferenceKind => (referenceKinds as readonly string[]).includes(name);

/**
 * The columns of a file as fields of the target entity, decided once per column
 * (not per row): an explicit mapping first, else a header naming a field, a
 * `custom.x` field or a reference kind; anything else is an unknown column.
 * It also answers the reverse question, which column a field came from, so that
 * a zod issue on `companyId` is reported on the `company.domain` column.
 */
export class ColumnPlan {
  readonly #target: ImportTarget;
  readonly #custom: z.ZodType | undefined;
  readonly #explicit: Record<string, string | null>;
  readonly #byColumn = new Map<string, ColumnTarget>();
  /** Field path (`email`, `custom.tier`, `companyId`) -> the column it was read from. */
  readonly #columnOfField = new Map<string, string>();
  /** Unknown columns not reported yet: each is reported once, not once per row. */
  #unreported: string[] = [];

  /** @throws {ValidationError} for a mapping target the entity does not have */
  constructor(target: ImportTarget, mapping: ImportMapping | undefined, custom: z.ZodType | undefined) {
    this.#target = target;
    this.#custom = custom;
    this.#explicit = mapping?.columns ?? {};
    for (const [column, to] of Object.entries(this.#explicit)) {
      if (to === null) continue;
      const resolved = this.#targetOf(to);
      if (resolved.kind === 'unknown') {
        throw ValidationError.single(`${target.entity} has no field or reference ${JSON.stringify(to)} (column ${JSON.stringify(column)})`, ['mapping', 'columns', column]);
      }
    }
  }

  /** Where a column goes, decided on first sight and remembered. */
  resolve(column: string): ColumnTarget {
    let found = this.#byColumn.get(column);
    if (found !== undefined) return found;
    const to = Object.hasOwn(this.#explicit, column) ? this.#explicit[column] : column;
    found = to === null || to === undefined ? { kind: 'ignore' } : this.#targetOf(to);
    this.#byColumn.set(column, found);
    if (found.kind === 'unknown') this.#unreported.push(column);
    const field = found.kind === 'field' ? found.path.join('.') : found.kind === 'reference' ? found.field : undefined;
    if (field !== undefined && !this.#columnOfField.has(field)) this.#columnOfField.set(field, column);
    return found;
  }

  /** The unknown columns met since the last call. */
  takeUnknown(): string[] {
    return this.#unreported.splice(0);
  }

  /** The column a field path (or its closest parent: `amount` for `amount.minor`) was read from. */
  columnOf(path: readonly PropertyKey[]): string | undefined {
    for (let length = path.length; length > 0; length--) {
      const column = this.#columnOfField.get(path.slice(0, length).map(String).join('.'));
      if (column !== undefined) return column;
    }
    return undefined;
  }

  #targetOf(to: string): ColumnTarget {
    if (isReference(to)) {
      const reference = this.#target.references[to];
      return reference ? { kind: 'reference', reference: to, field: reference.field, many: reference.many ?? false } : { kind: 'unknown' };
    }
    const path = to.split('.');
    if (path[0] === 'custom' && path.length > 1) {
      if (path.length !== 2 || path[1] === '' || !this.#target.customizable) return { kind: 'unknown' };
      return { kind: 'field', path, schema: schemaAt(this.#custom, [path[1]!]) };
    }
    const schema = schemaAt(this.#target.input, path) ?? schemaAt(this.#target.patch, path);
    return schema === undefined ? { kind: 'unknown' } : { kind: 'field', path, schema };
  }
}
