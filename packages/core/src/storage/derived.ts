import { ValidationError } from '../errors.js';
import type { OrderTerm } from './adapter.js';
import type { FieldDefinition, FieldType, ModelDefinition } from './schema.js';

/** Units of a {@link TimeDifference}, by their length in milliseconds. */
export const differenceUnits = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 } as const;
/** A unit of {@link TimeDifference}. */
export type DifferenceUnit = keyof typeof differenceUnits;

/**
 * A window value of each row: its field's value `offset` rows before (`lag`)
 * or after (`lead`) it among the rows of its partition in the window order,
 * the value of the partition's first row (`first`: a customer's first order
 * time, for cohorts), or its 1-based position there (`rowNumber`). NULL where
 * no such row exists.
 * The order is total: `id` is appended in the direction of the last term, as
 * in `findMany`. Windows see the rows of the aggregate's `where`.
 *
 * @example
 * // each order's customer's previous order time
 * { fn: 'lag', field: 'placedAt', partitionBy: ['contactId'], orderBy: [{ field: 'placedAt' }] }
 */
export interface WindowValue {
  /** `lag` (a previous row's value), `lead` (a following row's), `first` (the first row's) or `rowNumber`. */
  fn: 'lag' | 'lead' | 'first' | 'rowNumber';
  /** The plain field read by `lag` / `lead` / `first`; refused on `rowNumber`. */
  field?: string;
  /** Plain fields whose values split the rows into independent windows. @default one window over all rows */
  partitionBy?: readonly string[];
  /** The window order, over plain fields; at least one term. */
  orderBy: readonly OrderTerm[];
  /** How many rows back or ahead, 1 to 1,000 (`lag` / `lead` only). @default 1 */
  offset?: number;
}

/**
 * `to - from` of each row in a unit, as a number (fractions kept): two
 * timestamp or date fields, or `lag` / `lead` / `first` values of them (dates count
 * from their midnight UTC). NULL when either is NULL.
 *
 * @example
 * // sales cycle in days
 * { fn: 'difference', from: 'createdAt', to: 'closedAt', unit: 'days' }
 */
export interface TimeDifference {
  /** The difference. */
  fn: 'difference';
  /** A timestamp or date field, or the name of a `lag` / `lead` / `first` value of one, defined before. */
  from: string;
  /** Idem, subtracted from. */
  to: string;
  /** The unit of the result. */
  unit: DifferenceUnit;
}

/** A per-row value computed before grouping; see {@link AggregateArgs.derive}. */
export type DerivedValue = WindowValue | TimeDifference;

const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const maxDerived = 16;

function plain(model: ModelDefinition<object>, field: unknown, path: PropertyKey[]): FieldType {
  if (typeof field !== 'string' || !Object.hasOwn(model.fields, field)) {
    throw ValidationError.single(`${model.name} has no plain field ${JSON.stringify(field)}`, path);
  }
  return model.fields[field]!.type;
}

/**
 * Checks the derived values of an aggregate and returns the model the rest
 * of the aggregate is read against: `model` plus one nullable field per
 * derived value (`lag` / `lead` of the field's type, `rowNumber` an integer,
 * `difference` a number), stored in the column `__d<i>`. Names are plain
 * identifiers that are not fields of the model.
 *
 * @throws {ValidationError}
 */
export function derivedModel(model: ModelDefinition<object>, derive: Readonly<Record<string, DerivedValue>>): ModelDefinition<object> {
  if (typeof derive !== 'object' || derive === null || Array.isArray(derive)) throw ValidationError.single('"derive" takes an object of derived values', ['derive']);
  const entries = Object.entries(derive);
  if (entries.length > maxDerived) throw ValidationError.single(`At most ${maxDerived} derived values`, ['derive']);
  const fields: Record<string, FieldDefinition> = { ...model.fields };
  const windows = new Map<string, FieldType>();
  entries.forEach(([name, value], i) => {
    const path: PropertyKey[] = ['derive', name];
    if (!namePattern.test(name) || Object.hasOwn(model.fields, name)) {
      throw ValidationError.single(`Invalid derived value name ${JSON.stringify(name)}: a plain identifier that is not a field of ${model.name}`, path);
    }
    if (typeof value !== 'object' || value === null) throw ValidationError.single('A derived value is an object', path);
    let type: FieldType;
    if (value.fn === 'difference') {
      const { from, to, unit, ...rest } = value;
      const extra = Object.keys(rest).find((k) => k !== 'fn');
      if (extra !== undefined) throw ValidationError.single(`"difference" has no option ${JSON.stringify(extra)}`, [...path, extra]);
      for (const [key, operand] of [['from', from], ['to', to]] as const) {
        const t = typeof operand === 'string' && windows.has(operand) ? windows.get(operand) : plain(model, operand, [...path, key]);
        if (t !== 'timestamp' && t !== 'date') throw ValidationError.single(`"difference" takes timestamps or dates; ${String(operand)} is a ${t} value`, [...path, key]);
      }
      if (typeof unit !== 'string' || !Object.hasOwn(differenceUnits, unit)) {
        throw ValidationError.single(`"unit" is one of ${Object.keys(differenceUnits).join(', ')}`, [...path, 'unit']);
      }
      type = 'number';
    } else if (value.fn === 'lag' || value.fn === 'lead' || value.fn === 'first' || value.fn === 'rowNumber') {
      const { field, partitionBy, orderBy, offset, ...rest } = value;
      const extra = Object.keys(rest).find((k) => k !== 'fn');
      if (extra !== undefined) throw ValidationError.single(`"${value.fn}" has no option ${JSON.stringify(extra)}`, [...path, extra]);
      if (value.fn === 'rowNumber') {
        if (field !== undefined || offset !== undefined) throw ValidationError.single('"rowNumber" takes no field nor offset', path);
        type = 'integer';
      } else {
        type = plain(model, field, [...path, 'field']);
        if (value.fn === 'first' && offset !== undefined) throw ValidationError.single('"first" takes no offset', [...path, 'offset']);
        if (offset !== undefined && !(Number.isInteger(offset) && offset >= 1 && offset <= 1000)) {
          throw ValidationError.single('"offset" is an integer from 1 to 1,000', [...path, 'offset']);
        }
        windows.set(name, type);
      }
      if (partitionBy !== undefined && (!Array.isArray(partitionBy) || partitionBy.length > 8)) {
        throw ValidationError.single('"partitionBy" takes up to 8 fields', [...path, 'partitionBy']);
      }
      (partitionBy ?? []).forEach((f, j) => plain(model, f, [...path, 'partitionBy', j]));
      if (!Array.isArray(orderBy) || orderBy.length === 0 || orderBy.length > 8) {
        throw ValidationError.single('"orderBy" takes 1 to 8 terms', [...path, 'orderBy']);
      }
      orderBy.forEach((term, j) => {
        plain(model, term?.field, [...path, 'orderBy', j]);
        if (term.direction !== undefined && term.direction !== 'asc' && term.direction !== 'desc') {
          throw ValidationError.single('"direction" is asc or desc', [...path, 'orderBy', j, 'direction']);
        }
      });
    } else {
      throw ValidationError.single(`Unknown derived value ${JSON.stringify((value as { fn?: unknown }).fn)}: lag, lead, first, rowNumber or difference`, [...path, 'fn']);
    }
    fields[name] = { type, nullable: true, column: `__d${i}` };
  });
  return { ...model, fields, log: false } as ModelDefinition<object>;
}
