import type { TenantContext } from '../common/context.js';
import { newId } from '../common/ids.js';
import type { CrmError } from '../errors.js';
import type { TenantScope } from '../tenant-scope.js';
import { writeBatch } from './batch-writer.js';
import { ColumnPlan } from './column-plan.js';
import type { ImportIssue, ImportProgress, ImportReport, ImportSource, ParsedImportOptions } from './import.schema.js';
import { openRun, optionsHash, type RunPosition, saveRun } from './import-runs.js';
import type { ImportTarget } from './import-targets.js';
import { ReferenceResolver, idsByValue } from './reference-resolver.js';
import { type DraftContext, draftOf, type RowDraft } from './row-draft.js';
import { validateDraft, writeIssues } from './row-validation.js';
import { csvRows, MalformedSourceError, ndjsonRows, type SourceState } from './source-rows.js';

/**
 * One run of an import: reads the source row by row, gathers a batch, resolves
 * its references and keys with one query per kind, validates each row with the
 * service's schema, writes the valid ones in one transaction together with the
 * run's position, and reports every rejected row. Memory holds one batch.
 */
export class ImportSession {
  readonly #ctx: TenantContext;
  readonly #scopeOf: (ctx: TenantContext) => TenantScope;
  readonly #target: ImportTarget;
  readonly #options: ParsedImportOptions;
  readonly #plan: ColumnPlan;
  readonly #resolver: ReferenceResolver;
  readonly #importId: string;
  readonly #state: SourceState = { bytes: 0, columns: [] };
  readonly #started = performance.now();
  readonly #issues: ImportIssue[] = [];
  readonly #reportedDrops = new Set<string>();
  #truncated = false;
  /** Counts including what earlier runs of the same id committed. */
  #counts: RunPosition = { lastRow: 0, lastLine: 0, rowsRead: 0, created: 0, updated: 0, rejected: 0 };
  #readThisRun = 0;
  #runOpen = false;
  #resumedFrom: number | undefined;

  constructor(ctx: TenantContext, scopeOf: (ctx: TenantContext) => TenantScope, target: ImportTarget, options: ParsedImportOptions) {
    this.#ctx = ctx;
    this.#scopeOf = scopeOf;
    this.#target = target;
    this.#options = options;
    this.#plan = new ColumnPlan(target, options.mapping, ctx.runtime.customFields[target.entity]);
    this.#resolver = new ReferenceResolver(ctx);
    this.#importId = options.importId ?? newId();
  }

