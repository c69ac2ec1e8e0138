import { z } from 'zod';

/** The entities `t.imports.run` writes: the registry names of the record entities. */
export const importEntities = ['contact', 'company', 'deal', 'order', 'product', 'asset', 'case', 'interaction', 'task'] as const;

/** One of {@link importEntities}. */
export type ImportEntity = (typeof importEntities)[number];

/**
 * What an import reads: the whole text, its bytes, or chunks of either as they
 * arrive (`fs.createReadStream(path)`, a web response body). Chunks are read
 * one at a time, so a file of any size is imported in flat memory.
 */
export type ImportSource = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/** The natural keys a column can name a referenced record by. */
export const referenceKinds = [
  'company.domain',
  'company.name',
  'owner.email',
  'assignee.email',
  'contact.email',
  'product.sku',
  'pipeline.name',
  'stage.key',
] as const;

/** One of {@link referenceKinds}. */
export type ReferenceKind = (typeof referenceKinds)[number];

/** How the columns of a file become the fields of a record. */
export interface ImportMapping {
  /**
   * Header (CSV) or top-level key (NDJSON) -> field path: `firstName`, `amount.minor`,
   * `custom.tier`, or a reference by natural key: `company.domain`, `company.name`,
   * `owner.email`, `assignee.email`, `contact.email`, `product.sku`, `pipeline.name`,
   * `stage.key`. `null` ignores the column. Columns not named here map by the default
   * rule: a header that names a field maps to it.
   */
  columns: Record<string, string | null>;
  /** Values every row starts from (a cell that is present wins), e.g. `{ pipelineId: '...' }`. */
  defaults?: Record<string, unknown>;
}

/** Counts of an import so far: what `onProgress` receives and the report carries. */
export interface ImportProgress {
  /** Data rows read (the header excluded), rejected ones included; on a resumed run, from the start of the file. */
  rowsRead: number;
  /** Rows written: `created + updated`. A dry run counts what it would write. */
  written: number;
  /** Records created. */
  created: number;
  /** Records updated (upsert or update mode). */
  updated: number;
  /** Rows not written: each has at least one issue. */
  rejected: number;
  /** Rows read per second of this run. */
  rowsPerSecond: number;
  /** Time since this run started, in ms. */
  elapsedMs: number;
  /** Bytes of the source read by this run. */
  bytesRead?: number;
}

/** One problem of an import: a rejected row's reason, or a file-level remark (`row` 0). */
export interface ImportIssue {
  /** The physical line the row starts on (1 is the first line of the file; a quoted cell may span lines). */
  line: number;
  /** The data row, 1-based (the header is not a row); 0 for a remark about the file or its columns. */
  row: number;
  /** The CSV column (or NDJSON key) at fault, when one is. */
  column?: string;
  /** The record field at fault, when one is: `email`, `custom.tier`, `companyId`. */
  field?: string;
  /**
   * A stable code: a zod issue code (`invalid_type`, `too_big`, `custom`...) or one of
   * `unknown_column`, `duplicate_column`, `not_updatable`, `unknown_reference`, `ambiguous_reference`,
   * `not_found` (update mode), `ambiguous_key`, `missing_key`, `malformed_csv`,
   * `malformed_json`, `column_count`, or an error code of the write (`DUPLICATE`, `NOT_FOUND`...).
   */
  code: string;
  /** What is wrong, for people. */
  message: string;
}

/** Options of {@link ImportsService.run}. */
export interface ImportOptions {
  /** @default 'csv' */
  format?: 'csv' | 'ndjson';
  /** @default headers that name a field map to it */
  mapping?: ImportMapping;
  /**
   * `create` writes every row as a new record (no lookup); `upsert` updates the record
   * whose `key` matches and creates the others; `update` only updates, a row with no
   * match is rejected.
   * @default 'create'
   */
  mode?: 'create' | 'upsert' | 'update';
  /**
   * The field matching rows to records in upsert and update mode: `externalId`, `email`,
   * `phone` (compared as E.164), `domain` (compared as the bare host), `sku`, `number`...
   */
  key?: string;
  /** Rows per transaction. @default 500 */
  batchSize?: number;
  /** Validate and resolve everything, write nothing. @default false */
  dryRun?: boolean;
  /** Names the run: a run with the id of an unfinished one continues after its last committed batch. @default a new id */
  importId?: string;
  /** The CSV delimiter. @default ',' */
  delimiter?: string;
  /** Called after every batch and at the end. An exception stops the import after the batch it follows. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called with every issue as it is found. */
  onIssue?: (issue: ImportIssue) => void;
  /** Issues kept in the report; the counts are always complete. @default 1000 */
  maxIssues?: number;
}

/** The outcome of {@link ImportsService.run}. */
export interface ImportReport extends ImportProgress {
  /** The run's id: pass it as `importId` to continue the run after a failure. */
  importId: string;
  /** Whether nothing was written. */
  dryRun: boolean;
  /** The last row a previous run had committed, when this run continued it. */
  resumedFrom?: number;
  /** This run's issues, at most `maxIssues`. */
  issues: ImportIssue[];
  /** Whether issues were left out of `issues` (see `maxIssues`). */
  issuesTruncated: boolean;
}

const fieldPath = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_-]{1,64}){0,3}$/, 'A field path such as firstName, amount.minor or custom.tier');

/** Options as parsed: the callbacks are checked to be functions and kept as they are. */
export const importOptionsSchema = z
  .strictObject({
    format: z.enum(['csv', 'ndjson']).optional().default('csv'),
    mapping: z
      .strictObject({
        columns: z.record(z.string().min(1).max(200), fieldPath.nullable()),
        defaults: z.record(z.string().min(1).max(64), z.unknown()).optional(),
      })
      .optional(),
    mode: z.enum(['create', 'upsert', 'update']).optional().default('create'),
    key: z.string().min(1).max(64).optional(),
    batchSize: z.number().int().min(1).max(10_000).optional().default(500),
    dryRun: z.boolean().optional().default(false),
    importId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'Import ids use letters, digits and . _ : -').optional(),
    delimiter: z.string().min(1).max(4).optional().default(','),
    onProgress: z.custom<(progress: ImportProgress) => void>((f) => typeof f === 'function', 'Expected a function').optional(),
    onIssue: z.custom<(issue: ImportIssue) => void>((f) => typeof f === 'function', 'Expected a function').optional(),
    maxIssues: z.number().int().min(0).max(1_000_000).optional().default(1000),
  })
  .refine((o) => o.mode === 'create' || o.key !== undefined, { message: 'upsert and update need a key', path: ['key'] })
  .optional()
  .default({ format: 'csv', mode: 'create', batchSize: 500, dryRun: false, delimiter: ',', maxIssues: 1000 });

/** {@link ImportOptions} after parsing, defaults filled in. */
export type ParsedImportOptions = z.output<typeof importOptionsSchema>;
