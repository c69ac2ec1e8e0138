import { ValidationError } from '../errors.js';
import { type Having, validateHaving } from './having.js';
import { storageLimits } from './limits.js';
import type { FieldType, ModelDefinition } from './schema.js';
import { comparableProblem, valueError } from './values.js';

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
  /**
   * One of the values (an empty list matches nothing; `null` in the list matches NULL).
   * At most {@link storageLimits.maxListValues} values; adapters bind the list as
   * one parameter where the database allows it, so its length does not change the statement.
   */
  in?: readonly Scalar[];
  /** None of the values (an empty list matches everything); as long as `in` allows. */
  notIn?: readonly Scalar[];
  /**
   * A semi-join: the field equals the `field` of at least one row of `model`
   * that matches `where`, in the **same tenant** as the query (the sub-query
   * can never see another tenant's rows). NULL never matches, on either side;
   * `not: { dealId: { inQuery } }` is the complement and includes NULLs. Both
   * fields must be plain fields (no JSON paths) of the same type, `string` and
   * `text` counting as one. Use it instead of reading ids and passing them back
   * as an `in` list: the database joins, however many rows match.
   *
   * `model` is trusted like the query's own model: it must come from code
   * (core's `coreModels`, your `defineModel`), never from parsed input, since it
   * names a table and its columns. Services refuse `inQuery` in the filters
   * callers pass to `list`.
   *
   * @example
   * // stage changes of every deal linked to a contact
   * { dealId: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId } } } }
   */
  inQuery?: SubQuery;
  /** Substring, case-sensitive; `%` and `_` are literal characters. */
  contains?: string;
  /** Prefix, case-sensitive; `%` and `_` are literal characters. */
  startsWith?: string;
  /** For a JSON array field (`tags`...): the array has this element. */
  has?: string | number | boolean;
  /** `true`: the field is NULL (for a JSON path: missing or null); `false`: it is not. */
  isNull?: boolean;
}

/** The rows a {@link FieldFilter.inQuery} collects values from. */
export interface SubQuery {
  /** The model read; the query's own model is allowed (a self semi-join). */
  model: ModelDefinition<object>;
  /** The plain field of `model` whose values are collected. */
  field: string;
  /** Which rows of `model` take part (validated against `model`); every row of the tenant when omitted. */
  where?: Where;
  /**
   * Aggregate conditions over the taking-part rows grouped by `field`
   * (SQL `GROUP BY field HAVING ...`): a value is collected only when its group
   * passes. Metrics are those of `aggregate` (with their own `filter`), each
   * compared as in a where-tree; see {@link HavingCondition}. A value with no
   * row never has a group: "fewer than 2 orders, none included" is the `not`
   * of "2 or more".
   *
   * @example
   * // contacts with 2 or more paid orders worth 100.00 in all, the last before 2024
   * { id: { inQuery: { model: orderModel, field: 'contactId', where: { status: 'paid' }, having: { and: [
   *   { fn: 'count', gte: 2 },
   *   { fn: 'sum', field: 'totalMinor', gte: 10_000 },
   *   { fn: 'max', field: 'placedAt', lt: '2024-01-01T00:00:00.000Z' },
   * ] } } } }
   */
  having?: Having;
}

