import { exportTargetSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { HttpProblem } from '../http/problem.js';

/** The entity an export reads (crmkit's entity registry), as a path parameter. */
export const exportEntityParamSchema = z.object({
  entity: z.enum(exportTargetSchema.options[0].options).openapi({ param: { name: 'entity', in: 'path' }, example: 'contact' }),
});

/** Options of `t.exports.stream` as query parameters. */
export const exportQuerySchema = z.object({
  format: z.enum(['csv', 'ndjson']).optional()
    .openapi({ description: '`csv` (default): a header row, then a row per record; `ndjson`: a JSON object per line, keyed by the same headers' }),
  fields: z.string().max(10_000).regex(/^[A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*$/).optional()
    .openapi({ description: 'Field paths, comma separated, each its own column: `firstName,email,company.domain,custom.tier`' }),
  mapping: z.string().max(20_000).optional()
    .openapi({ description: 'Columns as an import mapping read the other way, as JSON: `{"columns":{"E-mail":"email"}}`' }),
  where: z.string().max(20_000).optional()
    .openapi({ description: 'A where-tree on stored fields as JSON, as lists take it: `{"lifecycleStage":"customer"}`' }),
  pageSize: z.coerce.number().int().min(1).max(1000).optional()
    .openapi({ description: 'Records read per query (and per chunk of the body); default 500' }),
});

const text = (example: string) => ({ schema: z.string().openapi({ example }) });

/** The 200 response of an export: the file, streamed, as CSV or NDJSON. */
export const exportResponse = {
  description: 'The file, streamed a page of records at a time',
  headers: z.object({ 'Content-Disposition': z.string().openapi({ example: 'attachment; filename="contact.csv"' }) }),
  content: {
    'text/csv': text('firstName,email\nAda,ada@acme.io\n'),
    'application/x-ndjson': text('{"firstName":"Ada","email":"ada@acme.io"}\n'),
  },
};

/** A query parameter holding JSON (a mapping, a where-tree): a malformed one is a 400, its content crmkit validates. */
export function jsonParam<T>(value: string, name: string): T {
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new HttpProblem(400, `BAD_${name.toUpperCase()}`, `${name} must be JSON`);
  }
}
