import { type AggregateArgs, type FieldDefinition, type ModelDefinition, type Row, ValidationError } from '@crmkit/core';
import { sql } from 'kysely';
import { type AggregatePlan, type Output, aggregateRows, aggregateSelect, planAggregate } from './aggregate.js';
import type { SqlDialect, SqlFragment } from './dialect.js';
import { buildModelInfo } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';
import type { WhereCompiler } from './where-compiler.js';

const groupAlias = '__g';

/** A compiled group stage: the whole statement over the first-level groups, and the decoding of its rows. */
export interface GroupStage {
  readonly statement: (from: Frag, filter: Frag | undefined) => SqlFragment;
  readonly rows: (raw: readonly Row[]) => Row[];
}

/**
 * Compiles `groupValues`, `groupWhere` and `regroup` over a first-level plan
 * (compiled without `orderBy` / `limit`): the groups as a sub-query with their
 * window values, read as a model whose fields are the group columns.
 *
 * @throws {ValidationError} for unknown names, bad tiles or order terms, JSON path keys.
 */
export function planGroupStage(
  first: AggregatePlan,
  args: AggregateArgs<object>,
  dialect: SqlDialect,
  where: WhereCompiler,
  b: ShapeBuilder,
  tenant: Frag,
): GroupStage {
  const columns = [...first.keys, ...first.metrics];
  const byName = new Map(columns.map((o) => [o.name, o]));
  const values: Output[] = Object.entries(args.groupValues ?? {}).map(([name, value], i) => {
    const path = ['groupValues', name];
    if (byName.has(name) || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
      throw ValidationError.single(`Invalid group value name ${JSON.stringify(name)}: an identifier that is no group key nor metric`, path);
    }
    if (value?.fn !== 'quantile' && value?.fn !== 'rowNumber') throw ValidationError.single('A group value is "quantile" or "rowNumber"', [...path, 'fn']);
    const tiles = value.tiles;
    if (value.fn === 'quantile' ? !(Number.isInteger(tiles) && tiles! >= 1 && tiles! <= 1000) : tiles !== undefined) {
      throw ValidationError.single('"tiles" is an integer from 1 to 1,000, only for "quantile"', [...path, 'tiles']);
    }
    if (!Array.isArray(value.orderBy) || value.orderBy.length === 0 || value.orderBy.length > 8) {
      throw ValidationError.single('"orderBy" takes 1 to 8 terms', [...path, 'orderBy']);
    }
    const terms = value.orderBy.map((term, j) => {
      const column = byName.get(term?.key);
      if (column === undefined) throw ValidationError.single(`Cannot order by ${JSON.stringify(term?.key)}: not a group key or metric`, [...path, 'orderBy', j]);
      const direction = term.direction ?? 'asc';
      if (direction !== 'asc' && direction !== 'desc') throw ValidationError.single('"direction" is asc or desc', [...path, 'orderBy', j]);
      return { column, direction };
    });
    b.key += `gv(${value.fn} ${tiles ?? ''} ${terms.map((t) => `${t.column.alias} ${t.direction}`).join(',')})`;
    // Ties go to the group keys ascending, so that scores are a function of the data, not of the plan.
    const order: Frag = () =>
      sql.join([
        ...terms.map((t) => dialect.orderTerm(t.column.raw(), t.direction)),
        ...first.keys.map((k) => dialect.orderTerm(k.raw(), 'asc')),
      ]);
    const raw: Frag =
      value.fn === 'rowNumber'
        ? () => sql`row_number() over (order by ${order()})`
        : () => sql`(${sql.lit(tiles)} * (row_number() over (order by ${order()}) - 1)) / count(*) over () + 1`;
    return { alias: `__v${i}`, name, select: raw, raw, type: 'integer', decode: dialect.decoder('integer') };
  });

  // The group rows get their own column names (__s<i>): a regroup's output aliases (__k0...) must
  // not name a column of its FROM, or SQLite's GROUP BY would read the column instead.
  const stageColumns = [...columns, ...values].map((o, i) => ({ ...o, alias: `__s${i}` }));
  const fields: Record<string, FieldDefinition> = {};
  for (const o of stageColumns) {
    if (o.type === undefined) throw ValidationError.single(`Group stages cannot read the JSON path key ${JSON.stringify(o.name)}`, ['groupBy']);
    fields[o.name] = { type: o.type, nullable: true, column: o.alias };
  }
  const model = { name: `${args.model.name} groups`, table: groupAlias, fields, indexes: [] } as unknown as ModelDefinition<object>;
  const info = buildModelInfo(model, dialect);
  b.key += 'gw';
  const filter = where.compile(info, args.groupWhere, b, tenant);
  const inner: (from: Frag, rowFilter: Frag | undefined) => SqlFragment = (from, rowFilter) => {
    const list = sql.join(stageColumns.map((o) => sql`${o.raw()} as ${sql.id(o.alias)}`));
    const groupBy = first.keys.length === 0 ? sql`` : sql` group by ${sql.join(first.keys.map((_, i) => sql.ref(`__s${i}`)))}`;
    return sql`(select ${list} from ${from()}${rowFilter === undefined ? sql`` : sql` where ${rowFilter()}`}${groupBy}) as ${sql.id(groupAlias)}`;
  };
  const limit = args.limit === undefined ? undefined : b.bind(args.limit);
  b.key += limit === undefined ? '' : 'l';
  const tail = (plan: AggregatePlan | undefined, orderBy: Frag | undefined) => {
    const groupBy = plan === undefined || plan.keys.length === 0 ? sql`` : sql` group by ${sql.join(plan.keys.map((k) => sql.ref(k.alias)))}`;
    return sql`${filter === undefined ? sql`` : sql` where ${filter()}`}${groupBy}${orderBy === undefined ? sql`` : sql` order by ${orderBy()}`}${limit === undefined ? sql`` : sql` limit ${limit()}`}`;
  };

  if (args.regroup !== undefined) {
    const { groupBy, metrics } = args.regroup;
    b.key += 'rg';
    const second = planAggregate(info, { model, tenantId: args.tenantId, groupBy: groupBy ?? [], metrics, orderBy: args.orderBy }, dialect, where, b, tenant);
    return {
      statement: (from, rowFilter) => sql`select ${aggregateSelect(second)} from ${inner(from, rowFilter)}${tail(second, second.orderBy)}`,
      rows: (raw) => aggregateRows(second, raw),
    };
  }
  const outputs = stageColumns;
  const order = (args.orderBy ?? []).map((term) => {
    const field = info.byName.get(term.key);
    if (field === undefined) throw ValidationError.single(`Cannot order by ${JSON.stringify(term.key)}: not a group key, metric or group value`, ['orderBy']);
    b.key += `o(${field.column} ${term.direction ?? 'asc'})`;
    return { field, direction: term.direction ?? 'asc' };
  });
  const orderBy: Frag | undefined = order.length === 0 ? undefined : () => sql.join(order.map((t) => dialect.orderTerm(t.field.ref, t.direction)));
  const final: AggregatePlan = {
    keys: [],
    metrics: outputs.map((o) => {
      const ref = info.byName.get(o.name)!.ref;
      return { ...o, select: () => dialect.selectColumn(ref, o.type!), raw: () => ref, decode: dialect.decoder(o.type!) };
    }),
    orderBy,
  };
  return {
    statement: (from, rowFilter) => sql`select ${aggregateSelect(final)} from ${inner(from, rowFilter)}${tail(undefined, orderBy)}`,
    rows: (raw) => aggregateRows(final, raw),
  };
}
