import {
  type FieldFilter,
  type Having,
  havingComparisons,
  isHavingCondition,
  type ModelDefinition,
  type Scalar,
  type SubQuery,
  type Where,
  isFieldFilter,
  resolveFieldRef,
  toTimestamp,
  validateWhere,
  ValidationError,
} from '@crmkit/core';
import { sql } from 'kysely';
import type { JsonKind, JsonScalarKind, ListElementType, SqlDialect, SqlFragment } from './dialect.js';
import { type FieldInfo, type ModelInfo, ModelRegistry, aliasedInfo, plainField } from './model-info.js';
import { compileMetric } from './metric.js';
import type { Frag, ShapeBuilder } from './shape.js';

const alwaysTrue: Frag = () => sql`1 = 1`;
const alwaysFalse: Frag = () => sql`1 = 0`;
const comparisons = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** What a where leaf compares: a plain column, or a JSON path typed by the compared value. */
interface Target {
  readonly field: FieldInfo;
  readonly path: readonly string[];
}

/**
 * The tenant a where-tree's sub-queries are scoped to: the bound tenant id of
 * the statement, or (for statements across tenants: `claimDue` without a
 * tenant, migration steps) the tenant column of the row being tested.
 */
export type TenantScope = Frag | undefined;

/** Where a tree is compiled: its model (maybe aliased), its tenant and its sub-query nesting. */
interface Level {
  readonly info: ModelInfo;
  readonly tenant: Frag;
  readonly depth: number;
}

