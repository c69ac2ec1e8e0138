import { stringify } from 'csv-stringify/sync';
import { jsonSafe } from '../events/json-safe.js';
import type { Column } from './export-columns.js';
import { type ReferencedRows, referencedValue } from './export-references.js';

/** The value of a column for one record, typed as the record holds it. */
export function columnValue(column: Column, record: Record<string, unknown>, rows: ReferencedRows): unknown {
  if (column.kind === 'reference') return referencedValue(column, record, rows);
  let value: unknown = record;
  for (const key of column.path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

/**
 * A value as CSV cell text: empty for null, `true` / `false`, numbers and
 * bigints in full (money in minor units, never rounded), timestamps and dates
 * as stored (ISO 8601), arrays and objects as JSON.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(jsonSafe(value));
}

/** Rows of cells as CSV text (RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled). */
export function csvText(rows: readonly string[][]): string {
  return rows.length === 0 ? '' : stringify(rows as string[][], { eof: true, record_delimiter: '\n' });
}

/** One record as an NDJSON line keyed by the headers: bigints beyond 2^53 as decimal strings, JSON cannot hold them. */
export function ndjsonLine(columns: readonly Column[], record: Record<string, unknown>, rows: ReferencedRows): string {
  const object: Record<string, unknown> = {};
  for (const column of columns) object[column.header] = columnValue(column, record, rows);
  return `${JSON.stringify(jsonSafe(object))}\n`;
}
