import type { ImportEntity, ImportMapping, ImportReport, TenantScope } from '@crmkit/core';
import { stringify } from 'csv-stringify/sync';
import type { ImportIssues } from './import-issues.js';

/**
 * Imports rows the demo has already cleaned through crmkit's general import
 * (`t.imports.run`), as a CSV with the dataset's own headers: the `mapping`
 * says which header is which field, exactly as a user maps the columns of
 * their own export. Every row the import refuses is counted as
 * `refused-by-crm` with its line and the import's code and message.
 */
export async function importRows<K extends string>(
  t: TenantScope,
  entity: ImportEntity,
  rows: readonly Record<K, string>[],
  headers: readonly K[],
  mapping: ImportMapping,
  issues: ImportIssues,
): Promise<ImportReport> {
  const csv = stringify(rows as Record<K, string>[], { header: true, columns: headers as K[] });
  return t.imports.run(entity, csv, {
    mapping,
    onIssue: (issue) => issues.rejections.add('refused-by-crm', `${entity} line ${issue.line}${issue.column ? ` (${issue.column})` : ''}: ${issue.code}: ${issue.message}`),
  });
}

/** Every record of a list endpoint, following its cursor pages. */
export async function listAll<T>(list: (options: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor?: string | null }>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 500, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}
