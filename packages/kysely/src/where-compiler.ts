import {
  type FieldFilter,
  type ModelDefinition,
  type Scalar,
  type Where,
  isFieldFilter,
  resolveFieldRef,
  toTimestamp,
  validateWhere,
  ValidationError,
} from '@crmkit/core';
import { sql } from 'kysely';
import type { JsonKind, SqlDialect, SqlFragment } from './dialect.js';
import type { FieldInfo, ModelInfo } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';

const alwaysTrue: Frag = () => sql`1 = 1`;
const alwaysFalse: Frag = () => sql`1 = 0`;
const comparisons = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** What a where leaf compares: a plain column, or a JSON path typed by the compared value. */
interface Target {
  readonly field: FieldInfo;
  readonly path: readonly string[];
}

/** Compiles where-trees into fragments; one instance per storage. */
export class WhereCompiler {
  constructor(private readonly dialect: SqlDialect) {}

  /**
   * Validates `where` against the model and compiles it, appending its shape to
   * `b.key` and its values to `b.values`. Returns `undefined` for an empty tree.
   *
   * @throws {ValidationError}
   */
  compile(info: ModelInfo, where: Where | undefined, b: ShapeBuilder): Frag | undefined {
    if (where === undefined) return undefined;
    validateWhere(info.model, where);
    b.key += 'w(';
    const frag = this.#tree(info, where, b);
    b.key += ')';
    return frag;
  }

  #tree(info: ModelInfo, where: Where, b: ShapeBuilder): Frag | undefined {
    const parts: Frag[] = [];
    for (const key in where) {
      const value = where[key];
      if (value === undefined) continue;
      if (key === 'and' || key === 'or') {
        b.key += `${key}[`;
        const children = (value as Where[]).map((child) => this.#tree(info, child, b) ?? alwaysTrue);
        b.key += ']';
        if (children.length === 0) parts.push(key === 'and' ? alwaysTrue : alwaysFalse);
        else parts.push(joinFrags(children, key));
      } else if (key === 'not') {
        b.key += 'not[';
        const child = this.#tree(info, value as Where, b) ?? alwaysTrue;
        b.key += ']';
        // IS NOT TRUE keeps NOT two-valued: a NULL inside counts as "does not hold".
        parts.push(() => sql`(${child()}) is not true`);
      } else {
        const ref = resolveFieldRef(info.model, key);
        const target: Target = { field: info.byName.get(ref.field)!, path: ref.path };
        b.key += `${key}{`;
        const filter: FieldFilter = isFieldFilter(value) ? value : { eq: value as Scalar };
        for (const op in filter) {
          const operand = filter[op as keyof FieldFilter];
          if (operand === undefined) continue;
          b.key += `${op}:`;
          parts.push(this.#leaf(info.model, target, op as keyof FieldFilter, operand, b));
        }
        b.key += '}';
      }
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : joinFrags(parts, 'and');
  }

  #leaf(model: ModelDefinition<object>, t: Target, op: keyof FieldFilter, operand: unknown, b: ShapeBuilder): Frag {
    const json = t.path.length > 0;
    switch (op) {
      case 'eq':
      case 'ne': {
        const eq = this.#eq(t, operand as Scalar, b);
        return op === 'eq' ? eq : () => sql`(${eq()}) is not true`;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        if (operand === null) {
          b.key += 'n;';
          return alwaysFalse;
        }
        const { expr, param } = this.#operand(t, operand as Exclude<Scalar, null>, b);
        const cmp = sql.raw(comparisons[op]);
        return () => sql`${expr()} ${cmp} ${param()}`;
      }
      case 'in':
      case 'notIn': {
        const list = operand as readonly Scalar[];
        b.key += `${list.length};`;
        const any = list.length === 0 ? alwaysFalse : json ? joinFrags(list.map((v) => this.#eq(t, v, b)), 'or') : this.#in(t, list, b);
        return op === 'in' ? any : () => sql`(${any()}) is not true`;
      }
      case 'contains':
      case 'startsWith': {
        const expr = this.#expr(t, 'string');
        const param = b.bind(operand);
        return op === 'contains'
          ? () => this.dialect.contains(expr(), param())
          : () => this.dialect.startsWith(expr(), param());
      }
      case 'has': {
        if (t.field.type !== 'json') throw ValidationError.single(`"has" needs a JSON field, ${model.name}.${t.field.name} is not one`);
        const kind = kindOf(operand as Scalar);
        b.key += `${kind};`;
        const param = b.bind(kind === 'boolean' ? this.#bool(operand as boolean) : operand);
        return () => this.dialect.jsonHas(t.field.ref, t.path, kind, param());
      }
      case 'isNull': {
        b.key += `${String(operand)};`;
        const expr = this.#expr(t, 'any');
        return operand === true ? () => sql`${expr()} is null` : () => sql`${expr()} is not null`;
      }
    }
  }

  /** `eq`, made two-valued: `null` means IS NULL. */
  #eq(t: Target, value: Scalar, b: ShapeBuilder): Frag {
    if (value === null) {
      b.key += 'n;';
      const expr = this.#expr(t, 'any');
      return () => sql`${expr()} is null`;
    }
    const { expr, param } = this.#operand(t, value, b);
    return () => sql`${expr()} = ${param()}`;
  }

  #in(t: Target, list: readonly Scalar[], b: ShapeBuilder): Frag {
    const values = list.filter((v) => v !== null);
    const withNull = values.length !== list.length;
    b.key += withNull ? 'n;' : 'v;';
    const params = values.map((v) => b.bind(this.#encode(t.field, v)));
    const ref = t.field.ref;
    const inList: Frag = () => sql`${ref} in (${sql.join(params.map((p) => p()))})`;
    if (!withNull) return values.length === 0 ? alwaysFalse : inList;
    if (values.length === 0) return () => sql`${ref} is null`;
    return () => sql`(${ref} is null or ${inList()})`;
  }

  /** The compared expression and the bound value; for JSON paths both typed by the value. */
  #operand(t: Target, value: Exclude<Scalar, null>, b: ShapeBuilder): { expr: Frag; param: Frag } {
    if (t.path.length === 0) return { expr: () => t.field.ref, param: b.bind(this.#encode(t.field, value)) };
    const kind = kindOf(value);
    b.key += `${kind};`;
    const bound = value instanceof Date ? toTimestamp(value) : kind === 'boolean' ? this.#bool(value as boolean) : value;
    return { expr: this.#expr(t, kind), param: b.bind(bound) };
  }

  #expr(t: Target, kind: JsonKind): Frag {
    if (t.path.length === 0) return () => t.field.ref;
    return () => this.dialect.jsonExtract(t.field.ref, t.path, kind);
  }

  #encode(field: FieldInfo, value: Exclude<Scalar, null>): unknown {
    if (field.type === 'json') return JSON.stringify(value instanceof Date ? toTimestamp(value) : value);
    if (value instanceof Date && field.type !== 'timestamp' && field.type !== 'date') return toTimestamp(value);
    return field.encode === undefined ? value : field.encode(value);
  }

  #bool(value: boolean): unknown {
    const encode = this.dialect.encoder('boolean');
    return encode === undefined ? value : encode(value);
  }
}

function kindOf(value: Scalar): Exclude<JsonKind, 'any'> {
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/** Joins fragments with AND / OR, parenthesised so that precedence never leaks. */
export function joinFrags(parts: readonly Frag[], op: 'and' | 'or'): Frag {
  const glue = op === 'and' ? sql` and ` : sql` or `;
  return () => sql`(${sql.join(parts.map((p) => p() as SqlFragment), glue)})`;
}
