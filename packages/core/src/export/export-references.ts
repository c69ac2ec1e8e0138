import type { Storage } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Column, ReferenceColumn } from './export-columns.js';

/** The natural keys of the records a page references: id field -> referenced id -> its row. */
export type ReferencedRows = Map<string, Map<string, Record<string, unknown>>>;

interface Reference {
  model: ModelDefinition;
  fields: Set<string>;
}

/** The references of a set of columns, grouped by the id field they follow (one query each per page). */
export function referencesOf(columns: readonly Column[]): Map<string, Reference> {
  const references = new Map<string, Reference>();
  for (const column of columns) {
    if (column.kind !== 'reference') continue;
    const reference = references.get(column.idField) ?? { model: column.model, fields: new Set<string>() };
    reference.fields.add(column.field);
    references.set(column.idField, reference);
  }
  return references;
}

/**
 * Reads the referenced records of one page: for each id field, one query for
 * the distinct ids the page holds, selecting only the key fields the columns
 * export. In the same tenant, so a record can never export another tenant's keys.
 */
export async function readReferences(
  storage: Storage,
  tenantId: string,
  references: ReadonlyMap<string, Reference>,
  records: readonly Record<string, unknown>[],
): Promise<ReferencedRows> {
  const found: ReferencedRows = new Map();
  for (const [idField, reference] of references) {
    const ids = [...new Set(records.map((record) => record[idField]).filter((id): id is string => typeof id === 'string'))];
    const byId = new Map<string, Record<string, unknown>>();
    found.set(idField, byId);
    if (ids.length === 0) continue;
    const rows = await storage.findMany({
      model: reference.model, tenantId, where: { id: { in: ids } }, select: [...reference.fields],
    });
    for (const row of rows) byId.set(String(row.id), row);
  }
  return found;
}

/** The value of a reference column for one record: the key of the record it references, or null. */
export function referencedValue(column: ReferenceColumn, record: Record<string, unknown>, rows: ReferencedRows): unknown {
  const id = record[column.idField];
  if (typeof id !== 'string') return null;
  return rows.get(column.idField)?.get(id)?.[column.field] ?? null;
}