  /** Imports the whole source and reports. */
  async run(source: ImportSource): Promise<ImportReport> {
    const o = this.#options;
    const csv = o.format === 'csv';
    const draftContext: DraftContext = {
      plan: this.#plan, csv, defaults: o.mapping?.defaults, key: o.key, lineSkus: this.#target.lineSkus, country: this.#ctx.runtime.defaultCountry,
    };
    const rows = csv ? csvRows(source, o.delimiter, this.#state) : ndjsonRows(source, this.#state);
    let batch: RowDraft[] = [];
    const keys = new Set<string>();
    const flush = async () => {
      const drafts = batch;
      batch = [];
      keys.clear();
      if (drafts.length > 0) await this.#writeBatch(drafts);
    };
    let complete = true;
    try {
      for await (const row of rows) {
        await this.#openRun();
        // Rows a previous attempt of this run committed (the rows come in order, so this is a prefix).
        if (row.row <= this.#counts.lastRow) continue;
        for (const column of this.#state.duplicates?.splice(0) ?? []) {
          this.#report({ line: 1, row: 0, column, code: 'duplicate_column', message: `Column ${JSON.stringify(column)} appears more than once; its last cell is read` });
        }
        const draft = draftOf(row, draftContext);
        for (const column of this.#plan.takeUnknown()) {
          this.#report({ line: csv ? 1 : row.line, row: 0, column, code: 'unknown_column', message: `Column ${JSON.stringify(column)} names no field of ${this.#target.entity}; it is ignored` });
        }
        // Two rows with one key in a batch would both be looked up as new: the second starts the next batch.
        if (draft.key !== undefined && keys.has(draft.key)) await flush();
        batch.push(draft);
        if (draft.key !== undefined) keys.add(draft.key);
        if (batch.length >= o.batchSize) await flush();
      }
    } catch (error) {
      if (!(error instanceof MalformedSourceError)) throw error;
      complete = false;
      await flush();
      this.#report({ line: error.line, row: 0, code: error.code, message: `The file cannot be read from here on: ${error.message}`.slice(0, 500) });
    }
    await flush();
    await this.#openRun();
    if (!o.dryRun) await this.#ctx.runtime.adapter.transaction((tx) => saveRun(tx, this.#ctx, this.#importId, this.#counts, complete));
    const progress = this.#progress();
    o.onProgress?.(progress);
    return {
      ...progress, importId: this.#importId, dryRun: o.dryRun,
      ...(this.#resumedFrom !== undefined ? { resumedFrom: this.#resumedFrom } : {}),
      issues: this.#issues, issuesTruncated: this.#truncated,
    };
  }

  /** Opens (or continues) the run once the columns are known; a dry run keeps no run. */
  async #openRun(): Promise<void> {
    if (this.#runOpen || this.#options.dryRun) return;
    this.#runOpen = true;
    // NDJSON keys appear as rows do, so only a CSV header is part of what a resumed run must match.
    const columns = this.#options.format === 'csv' ? this.#state.columns : [];
    const { position, resumed } = await openRun(this.#ctx, this.#importId, this.#target.entity, optionsHash(this.#target.entity, this.#options, columns));
    this.#counts = position;
    if (resumed) this.#resumedFrom = position.lastRow;
  }

  async #writeBatch(drafts: RowDraft[]): Promise<void> {
    await this.#resolver.resolve(drafts);
    await this.#lookUp(drafts);
    for (const draft of drafts) {
      if (draft.issues.length > 0) continue;
      for (const field of validateDraft(this.#ctx, this.#target, this.#plan, draft)) {
        if (this.#reportedDrops.has(field)) continue;
        this.#reportedDrops.add(field);
        this.#report({ line: draft.line, row: 0, field, code: 'not_updatable', message: `${field} is not changed by an update of ${this.#target.entity}; it is left out of updates` });
      }
    }
    const valid = drafts.filter((d) => d.issues.length === 0);
    const last = drafts[drafts.length - 1]!;
    const next = (failed: ReadonlyMap<RowDraft, CrmError>): RunPosition => {
      const written = valid.filter((d) => !failed.has(d));
      const created = written.filter((d) => d.op?.kind === 'create').length;
      return {
        lastRow: last.row, lastLine: last.line,
        rowsRead: this.#counts.rowsRead + drafts.length,
        created: this.#counts.created + created,
        updated: this.#counts.updated + written.length - created,
        rejected: this.#counts.rejected + drafts.length - written.length,
      };
    };
    let failed: ReadonlyMap<RowDraft, CrmError> = new Map();
    if (!this.#options.dryRun) {
      // Written even when every row failed: the run's position moves past them.
      failed = await writeBatch({
        ctx: this.#ctx, scopeOf: this.#scopeOf, target: this.#target, rows: valid,
        finish: (unit, failedNow) => saveRun(unit.tx, this.#ctx, this.#importId, next(failedNow), false),
      });
    }
    this.#counts = next(failed);
    this.#readThisRun += drafts.length;
    for (const draft of drafts) {
      const error = failed.get(draft);
      for (const issue of error ? writeIssues(draft, this.#plan, error) : draft.issues) this.#report(issue);
    }
    this.#options.onProgress?.(this.#progress());
  }

  /** Decides create or update for each row: one query for the batch's keys. */
  async #lookUp(drafts: RowDraft[]): Promise<void> {
    const { mode, key } = this.#options;
    if (mode === 'create' || key === undefined) {
      for (const draft of drafts) draft.op = { kind: 'create' };
      return;
    }
    const wanted = [...new Set(drafts.filter((d) => d.issues.length === 0 && d.key !== undefined).map((d) => d.key!))];
    const found = new Map<string, string[]>();
    for (let at = 0; at < wanted.length; at += 500) {
      for (const [value, ids] of await idsByValue(this.#ctx, this.#target.model, key, wanted.slice(at, at + 500))) found.set(value, ids);
    }
    const column = this.#plan.columnOf([key]);
    for (const draft of drafts) {
      if (draft.issues.length > 0) continue;
      const ids = draft.key === undefined ? [] : (found.get(draft.key) ?? []);
      const base = { line: draft.line, row: draft.row, field: key, ...(column !== undefined ? { column } : {}) };
      if (ids.length > 1) draft.issues.push({ ...base, code: 'ambiguous_key', message: `${ids.length} records have ${key} ${JSON.stringify(draft.key)}` });
      else if (ids.length === 1) draft.op = { kind: 'update', id: ids[0]! };
      else if (mode === 'upsert') draft.op = { kind: 'create' };
      else if (draft.key === undefined) draft.issues.push({ ...base, code: 'missing_key', message: `The row has no ${key} to find its record by` });
      else draft.issues.push({ ...base, code: 'not_found', message: `No ${this.#target.entity} has ${key} ${JSON.stringify(draft.key)}` });
    }
  }

  #report(issue: ImportIssue): void {
    this.#options.onIssue?.(issue);
    if (this.#issues.length < this.#options.maxIssues) this.#issues.push(issue);
    else this.#truncated = true;
  }

  #progress(): ImportProgress {
    const elapsedMs = performance.now() - this.#started;
    const { rowsRead, created, updated, rejected } = this.#counts;
    return {
      rowsRead, written: created + updated, created, updated, rejected,
      rowsPerSecond: elapsedMs > 0 ? Math.round((this.#readThisRun / elapsedMs) * 1000) : 0,
      elapsedMs: Math.round(elapsedMs), bytesRead: this.#state.bytes,
    };
  }
}
