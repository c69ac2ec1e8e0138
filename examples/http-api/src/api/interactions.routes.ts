import { interactionInputSchema, interactionPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { interactionPageSchema, interactionSchema } from './interactions.schemas.js';

const tags = ['Interactions'];

const list = createRoute({
  method: 'get', path: '/interactions', tags, summary: 'List interactions',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(interactionPageSchema, 'A page of interactions'), ...errorResponses },
});
const log = createRoute({
  method: 'post', path: '/interactions', tags, summary: 'Log a call, email, meeting, message, visit or note',
  description: '`direction` defaults to `internal` for notes, else `outbound`; `occurredAt` to now; `companyId` to the deal\'s company.',
  request: { headers: idempotencyHeader, body: jsonBody(interactionInputSchema) },
  responses: { 201: recordResponse(interactionSchema, 'The interaction logged (or by an earlier log with this Idempotency-Key)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/interactions/{id}', tags, summary: 'Read an interaction',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(interactionSchema, 'The interaction'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/interactions/{id}', tags, summary: 'Correct an interaction',
  description: 'What was said and how it went; participants and linked records stay as logged (log a new interaction to change them).',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(interactionPatchSchema) },
  responses: { 200: recordResponse(interactionSchema, 'The interaction as corrected'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/interactions/{id}', tags, summary: 'Delete an interaction',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 204: { description: 'Deleted, with its participant links' }, ...errorResponses },
});

/** `/interactions`: crmkit's `t.interactions`. */
export function interactionRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.interactions.list(listOptions(c.req.valid('query'))))));
  api.openapi(log, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const interaction = await c.var.t.interactions.log(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, interaction, 201);
  });
  api.openapi(get, async (c) => {
    const interaction = await c.var.t.interactions.get(c.req.valid('param').id);
    return notModified(c, interaction) ? (c.body(null, 304) as never) : replyRecord(c, interaction);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.interactions.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(remove, async (c) => {
    await c.var.t.interactions.delete(c.req.valid('param').id, writeOptions(c));
    return c.body(null, 204) as never;
  });
}
