import { type OrderTerm, type Row, type SortDirection, ValidationError, storableProblem, valueError } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { type FieldInfo, type ModelInfo, plainField } from './model-info.js';
import type { Frag, ShapeBuilder } from './shape.js';
import { joinFrags } from './where-compiler.js';

/** A resolved ordering term. */
export interface ResolvedTerm {
  readonly field: FieldInfo;
  readonly direction: SortDirection;
}

/**
 * Resolves an ordering and appends `id` (in the direction of the last term)
 * so that the order is total and a keyset cursor is exact.
 *
 * @throws {ValidationError} for unknown fields or JSON paths.
 */
export function resolveOrder(info: ModelInfo, orderBy: readonly OrderTerm[] | undefined, b: ShapeBuilder): ResolvedTerm[] {
  const terms: ResolvedTerm[] = [];
  for (const term of orderBy ?? []) {
    if (term.field === 'id') continue;
    const direction = term.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') throw ValidationError.single(`Invalid sort direction ${JSON.stringify(direction)}`);
    terms.push({ field: plainField(info, term.field), direction });
  }
  const idDirection = orderBy?.[orderBy.length - 1]?.direction ?? 'asc';
  terms.push({ field: plainField(info, 'id'), direction: idDirection });
  b.key += `o(${terms.map((t) => `${t.field.name} ${t.direction}`).join(',')})`;
  return terms;
}

/** The ORDER BY list of resolved terms. */
export function orderList(terms: readonly ResolvedTerm[], dialect: SqlDialect): Frag {
  return () => sql.join(terms.map((t) => dialect.orderTerm(t.field.ref, t.direction, t.field.nullable)));
}

/**
 * Checks that `after` is a position of this ordering: a value for every term
 * and nothing else, each one a value its field can hold, NULL only for a
 * nullable field. A cursor that fails would otherwise be a SQL error, match
 * nothing, or (a NULL `id`) silently restart at the first page.
 *
 * @throws {ValidationError}
 */
function checkAfter(terms: readonly ResolvedTerm[], after: Row): void {
  if (typeof after !== 'object' || after === null || Array.isArray(after)) {
    throw ValidationError.single('"after" must be the ordering values of a row', ['after']);
  }
  for (const { field } of terms) {
    const value = after[field.name];
    if (value === undefined) throw ValidationError.single(`The cursor has no value for ${field.name}`, ['after', field.name]);
    if (value === null) {
      if (!field.nullable) throw ValidationError.single(`The cursor holds NULL for ${field.name}, which cannot be NULL`, ['after', field.name]);
      continue;
    }
    const found = storableProblem(field.type, value);
    if (found !== undefined) throw valueError(`The cursor value of ${field.name}`, found, ['after', field.name]);
  }
  for (const key in after) {
    if (after[key] !== undefined && !terms.some((t) => t.field.name === key)) {
      throw ValidationError.single(`The cursor holds ${JSON.stringify(key)}, which is not part of the ordering`, ['after', key]);
    }
  }
}

/**
 * The predicate "strictly after the cursor row" for a NULL-aware ordering in
 * which NULL sorts before every value: first in `asc`, last in `desc`. It is
 * the usual expansion `t1 > c1 OR (t1 = c1 AND t2 > c2) OR ...`, with `= NULL`
 * spelt IS NULL and "after NULL" / "after a value" adjusted per direction.
 *
 * @throws {ValidationError} for a cursor that is not a position of this ordering; see {@link checkAfter}.
 */
export function keysetAfter(terms: readonly ResolvedTerm[], after: Row, b: ShapeBuilder): Frag {
  checkAfter(terms, after);
  const values = terms.map((t) => {
    const value = after[t.field.name];
    return value === null ? null : t.field.encode === undefined ? value : t.field.encode(value);
  });
  b.key += `a(${values.map((v) => (v === null ? 'n' : 'v')).join('')})`;
  const direction = terms[0]?.direction;
  if (terms.every((t, i) => t.direction === direction && !t.field.nullable && values[i] !== null)) {
    // One direction, no NULLs: a row-value comparison, which SQLite and
    // Postgres turn into an index seek instead of walking from the first row.
    const params = values.map((value) => b.bind(value));
    const refs = sql.join(terms.map((t) => t.field.ref));
    return direction === 'asc'
      ? () => sql`(${refs}) > (${sql.join(params.map((p) => p()))})`
      : () => sql`(${refs}) < (${sql.join(params.map((p) => p()))})`;
  }
  const disjuncts: Frag[] = [];
  const equal: Frag[] = [];
  for (let i = 0; i < terms.length; i++) {
    const { field, direction: termDirection } = terms[i]!;
    const value = values[i];
    const ref = field.ref;
    let step: Frag | undefined;
    if (value === null) {
      // Nothing sorts after NULL in desc; in asc every non-null value does.
      step = termDirection === 'asc' ? () => sql`${ref} is not null` : undefined;
    } else {
      const param = b.bind(value);
      step =
        termDirection === 'asc' ? () => sql`${ref} > ${param()}`
        : field.nullable ? () => sql`(${ref} < ${param()} or ${ref} is null)`
        : () => sql`${ref} < ${param()}`;
    }
    if (step !== undefined) disjuncts.push(equal.length === 0 ? step : joinFrags([...equal, step], 'and'));
    if (value === null) {
      equal.push(() => sql`${ref} is null`);
    } else {
      const param = b.bind(value);
      equal.push(() => sql`${ref} = ${param()}`);
    }
  }
  if (disjuncts.length === 0) return () => sql`1 = 0`;
  return joinFrags(disjuncts, 'or');
}
