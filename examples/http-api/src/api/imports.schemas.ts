import { importEntities } from '@crmkit/core';
import { z } from '@hono/zod-openapi';

/** The entity an import writes, as a path parameter. */
export const importEntityParamSchema = z.object({
  entity: z.enum(importEntities).openapi({ param: { name: 'entity', in: 'path' }, example: 'contact' }),
});

/** Options of `t.imports.run` as query parameters; the format comes from the body's Content-Type. */
export const importQuerySchema = z.object({
  mode: z.enum(['create', 'upsert', 'update']).optional()
    .openapi({ description: '`create` (default) writes every row; `upsert` updates the record whose `key` matches, creates the others; `update` only updates' }),
  key: z.string().min(1).max(64).optional()
    .openapi({ description: 'The field matching rows to records in upsert / update mode: `email`, `externalId`, `domain`, `sku`...', example: 'email' }),
  dryRun: z.enum(['true', 'false']).optional().openapi({ description: '`true`: validate and resolve every row, write nothing' }),
  importId: z.string().min(1).max(64).optional()
    .openapi({ description: 'Names the run: the id of a run that stopped continues after its last committed batch' }),
  mapping: z.string().max(20_000).optional().openapi({
    description: 'Columns as JSON, `{"columns":{"E-mail":"email","Notes":null}}`; without it a header that names a field maps to it',
  }),
  batchSize: z.coerce.number().int().min(1).max(10_000).optional().openapi({ description: 'Rows per transaction; default 500' }),
  maxIssues: z.coerce.number().int().min(0).max(10_000).optional().openapi({ description: 'Issues kept in the report (the counts are complete); default 1000' }),
});

/** The media types an import reads, and the format crmkit reads each as. */
export const importMediaTypes = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' } as const;

/** The request body: a CSV file (header row first) or NDJSON (one JSON object per line), streamed. */
export const importBody = {
  required: true,
  description: 'The file, read as it arrives: a CSV with a header row, or NDJSON with one object per line',
  content: {
    'text/csv': { schema: z.string().openapi({ example: 'firstName,email\nAda,ada@acme.io\n' }) },
    'application/x-ndjson': { schema: z.string().openapi({ example: '{"firstName":"Ada","email":"ada@acme.io"}\n' }) },
  },
};

const issueSchema = z.object({
  line: z.number().int().openapi({ description: 'The physical line the row starts on; 1 is the header' }),
  row: z.number().int().openapi({ description: 'The data row from 1; 0 for a remark about the file or its columns' }),
  column: z.string().optional(),
  field: z.string().optional(),
  code: z.string().openapi({ description: 'A zod issue code, `unknown_column`, `unknown_reference`, `not_found`..., or the write error code (`DUPLICATE`, `FORBIDDEN`)' }),
  message: z.string(),
});

/** crmkit's `ImportReport`: counts, and every rejected row with its line, column and code. */
export const importReportSchema = z
  .object({
    importId: z.string().openapi({ description: 'Pass as `importId` to continue this run after a failure' }),
    dryRun: z.boolean(),
    rowsRead: z.number().int(),
    written: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    rejected: z.number().int(),
    rowsPerSecond: z.number(),
    elapsedMs: z.number(),
    bytesRead: z.number().int().optional(),
    resumedFrom: z.number().int().optional(),
    issues: z.array(issueSchema),
    issuesTruncated: z.boolean(),
  })
  .openapi('ImportReport');
