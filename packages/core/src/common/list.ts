import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { OrderTerm, Row } from '../storage/adapter.js';
import { decodeCursor, encodeCursor } from '../storage/cursor.js';
import type { Where } from '../storage/where.js';

/** Ordering as callers write it: `{ createdAt: 'desc' }` or a list of such objects for several keys. */
export type OrderByInput = Record<string, 'asc' | 'desc'> | Record<string, 'asc' | 'desc'>[];

/** Options of every `list` method. */
export interface ListOptions {
  /** Filter over the entity's stored fields and JSON paths (`custom.tier`); see {@link Where}. */
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

/** Schema of {@link ListOptions}; field names are checked against the model by the adapter. */
export const listOptionsSchema = z
  .strictObject({
    // The tree itself is validated against the model by the adapter (validateWhere).
    where: z.custom<Where>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'where must be an object').optional(),
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

/** The keyset values of a row for the given ordering (its fields plus id). */
export function cursorValues(row: Row, orderBy: readonly OrderTerm[]): Row {
  const values: Row = {};
  for (const term of orderBy) values[term.field] = row[term.field] ?? null;
  values.id = row.id;
  return values;
}

/** Decodes a caller's cursor and checks it matches the ordering it is used with. */
export function readCursor(cursor: string | undefined, orderBy: readonly OrderTerm[]): Row | undefined {
  if (cursor === undefined) return undefined;
  const values = decodeCursor(cursor);
  const expected = [...orderBy.map((t) => t.field), 'id'];
  const keys = Object.keys(values);
  if (keys.length !== expected.length || !expected.every((k) => keys.includes(k))) {
    throw ValidationError.single('The cursor was made for a different ordering', ['cursor']);
  }
  return values;
}

/** Builds a page from `limit + 1` rows fetched. */
export function toPage<R extends object, T>(rows: R[], limit: number, orderBy: readonly OrderTerm[], map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: pageRows.map(map) };
  const last = pageRows[pageRows.length - 1];
  if (hasMore && last) page.nextCursor = encodeCursor(cursorValues(last as Row, orderBy));
  return page;
}