/** The operator names of {@link FieldFilter}, for validation. */
export const fieldFilterOperators = [
  'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'contains', 'startsWith', 'has', 'isNull', 'inQuery',
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
 * Checks a where-tree against a model: known fields and operators, operand
 * shapes, operand values the field can be compared with (see
 * `comparableProblem`: no NUL or lone surrogate in strings, integers for
 * integer fields, finite numbers...), sub-queries against their own model, and
 * the size limits of {@link storageLimits}. Adapters call it once per query so
 * that a bad tree is a {@link ValidationError}, never a SQL error.
 *
 * @throws {ValidationError}
 */
export function validateWhere(model: ModelDefinition<object>, where: Where | undefined): void {
  if (where === undefined) return;
  walk(model, where, 0, { conditions: 0 });
}

interface WalkState {
  conditions: number;
}

function count(state: WalkState): void {
  if (++state.conditions > storageLimits.maxWhereConditions) {
    throw ValidationError.single(`A where clause may hold at most ${storageLimits.maxWhereConditions} conditions`);
  }
}

function walk(model: ModelDefinition<object>, where: Where, depth: number, state: WalkState): void {
  if (typeof where !== 'object' || where === null || Array.isArray(where)) {
    throw ValidationError.single('A where clause must be an object');
  }
  if (depth > storageLimits.maxWhereDepth) {
    throw ValidationError.single(`A where clause is nested too deeply (more than ${storageLimits.maxWhereDepth} levels)`);
  }
  for (const key in where) {
    if (!Object.hasOwn(where, key)) continue;
    const value = where[key];
    // An unknown field is refused even without a value: it is a typo or a probe.
    const ref = key !== 'and' && key !== 'or' && key !== 'not' ? resolveFieldRef(model, key) : undefined;
    if (value === undefined) continue;
    if (ref === undefined) {
      count(state);
      if (key === 'not') {
        walk(model, value as Where, depth + 1, state);
        continue;
      }
      if (!Array.isArray(value)) throw ValidationError.single(`"${key}" takes a list of where clauses`, [key]);
      for (const child of value) walk(model, child as Where, depth + 1, state);
      continue;
    }
    const target = ref.path.length > 0 ? 'jsonPath' : model.fields[ref.field]!.type;
    if (!isFieldFilter(value)) {
      count(state);
      checkOperand(target, value, [key]);
      continue;
    }
    for (const op in value) {
      if (!Object.hasOwn(value, op)) continue;
      const operand = (value as Record<string, unknown>)[op];
      if (operand === undefined) continue;
      if (!(fieldFilterOperators as readonly string[]).includes(op)) {
        throw ValidationError.single(`Unknown operator ${JSON.stringify(op)} on ${key}`, [key, op]);
      }
      count(state);
      if (op === 'in' || op === 'notIn') {
        if (!Array.isArray(operand)) throw ValidationError.single(`"${op}" takes a list`, [key, op]);
        if (operand.length > storageLimits.maxListValues) {
          throw ValidationError.single(`"${op}" takes at most ${storageLimits.maxListValues} values`, [key, op]);
        }
        for (let i = 0; i < operand.length; i++) checkOperand(target, operand[i], [key, op, i]);
      } else if (op === 'contains' || op === 'startsWith') {
        if (typeof operand !== 'string') throw ValidationError.single(`"${op}" takes a string`, [key, op]);
        checkOperand('text', operand, [key, op]);
      } else if (op === 'isNull') {
        if (typeof operand !== 'boolean') throw ValidationError.single('"isNull" takes true or false', [key, op]);
      } else if (op === 'has') {
        if (!['string', 'number', 'boolean'].includes(typeof operand)) {
          throw ValidationError.single('"has" takes a string, number or boolean', [key, op]);
        }
        checkOperand('jsonPath', operand, [key, op]);
      } else if (op === 'inQuery') {
        if (ref.path.length > 0) throw ValidationError.single(`"inQuery" compares a plain field, not the JSON path ${key}`, [key, op]);
        validateSubQuery(model, ref.field, operand, depth, state, [key, op]);
      } else {
        checkOperand(target, operand, [key, op]);
      }
    }
  }
}

const comparableTypes = (type: FieldType): string => (type === 'text' ? 'string' : type);

function validateSubQuery(model: ModelDefinition<object>, field: string, sub: unknown, depth: number, state: WalkState, path: PropertyKey[]): void {
  if (typeof sub !== 'object' || sub === null || Array.isArray(sub)) {
    throw ValidationError.single('"inQuery" takes { model, field, where?, having? }', path);
  }
  const { model: inner, field: innerField, where, having, ...rest } = sub as Partial<SubQuery>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw ValidationError.single(`"inQuery" has no option ${JSON.stringify(extra)}`, [...path, extra]);
  if (typeof inner !== 'object' || inner === null || typeof inner.fields !== 'object' || inner.fields === null || typeof inner.table !== 'string') {
    throw ValidationError.single('"inQuery.model" must be a model definition', [...path, 'model']);
  }
  if (typeof innerField !== 'string') throw ValidationError.single('"inQuery.field" must be a field name', [...path, 'field']);
  const ref = resolveFieldRef(inner, innerField);
  if (ref.path.length > 0) throw ValidationError.single(`"inQuery.field" must be a plain field, not the JSON path ${innerField}`, [...path, 'field']);
  const outerType = model.fields[field]!.type;
  const innerType = inner.fields[innerField]!.type;
  if (comparableTypes(outerType) !== comparableTypes(innerType)) {
    throw ValidationError.single(
      `"inQuery" compares ${model.name}.${field} (${outerType}) with ${inner.name}.${innerField} (${innerType}): the types must match`,
      [...path, 'field'],
    );
  }
  if (where !== undefined) walk(inner, where, depth + 1, state);
  if (having !== undefined) {
    validateHaving(inner, having, {
      filter: (tree) => walk(inner, tree, depth + 1, state),
      count: () => count(state),
    }, [...path, 'having']);
  }
}

function checkOperand(target: FieldType | 'jsonPath', value: unknown, path: PropertyKey[]): void {
  if (value === null) return;
  if (typeof value === 'object' && !(value instanceof Date)) {
    throw ValidationError.single(`Cannot compare with ${Array.isArray(value) ? 'a list' : 'an object'}`, path);
  }
  const found = comparableProblem(target, value);
  if (found !== undefined) throw valueError(`The operand of ${path.map(String).join('.')}`, found, path);
}
