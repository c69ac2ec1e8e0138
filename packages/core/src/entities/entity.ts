import type { ModelDefinition } from '../storage/schema.js';

/**
 * One entity of the CRM, declared once: its storage model, how a stored row
 * becomes the record callers see, and what the rest of crmkit may do with it.
 * Services, references, custom-field registration, task links, the timeline
 * and the workflow effects read these declarations from the registry
 * (`entities`), so a new entity is a folder plus an entry there.
 *
 * `R` is the row type of the model, `T` the record type.
 */
export interface EntityDefinition<R extends object = object, T = unknown> {
  /** The entity name, also the model's name and the `type` of links and subjects: `contact`. */
  readonly name: string;
  /** The property of the tenant scope serving it: `contacts` for `t.contacts`. */
  readonly service: string;
  /** Where its records are stored. */
  readonly model: ModelDefinition<R>;
  /** A stored row as the record callers get. */
  toRecord(row: R): T;
  /** (Part of) a record as the columns that store it. */
  toRow(record: Partial<T>): Partial<R>;
  /** Records take host-defined `custom` fields, validated by `createCrm({ customFields: { [name]: schema } })`. */
  readonly customizable: boolean;
  /** Records have an `ownerId` (a member), which `assignOwner` effects may set. */
  readonly ownable: boolean;
  /** Tasks may be about a record of it (`link: { type: name, id }`). */
  readonly taskLinkable: boolean;
  /** `create(input, { idempotencyKey })` returns the record an earlier create with the same key made. */
  readonly idempotentCreate: boolean;
}

/** The flags of an entity: what the rest of crmkit may do with its records. */
export interface EntityFlags {
  readonly customizable: boolean;
  readonly ownable: boolean;
  readonly taskLinkable: boolean;
  readonly idempotentCreate: boolean;
}

/**
 * Declares an entity. Infers the row type from the model and the record type
 * from `toRecord`, and keeps the name and the flags as literal types (they
 * type `createCrm({ customFields })` and task links).
 */
export function defineEntity<R extends object, T, const N extends string, const F extends EntityFlags>(
  definition: EntityDefinition<R, T> & { readonly name: N } & F,
): EntityDefinition<R, T> & { readonly name: N } & F {
  const { name, toRecord } = definition;
  return { ...definition, toRecord: (row: R): T => brand(toRecord(row), name) };
}

/**
 * Which entity each record object is, for the field-level rules that strip
 * hidden fields from whatever a call returns (a page, a customer view, a
 * timeline). A WeakMap rather than a property: records stay plain objects
 * (equality in callers' tests, JSON, structured clone) and an entry dies with
 * its record. One `set` per mapped row: about 6 ns a row in a micro-benchmark
 * (200,000 deal rows, Node 20), next to microseconds for reading the row.
 * A copy (`{ ...record }`) is not branded: code that rebuilds a record so
 * brands the copy (see `rebuiltBy` in access/field-guard.ts).
 */
const brands = new WeakMap<object, string>();

/** Marks `record` as a record of the entity `name`, and returns it. */
export function brand<T>(record: T, name: string): T {
  if (typeof record === 'object' && record !== null) brands.set(record, name);
  return record;
}

/** The entity `value` is a record of (see {@link brand}), if it is one. */
export function entityOfRecord(value: object): string | undefined {
  return brands.get(value);
}

/** The mapping of an entity whose record has the same fields as its row. */
export const sameShape = {
  /** Identity: the partial record is the partial row. */
  toRow: <T>(record: Partial<T>): Partial<T> => record,
};
