import type { ListOptions, Page, TenantScope } from '@crmkit/core';

/** A service whose records carry an `externalId`: contacts, orders, contracts, deals. */
export interface ExternalRecords {
  list(options?: ListOptions): Promise<Page<{ id: string; externalId: string | null }>>;
}

/** What {@link importBatches} did. */
export interface BatchResult {
  /** Record id per external id, of every row: created now or found from an earlier run. */
  ids: Map<string, string>;
  /** Rows created by this run. */
  created: number;
  /** Rows found already imported (a re-run of the same import). */
  existing: number;
}

/** Options of {@link importBatches}. */
export interface BatchImport<T> {
  rows: readonly T[];
  /** Where records of the rows live, to find those an earlier run imported. */
  records: ExternalRecords;
  /** The row's id in the dataset, stored as the record's `externalId`. */
  externalId: (row: T) => string;
  /** Creates the records of `rows` inside the batch's transaction; returns their ids in order. */
  create: (t: TenantScope, rows: T[]) => Promise<string[]>;
  /**
   * Rows per transaction: one commit per batch instead of one per write (the
   * commit is most of a write's cost on SQLite).
   * @default 500
   */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Imports rows in batches, each in one transaction, idempotently: rows whose
 * external id a record already has (an earlier run into the same database)
 * are skipped, so a re-run creates nothing and returns the same ids. A failing
 * batch rolls back whole and the error ends the import: the datasets are
 * clean where it matters, so a failure means a bug, not a bad row.
 * @throws {RangeError} for a batch size outside 1 to 1000
 * @throws {Error} whatever `create` throws, after rolling its batch back
 * @example
 * const { ids } = await importBatches(t, { rows, records: t.contacts, externalId: (r) => r.id, create: (tt, rs) => ... });
 */
export async function importBatches<T>(t: TenantScope, job: BatchImport<T>): Promise<BatchResult> {
  const size = job.batchSize ?? 500;
  // One list page (at most 1000) must hold a whole batch's earlier records.
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new RangeError(`batchSize must be 1 to 1000, got ${size}`);
  const ids = new Map<string, string>();
  let created = 0;
  for (let start = 0; start < job.rows.length; start += size) {
    const batch = job.rows.slice(start, start + size);
    const keys = batch.map(job.externalId);
    const page = await job.records.list({ where: { externalId: { in: keys } }, limit: 1000 });
    for (const record of page.items) if (record.externalId !== null) ids.set(record.externalId, record.id);
    const missing = batch.filter((_, i) => !ids.has(keys[i]!));
    if (missing.length > 0) {
      const made = await t.transaction((tt) => job.create(tt, missing));
      missing.forEach((row, i) => ids.set(job.externalId(row), made[i]!));
      created += missing.length;
    }
    job.onProgress?.(Math.min(start + size, job.rows.length), job.rows.length);
  }
  return { ids, created, existing: job.rows.length - created };
}
