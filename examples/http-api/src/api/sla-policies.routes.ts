import { slaPolicyInputSchema, slaPolicyPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { slaPolicyPageSchema, slaPolicySchema } from './sla-policies.schemas.js';

const tags = ['SLA policies'];

const list = createRoute({
  method: 'get', path: '/sla-policies', tags, summary: 'List SLA policies',
  description: '`orderBy=position:asc` lists them in matching order.',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(slaPolicyPageSchema, 'A page of SLA policies'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/sla-policies', tags, summary: 'Add an SLA policy',
  description: 'Added after the existing ones. Targets are per case priority, in minutes (working minutes of `calendar` with `businessHours`).',
  request: { body: jsonBody(slaPolicyInputSchema) },
  responses: { 201: recordResponse(slaPolicySchema, 'The policy'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/sla-policies/{id}', tags, summary: 'Read an SLA policy',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(slaPolicySchema, 'The policy'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/sla-policies/{id}', tags, summary: 'Change an SLA policy',
  description: 'Only cases opened afterwards see the change: a case keeps the copy it took when it opened.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(slaPolicyPatchSchema) },
  responses: { 200: recordResponse(slaPolicySchema, 'The policy as changed'), ...errorResponses },
});

/** `/sla-policies`: crmkit's `t.slaPolicies`. */
export function slaPolicyRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.slaPolicies.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => replyRecord(c, await c.var.t.slaPolicies.create(c.req.valid('json')), 201));
  api.openapi(get, async (c) => {
    const policy = await c.var.t.slaPolicies.get(c.req.valid('param').id);
    return notModified(c, policy) ? (c.body(null, 304) as never) : replyRecord(c, policy);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.slaPolicies.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
}