/** Compiles where-trees into fragments; one instance per storage. */
export class WhereCompiler {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly models: ModelRegistry = new ModelRegistry(dialect),
  ) {}

  /**
   * Validates `where` against the model and compiles it, appending its shape to
   * `b.key` and its values to `b.values`. Returns `undefined` for an empty tree.
   * `tenant` is the bound tenant id of the statement, which scopes every
   * sub-query (`inQuery`); without it they are correlated on the row's tenant.
   *
   * @throws {ValidationError}
   */
  compile(info: ModelInfo, where: Where | undefined, b: ShapeBuilder, tenant?: TenantScope): Frag | undefined {
    if (where === undefined) return undefined;
    validateWhere(info.model, where);
    b.key += 'w(';
    // Resolved only without a bound tenant: group rows (aggregate group stages) have no tenant column.
    const own = tenant ?? (() => plainField(info, 'tenantId').ref);
    const frag = this.#tree({ info, tenant: own, depth: 0 }, where, b);
    b.key += ')';
    return frag;
  }

  #tree(level: Level, where: Where, b: ShapeBuilder): Frag | undefined {
    const { info } = level;
    const parts: Frag[] = [];
    for (const key in where) {
      // Own keys only, as validateWhere reads them: an inherited key was never validated.
      if (!Object.hasOwn(where, key)) continue;
      const value = where[key];
      if (value === undefined) continue;
      if (key === 'and' || key === 'or') {
        b.key += `${key}[`;
        const children = (value as Where[]).map((child) => this.#tree(level, child, b) ?? alwaysTrue);
        b.key += ']';
        if (children.length === 0) parts.push(key === 'and' ? alwaysTrue : alwaysFalse);
        else parts.push(joinFrags(children, key));
      } else if (key === 'not') {
        b.key += 'not[';
        const child = this.#tree(level, value as Where, b) ?? alwaysTrue;
        b.key += ']';
        // IS NOT TRUE keeps NOT two-valued: a NULL inside counts as "does not hold".
        parts.push(() => sql`(${child()}) is not true`);
      } else {
        const ref = resolveFieldRef(info.model, key);
        const target: Target = { field: info.byName.get(ref.field)!, path: ref.path };
        b.key += `${key}{`;
        const filter: FieldFilter = isFieldFilter(value) ? value : { eq: value as Scalar };
        for (const op in filter) {
          if (!Object.hasOwn(filter, op)) continue;
          const operand = filter[op as keyof FieldFilter];
          if (operand === undefined) continue;
          b.key += `${op}:`;
          parts.push(
            op === 'inQuery'
              ? this.#inQuery(level, target, operand as SubQuery, b)
              : this.#leaf(info.model, target, op as keyof FieldFilter, operand, b),
          );
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
        const any = json ? this.#jsonIn(t, list, b) : this.#in(t, list, b);
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
      default:
        throw ValidationError.single(`Unknown operator ${JSON.stringify(op)}`);
    }
  }

  /**
   * `field in (select inner from model as __qN where __qN.tenant = ? and ...)`.
   * The inner table gets an alias per nesting depth, so that a sub-query over
   * the outer query's own table refers to its own rows, never the outer row.
   * A NULL among the inner values makes a non-matching `in` NULL instead of
   * false, which no compiled tree can tell apart: a WHERE drops both, and `not`
   * is `is not true`. So no `is not null` is added, which would also steer
   * SQLite's planner onto an index range over the inner field.
   */
  #inQuery(level: Level, t: Target, sub: SubQuery, b: ShapeBuilder): Frag {
    const depth = level.depth + 1;
    const inner = aliasedInfo(this.models.get(sub.model), `__q${depth}`);
    const field = plainField(inner, sub.field);
    b.key += `${inner.serial}.${field.name}(`;
    const tenantRef = plainField(inner, 'tenantId').ref;
    const tenant = level.tenant;
    const innerLevel: Level = { info: inner, tenant, depth };
    const filter = sub.where === undefined ? undefined : this.#tree(innerLevel, sub.where, b);
    const having = sub.having === undefined ? undefined : this.#having(innerLevel, sub.having, b, ['having']);
    b.key += ')';
    const outer = t.field.ref;
    return () =>
      sql`${outer} in (select ${field.ref} from ${inner.from} where ${tenantRef} = ${tenant()}${
        filter === undefined ? sql`` : sql` and ${filter()}`
      }${having === undefined ? sql`` : sql` group by ${field.ref} having ${having()}`})`;
  }

  /** A sub-query's `having` tree over its (aliased) model; `not` two-valued as in where-trees. */
  #having(level: Level, having: Having, b: ShapeBuilder, path: PropertyKey[]): Frag {
    if (!isHavingCondition(having)) {
      if ('not' in having) {
        b.key += 'hnot[';
        const child = this.#having(level, having.not, b, [...path, 'not']);
        b.key += ']';
        return () => sql`(${child()}) is not true`;
      }
      const op = 'and' in having ? 'and' : 'or';
      const list = 'and' in having ? having.and : (having as { or: readonly Having[] }).or;
      b.key += `h${op}[`;
      const children = list.map((child, i) => this.#having(level, child, b, [...path, op, i]));
      b.key += ']';
      if (children.length === 0) return op === 'and' ? alwaysTrue : alwaysFalse;
      return joinFrags(children, op);
    }
    const metric = compileMetric(level.info, having, this.dialect, (w) => (w === undefined ? undefined : this.#tree(level, w, b)), b, path);
    const encode = this.dialect.encoder(metric.type);
    const parts: Frag[] = [];
    for (const op of havingComparisons) {
      const operand = having[op];
      if (operand === undefined) continue;
      b.key += `${op}:`;
      if (operand === null) {
        b.key += 'n;';
        if (op === 'eq' || op === 'ne') parts.push(op === 'eq' ? () => sql`${metric.call()} is null` : () => sql`${metric.call()} is not null`);
        else parts.push(alwaysFalse);
        continue;
      }
      let value: unknown = operand instanceof Date ? toTimestamp(operand) : operand;
      if (operand instanceof Date && metric.type === 'date') value = (value as string).slice(0, 10);
      const param = b.bind(encode === undefined ? value : encode(value));
      if (op === 'ne') parts.push(() => sql`(${metric.call()} = ${param()}) is not true`);
      else parts.push(() => sql`${metric.call()} ${sql.raw(op === 'eq' ? '=' : comparisons[op])} ${param()}`);
    }
    return parts.length === 1 ? parts[0]! : joinFrags(parts, 'and');
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

  /** Whether lists bind as one parameter: the dialect can, and values are not printed as literals. */
  #listsBound(b: ShapeBuilder): boolean {
    return !b.inline && this.dialect.inList !== undefined && this.dialect.listParam !== undefined;
  }

  #in(t: Target, list: readonly Scalar[], b: ShapeBuilder): Frag {
    const values = list.filter((v) => v !== null);
    const withNull = values.length !== list.length;
    const ref = t.field.ref;
    let inList: Frag;
    if (values.length === 0) {
      b.key += withNull ? 'en;' : 'e;';
      return withNull ? () => sql`${ref} is null` : alwaysFalse;
    }
    const encoded = values.map((v) => this.#encode(t.field, v));
    if (encoded.length === 1) {
      // The common list of one (a deal's one product, one reference) as a plain comparison: an index seek
      // without building and walking a bound list.
      b.key += withNull ? '1n;' : '1;';
      const param = b.bind(encoded[0]);
      inList = () => sql`${ref} = ${param()}`;
    } else if (this.#listsBound(b)) {
      // One parameter whatever the length: one statement shape, no parameter limit.
      b.key += withNull ? 'N;' : 'V;';
      const type = t.field.type;
      const param = b.bind(this.dialect.listParam!(encoded, type));
      inList = () => this.dialect.inList!(ref, param(), type);
    } else {
      b.key += `${values.length}${withNull ? 'n' : 'v'};`;
      const params = encoded.map((v) => b.bind(v));
      inList = () => sql`${ref} in (${sql.join(params.map((p) => p()))})`;
    }
    return withNull ? () => sql`(${ref} is null or ${inList()})` : inList;
  }

  /**
   * `in` on a JSON path: values are typed like `eq` (a number matches only JSON
   * numbers), so the list splits by kind, one bound list per kind present.
   */
  #jsonIn(t: Target, list: readonly Scalar[], b: ShapeBuilder): Frag {
    if (!this.#listsBound(b)) {
      b.key += `${list.length};`;
      return list.length === 0 ? alwaysFalse : joinFrags(list.map((v) => this.#eq(t, v, b)), 'or');
    }
    const byKind: Record<JsonScalarKind, unknown[]> = { string: [], number: [], boolean: [] };
    let withNull = false;
    for (const value of list) {
      if (value === null) withNull = true;
      else if (value instanceof Date) byKind.string.push(toTimestamp(value));
      else byKind[kindOf(value)].push(typeof value === 'boolean' ? this.#bool(value) : value);
    }
    const parts: Frag[] = [];
    b.key += withNull ? 'n' : '';
    if (withNull) {
      const expr = this.#expr(t, 'any');
      parts.push(() => sql`${expr()} is null`);
    }
    for (const kind of ['string', 'number', 'boolean'] as const) {
      const values = byKind[kind];
      if (values.length === 0) continue;
      b.key += kind[0];
      const type: ListElementType = `json:${kind}`;
      const param = b.bind(this.dialect.listParam!(values, type));
      const expr = this.#expr(t, kind);
      parts.push(() => this.dialect.inList!(expr(), param(), type));
    }
    b.key += ';';
    if (parts.length === 0) return alwaysFalse;
    return parts.length === 1 ? parts[0]! : joinFrags(parts, 'or');
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
    // A Date becomes crmkit's text form here, so that a dialect's encoder and list binding only ever see strings.
    if (value instanceof Date) value = field.type === 'date' ? toTimestamp(value).slice(0, 10) : toTimestamp(value);
    return field.encode === undefined ? value : field.encode(value);
  }

  #bool(value: boolean): unknown {
    const encode = this.dialect.encoder('boolean');
    return encode === undefined ? value : encode(value);
  }
}

function kindOf(value: Scalar): JsonScalarKind {
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/**
 * Terms joined flat by one AND / OR. SQLite parses `a or b or c` into a chain
 * as deep as it is long and refuses expressions deeper than 1,000, so longer
 * lists are grouped into a balanced tree of groups of this size: 5,000 terms
 * nest 4 groups deep.
 */
const flatTerms = 16;

/** Joins fragments with AND / OR, parenthesised so that precedence never leaks, and balanced (see {@link flatTerms}). */
export function joinFrags(parts: readonly Frag[], op: 'and' | 'or'): Frag {
  const glue = op === 'and' ? sql` and ` : sql` or `;
  if (parts.length <= flatTerms) return () => sql`(${sql.join(parts.map((p) => p() as SqlFragment), glue)})`;
  const size = Math.ceil(parts.length / flatTerms);
  const groups: Frag[] = [];
  for (let i = 0; i < parts.length; i += size) groups.push(joinFrags(parts.slice(i, i + size), op));
  return joinFrags(groups, op);
}
