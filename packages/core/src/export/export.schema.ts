import { z } from 'zod';
import { listOptionsSchema } from '../common/list.js';
import { entities, type EntityName } from '../entities/registry.js';
import type { ImportMapping } from '../import/import.schema.js';
import type { Where } from '../storage/where.js';

/** What an export reads: the records of an entity of the registry, or the stored members of a segment (as contacts). */
export type ExportTarget = EntityName | { segmentId: string };

/**
 * Columns of an export: an import mapping (`ImportMapping`) read the other way,
 * each header getting the value at its field path: a field (`firstName`), a
 * part of one (`amount.minor`), a custom field (`custom.tier`) or a referenced
 * record's natural key (`company.domain`, `owner.email`, `stage.key`); `null`
 * leaves the column out and `defaults` are ignored. The same mapping imports a
 * file and exports it back.
 */
export type ExportMapping = ImportMapping;

/** Progress of an export, reported after every page. */
export interface ExportProgress {
  /** Rows written so far. */
  rows: number;
  /** Rows per second since the export started. */
  rowsPerSecond: number;
  /** Milliseconds since the export started. */
  elapsedMs: number;
}

/** Options of `t.exports.stream` and `t.exports.toWritable`. */
export interface ExportOptions {
  /**
   * `csv`: a header row, then one row per record (RFC 4180 quoting).
   * `ndjson`: one JSON object per line, keyed by the same headers, values typed.
   * @default 'csv'
   */
  format?: 'csv' | 'ndjson';
  /** Columns as an import mapping: header -> field path. @default every field of the entity, see docs/export.md */
  mapping?: ExportMapping;
  /**
   * Field paths to export, in order, each its own header. With a `mapping`,
   * keeps only the mapped columns whose path is listed.
   */
  fields?: string[];
  /** Filter on the entity's stored fields, as in `list` (`{ lifecycleStage: 'customer' }`, `custom.tier`). */
  where?: Where;
  /**
   * Records read per query (1 to 1000); memory holds one page.
   * @default 500
   */
  pageSize?: number;
  /** Called after every page. */
  onProgress?: (progress: ExportProgress) => void;
}

/** What `toWritable` wrote. */
export interface ExportResult {
  /** Data rows written (the header row not counted). */
  rows: number;
}

const entityNames = Object.keys(entities) as [EntityName, ...EntityName[]];

const pathSchema = z.string().min(1).max(200).regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'A field path is names joined by dots');

/** Schema of {@link ExportTarget}. */
export const exportTargetSchema = z.union([z.enum(entityNames), z.strictObject({ segmentId: z.string().min(1).max(64) })]);

/** Schema of {@link ExportOptions}. */
export const exportOptionsSchema = z
  .strictObject({
    format: z.enum(['csv', 'ndjson']).optional(),
    mapping: z
      .object({
        columns: z.record(z.string().min(1).max(200), pathSchema.nullable()),
        defaults: z.record(z.string(), z.unknown()).optional(),
      })
      .refine((m) => Object.values(m.columns).some((path) => path !== null), 'A mapping needs at least one column')
      .optional(),
    fields: z.array(pathSchema).min(1).max(500).optional(),
    // Validated as `list` validates it (no sub-queries); field names are checked by storage.
    where: z.unknown().optional(),
    pageSize: z.number().int().min(1).max(1000).optional(),
    onProgress: z.custom<(progress: ExportProgress) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
  })
  .superRefine((options, ctx) => {
    if (options.where === undefined) return;
    const parsed = listOptionsSchema.safeParse({ where: options.where });
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .optional()
  .default({});
