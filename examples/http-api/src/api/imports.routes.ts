import type { ImportMapping, ImportOptions } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { HttpProblem, problemSchema } from '../http/problem.js';
import { reply } from '../http/reply.js';
import { errorResponses, jsonResponse } from '../http/routes.js';
import { importBody, importEntityParamSchema, importMediaTypes, importQuerySchema, importReportSchema } from './imports.schemas.js';
import { jsonParam } from './exports.schemas.js';

const run = createRoute({
  method: 'post', path: '/imports/{entity}', tags: ['Imports'], summary: 'Import a CSV or NDJSON file into an entity',
  description: 'The body is streamed into `t.imports.run` as it arrives and written in batches, each one transaction, under the member\'s grants: '
    + 'a row they may not write is reported with code `FORBIDDEN`. Every row is either written or reported.',
  request: { params: importEntityParamSchema, query: importQuerySchema, body: importBody },
  responses: {
    200: jsonResponse(importReportSchema, 'What was written, and an issue per rejected row'),
    415: { description: 'A body that is neither text/csv nor application/x-ndjson', content: { 'application/problem+json': { schema: problemSchema } } },
    ...errorResponses,
  },
});

/**
 * The request body as crmkit's import reads it: chunks as they arrive, so a
 * file of any size is imported in the memory of one batch.
 */
async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** `POST /imports/{entity}`: crmkit's `t.imports.run`, answered with its `ImportReport`. */
export function importRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(run, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const format = importMediaTypes[type as keyof typeof importMediaTypes];
    if (format === undefined) throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv or application/x-ndjson');
    const { mode, key, dryRun, importId, mapping, batchSize, maxIssues } = c.req.valid('query');
    const options: ImportOptions = { format };
    if (mode !== undefined) options.mode = mode;
    if (key !== undefined) options.key = key;
    if (dryRun === 'true') options.dryRun = true;
    if (importId !== undefined) options.importId = importId;
    if (mapping !== undefined) options.mapping = jsonParam<ImportMapping>(mapping, 'mapping');
    if (batchSize !== undefined) options.batchSize = batchSize;
    if (maxIssues !== undefined) options.maxIssues = maxIssues;
    return reply(c, await c.var.t.imports.run(c.req.valid('param').entity, chunksOf(c.req.raw.body), options));
  });
}
