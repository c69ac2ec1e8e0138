import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { OrderTerm, Row } from '../storage/adapter.js';
import type { CursorCodec } from '../storage/cursor.js';
import { storageLimits } from '../storage/limits.js';
import { type FieldFilter, type Where, isFieldFilter } from '../storage/where.js';
import type { TenantContext } from './context.js';

/** Ordering as callers write it: `{ createdAt: 'desc' }` or a list of such objects for several keys. */
export type OrderByInput = Record<string, 'asc' | 'desc'> | Record<string, 'asc' | 'desc'>[];

/** Options of every `list` method. */
export interface ListOptions {
  /**
   * Filter over the entity's stored fields and JSON paths (`custom.tier`); see {@link Where}.
   * Sub-queries (`inQuery`) are refused here: they are for code that holds the models.
   */
  where?: Where;
  /**
   * Ordering; `id` is always added last so pages are stable.
   * @default { id: 'asc' } (creation order)
   */
  orderBy?: OrderByInput;
  /**
   * Page size, 1 to 1000.
   * @default 50
   */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of a list. */
export interface Page<T> {
  /** The records of this page. */
  items: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

const directionSchema = z.enum(['asc', 'desc']);
const orderObjectSchema = z.record(z.string().max(100), directionSchema);

/**
 * Whether a where-tree holds an `inQuery` anywhere (to the depth `validateWhere`
 * allows; deeper trees are refused there).
 */
function holdsSubQuery(where: unknown, depth = 0): boolean {
  if (depth > storageLimits.maxWhereDepth + 1 || typeof where !== 'object' || where === null) return false;
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and' || key === 'or') {
      if (Array.isArray(value) && value.some((child) => holdsSubQuery(child, depth + 1))) return true;
    } else if (key === 'not') {
      if (holdsSubQuery(value, depth + 1)) return true;
    } else if (isFieldFilter(value) && (value as FieldFilter).inQuery !== undefined) {
      return true;
    }
  }
  return false;
}

/** Schema of {@link ListOptions}; field names are checked against the model by the adapter. */
export const listOptionsSchema = z
  .strictObject({
    // The tree itself is validated against the model by the adapter (validateWhere).
    where: z
      .custom<Where>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'where must be an object')
      // A sub-query names its model, and a filter that comes from a request could name any
      // table with made-up columns; it would also read another entity around its service.
      // Services add their own sub-queries to the scope after parsing.
      .refine((v) => !holdsSubQuery(v), 'inQuery is not available in list filters')
      .optional(),
    orderBy: z.union([orderObjectSchema, z.array(orderObjectSchema).max(8)]).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    cursor: z.string().max(4096).optional(),
  })
  .optional()
  .default({});

/** Turns `{ a: 'asc', b: 'desc' }` or a list of them into order terms. */
export function toOrderTerms(orderBy: OrderByInput | undefined): OrderTerm[] {
  if (orderBy === undefined) return [];
  const objects = Array.isArray(orderBy) ? orderBy : [orderBy];
  const terms: OrderTerm[] = [];
  for (const object of objects) {
    for (const [field, direction] of Object.entries(object)) {
      if (field !== 'id') terms.push({ field, direction });
    }
  }
  return terms;
}

/**
 * The list a cursor belongs to: its tenant and a name for what is listed (the
 * entity, or `timeline:contact:<id>`). The ordering is added by
 * {@link readCursor} and {@link toPage}.
 */
export interface CursorScope {
  /** Signs and verifies cursors (one per `Crm`, keyed by `CrmOptions.cursorSecret`). */
  codec: CursorCodec;
  /** The tenant whose list it is. */
  tenantId: string;
  /** What is listed. */
  list: string;
}

/** The cursor scope of a list of `list` in the context's tenant. */
export function cursorScope(ctx: TenantContext, list: string): CursorScope {
  return { codec: ctx.runtime.cursors, tenantId: ctx.tenantId, list };
}

// A NUL never occurs in tenant ids or names, so the parts cannot run into each other.
function scopeKey(scope: CursorScope, orderBy: readonly OrderTerm[]): string {
  const ordering = orderBy.map((t) => `${t.field} ${t.direction ?? 'asc'}`).join(',');
  return `${scope.tenantId}\0${scope.list}\0${ordering}`;
}

/** The keyset values of a row for the given ordering (its fields plus id). */
export function cursorValues(row: Row, orderBy: readonly OrderTerm[]): Row {
  const values: Row = {};
  for (const term of orderBy) values[term.field] = row[term.field] ?? null;
  values.id = row.id;
  return values;
}

/**
 * Verifies a caller's cursor and returns its keyset values. A cursor is only
 * accepted by the list that handed it out: same tenant, same entity, same
 * ordering (a changed `where` continues from the same position). Storage then
 * checks the values against the model's field types.
 *
 * @throws {ValidationError} for any other string.
 */
export function readCursor(cursor: string | undefined, orderBy: readonly OrderTerm[], scope: CursorScope): Row | undefined {
  if (cursor === undefined) return undefined;
  const values = scope.codec.decode(scopeKey(scope, orderBy), cursor);
  if (values.length !== orderBy.length + 1) throw ValidationError.single('Invalid cursor', ['cursor']);
  const after: Row = {};
  orderBy.forEach((term, i) => {
    after[term.field] = values[i];
  });
  after.id = values[orderBy.length];
  return after;
}

/** Builds a page from `limit + 1` rows fetched; `nextCursor` is signed for `scope`. */
export function toPage<R extends object, T>(rows: R[], limit: number, orderBy: readonly OrderTerm[], map: (row: R) => T, scope: CursorScope): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: pageRows.map(map) };
  const last = pageRows[pageRows.length - 1];
  if (hasMore && last) {
    const values = cursorValues(last as Row, orderBy);
    page.nextCursor = scope.codec.encode(scopeKey(scope, orderBy), [...orderBy.map((t) => values[t.field]), values.id]);
  }
  return page;
}
