import { ValidationError } from '../errors.js';
import type { ModelDefinition } from './schema.js';

/**
 * A value a field can be compared with. Timestamps are ISO strings
 * (a `Date` is accepted and converted), dates `YYYY-MM-DD`.
 */
export type Scalar = string | number | bigint | boolean | null | Date;

/**
 * Comparisons on one field. Several operators in one object must all hold.
 * `null` compares as SQL does not: `{ eq: null }` means IS NULL and `{ ne: null }` IS NOT NULL.
 */
export interface FieldFilter {
  /** Equal (IS NULL for `null`). */
  eq?: Scalar;
  /** Not equal; rows where the field is NULL are included unless the value is null. */
  ne?: Scalar;
  /** Less than. */
  lt?: Scalar;
  /** Less than or equal. */
  lte?: Scalar;
  /** Greater than. */
  gt?: Scalar;
  /** Greater than or equal. */
  gte?: Scalar;
  /** One of the values (an empty list matches nothing). */
  in?: readonly Scalar[];
  /** None of the values (an empty list matches everything). */
  notIn?: readonly Scalar[];
  /** Substring, case-sensitive; `%` and `_` are literal characters. */
  contains?: string;
  /** Prefix, case-sensitive; `%` and `_` are literal characters. */
  startsWith?: string;
  /** For a JSON array field (`tags`...): the array has this element. */
  has?: string | number | boolean;
  /** `true`: the field is NULL (for a JSON path: missing or null); `false`: it is not. */
  isNull?: boolean;
}

/** The operator names of {@link FieldFilter}, for validation. */
export const fieldFilterOperators = [
  'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'contains', 'startsWith', 'has', 'isNull',
] as const;

/**
 * A where-tree. Each key is a field name or a JSON path into a `json` field
 * (`custom.tier`, `custom.address.city`); a plain value means `eq`. The keys
 * `and`, `or` and `not` combine sub-trees; all keys of one object must hold.
 *
 * @example
 * { lifecycleStage: 'lead', 'custom.score': { gte: 50 }, or: [{ ownerId: 'm1' }, { ownerId: null }] }
 */
export type Where = {
  and?: Where[];
  or?: Where[];
  not?: Where;
} & { [field: string]: Scalar | FieldFilter | Where[] | Where | undefined };

/** A field reference resolved against a model: the field and, for JSON, the path inside it. */
export interface FieldRef {
  /** The model field. */
  field: string;
  /** Keys inside a JSON field, empty for a plain column. */
  path: string[];
}

const pathSegment = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Resolves `custom.tier` into a field and a JSON path, refusing fields the model
 * does not have and path segments that are not plain keys. Adapters call this
 * before they put a name into SQL, which is what keeps field names from being
 * an injection vector.
 *
 * @throws {ValidationError} for an unknown field or a malformed path.
 */
export function resolveFieldRef(model: ModelDefinition<object>, key: string): FieldRef {
  const [field, ...path] = key.split('.');
  const definition = field === undefined ? undefined : model.fields[field];
  if (field === undefined || definition === undefined || !Object.hasOwn(model.fields, field)) {
    throw ValidationError.single(`${model.name} has no field ${JSON.stringify(key)}`, [key]);
  }
  if (path.length > 0) {
    if (definition.type !== 'json') {
      throw ValidationError.single(`${model.name}.${field} is not a JSON field; ${JSON.stringify(key)} is not a path`, [key]);
    }
    for (const segment of path) {
      if (!pathSegment.test(segment)) {
        throw ValidationError.single(`Invalid JSON path segment ${JSON.stringify(segment)} in ${JSON.stringify(key)}`, [key]);
      }
    }
  }
  return { field, path };
}

/** Whether a where value is an operator object rather than a plain value. */
export function isFieldFilter(value: unknown): value is FieldFilter {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

/**
 * Checks a where-tree against a model: known fields, known operators, right
 * shapes. Adapters call it once per query so that a bad tree is a
 * {@link ValidationError}, never a SQL error.
 *
 * @throws {ValidationError}
 */
export function validateWhere(model: ModelDefinition<object>, where: Where | undefined, depth = 0): void {
  if (where === undefined) return;
  if (typeof where !== 'object' || where === null || Array.isArray(where)) {
    throw ValidationError.single('A where clause must be an object');
  }
  if (depth > 32) throw ValidationError.single('A where clause is nested too deeply (more than 32 levels)');
  for (const [key, value] of Object.entries(where)) {
    // An unknown field is refused even without a value: it is a typo or a probe.
    if (key !== 'and' && key !== 'or' && key !== 'not') resolveFieldRef(model, key);
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw ValidationError.single(`"${key}" takes a list of where clauses`, [key]);
      for (const child of value) validateWhere(model, child as Where, depth + 1);
      continue;
    }
    if (key === 'not') {
      validateWhere(model, value as Where, depth + 1);
      continue;
    }
    if (!isFieldFilter(value)) {
      validateScalar(value, [key]);
      continue;
    }
    for (const [op, operand] of Object.entries(value)) {
      if (operand === undefined) continue;
      if (!(fieldFilterOperators as readonly string[]).includes(op)) {
        throw ValidationError.single(`Unknown operator ${JSON.stringify(op)} on ${key}`, [key, op]);
      }
      if (op === 'in' || op === 'notIn') {
        if (!Array.isArray(operand)) throw ValidationError.single(`"${op}" takes a list`, [key, op]);
        operand.forEach((item, i) => validateScalar(item, [key, op, i]));
      } else if (op === 'contains' || op === 'startsWith') {
        if (typeof operand !== 'string') throw ValidationError.single(`"${op}" takes a string`, [key, op]);
      } else if (op === 'isNull') {
        if (typeof operand !== 'boolean') throw ValidationError.single('"isNull" takes true or false', [key, op]);
      } else if (op === 'has') {
        if (!['string', 'number', 'boolean'].includes(typeof operand)) {
          throw ValidationError.single('"has" takes a string, number or boolean', [key, op]);
        }
      } else {
        validateScalar(operand, [key, op]);
      }
    }
  }
}

function validateScalar(value: unknown, path: PropertyKey[]): void {
  const ok =
    value === null ||
    value instanceof Date ||
    ['string', 'number', 'bigint', 'boolean'].includes(typeof value);
  if (!ok) throw ValidationError.single(`Cannot compare with a value of type ${typeof value}`, path);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw ValidationError.single('Cannot compare with a number that is not finite', path);
  }
  if (value instanceof Date && Number.isNaN(value.getTime())) {
    throw ValidationError.single('Cannot compare with an invalid Date', path);
  }
}
