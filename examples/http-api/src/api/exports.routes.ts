import type { ExportMapping, ExportOptions, ExportTarget, Where } from '@crmkit/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { idParamSchema } from '../http/records.js';
import { errorResponses } from '../http/routes.js';
import { exportEntityParamSchema, exportQuerySchema, exportResponse, jsonParam } from './exports.schemas.js';

const tags = ['Exports'];

const entityExport = createRoute({
  method: 'get', path: '/exports/{entity}', tags, summary: "Export an entity's records as CSV or NDJSON",
  description: "Streams crmkit's `t.exports.stream`: the records the member may export (a rep their own, a manager their teams'), "
    + 'a page per chunk. A member whose roles export none of the entity gets a 403, not an empty file.',
  request: { params: exportEntityParamSchema, query: exportQuerySchema },
  responses: { 200: exportResponse, ...errorResponses },
});
const segmentExport = createRoute({
  method: 'get', path: '/exports/segments/{id}', tags, summary: "Export a segment's stored members as contacts",
  request: { params: idParamSchema, query: exportQuerySchema },
  responses: { 200: exportResponse, ...errorResponses },
});

const mediaTypes = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' } as const;

/** crmkit's export options from the query. */
function exportOptions(query: z.infer<typeof exportQuerySchema>): ExportOptions {
  const options: ExportOptions = { format: query.format ?? 'csv' };
  if (query.fields !== undefined) options.fields = query.fields.split(',');
  if (query.mapping !== undefined) options.mapping = jsonParam<ExportMapping>(query.mapping, 'mapping');
  if (query.where !== undefined) options.where = jsonParam<Where>(query.where, 'where');
  if (query.pageSize !== undefined) options.pageSize = query.pageSize;
  return options;
}

/**
 * The export as a response body that reads the next page only when the
 * client has taken what was queued (a pull stream, one chunk ahead), so memory
 * holds a page or two whatever the size and a slow client slows the reads. The first page is read before
 * answering (for CSV, the header and the first page): those reads check the
 * member's export grant, the segment and the where-tree's fields, so a refusal
 * is still a problem document with its status, not a 200 cut short.
 */
async function streamed(c: Context<ApiEnv>, target: ExportTarget, options: ExportOptions, name: string): Promise<Response> {
  const format = options.format ?? 'csv';
  const chunks = c.var.t.exports.stream(target, options)[Symbol.asyncIterator]();
  const ahead: IteratorResult<string>[] = [await chunks.next()];
  if (format === 'csv' && ahead[0]!.done !== true) ahead.push(await chunks.next());
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = ahead.shift() ?? (await chunks.next());
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': mediaTypes[format], 'content-disposition': `attachment; filename="${name}.${format}"` },
  });
}

/** `/exports`: crmkit's `t.exports.stream` of an entity or a segment, as the signed-in member. */
export function exportRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(entityExport, async (c) => {
    const { entity } = c.req.valid('param');
    return (await streamed(c, entity, exportOptions(c.req.valid('query')), entity)) as never;
  });
  api.openapi(segmentExport, async (c) => {
    const { id } = c.req.valid('param');
    return (await streamed(c, { segmentId: id }, exportOptions(c.req.valid('query')), `segment-${id.replace(/[^A-Za-z0-9_-]/g, '')}`)) as never;
  });
}
