import { type AggregateMetric, type FieldType, type Where, metricResultType, validateMetric } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect } from './dialect.js';
import type { ModelInfo } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';

/** A compiled metric: the aggregate call and the type its value is read as. */
export interface CompiledMetric {
  readonly call: Frag;
  readonly type: FieldType;
}

/**
 * Compiles one metric of `aggregate` or of a sub-query's `having` over `info`
 * (maybe aliased), appending its shape to `b.key`. `filter` compiles the
 * metric's own filter over the same rows.
 *
 * @throws {ValidationError} for an unknown function or field, a missing field or a bad fraction.
 */
export function compileMetric(
  info: ModelInfo,
  metric: AggregateMetric,
  dialect: SqlDialect,
  filter: (where: Where | undefined) => Frag | undefined,
  b: ShapeBuilder,
  path: PropertyKey[],
): CompiledMetric {
  const fieldType = validateMetric(info.model, metric, path);
  const field = metric.field === undefined ? undefined : info.byName.get(metric.field)!;
  const fraction = metric.fn === 'percentile' ? b.bind(metric.p) : undefined;
  b.key += `m(${metric.fn} ${metric.field ?? '*'}`;
  const only = filter(metric.filter);
  b.key += ')';
  const value: Frag = () => {
    const target = field === undefined ? sql`1` : field.ref;
    return only === undefined ? target : sql`case when ${only()} then ${target} end`;
  };
  const fn = sql.raw(metric.fn);
  const call: Frag =
    fraction !== undefined
      ? () => dialect.percentile(field!.ref, fraction(), only?.())
      : metric.fn === 'count' && field === undefined && only === undefined
        ? () => sql`count(*)`
        : () => sql`${fn}(${value()})`;
  return { call, type: metricResultType(metric.fn, fieldType) };
}
