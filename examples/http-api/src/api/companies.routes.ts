import { companyInputSchema, companyPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { companyPageSchema, companySchema, subsidiariesSchema } from './companies.schemas.js';

const tags = ['Companies'];

const list = createRoute({
  method: 'get', path: '/companies', tags, summary: 'List companies',
  description: 'Revenue filters use `annualRevenueMinor` / `annualRevenueCurrency`.',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(companyPageSchema, 'A page of companies'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/companies', tags, summary: 'Create a company',
  description: 'A `domain` taken by another company of the tenant is a 409 `DUPLICATE`.',
  request: { headers: idempotencyHeader, body: jsonBody(companyInputSchema) },
  responses: { 201: recordResponse(companySchema, 'The company created (or made by an earlier create with this Idempotency-Key)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/companies/{id}', tags, summary: 'Read a company',
  description: 'The id of a company merged into another reads the survivor.',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(companySchema, 'The company'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/companies/{id}', tags, summary: 'Change a company',
  description: 'A parent that would make a cycle is a 422.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(companyPatchSchema) },
  responses: { 200: recordResponse(companySchema, 'The company as changed'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/companies/{id}', tags, summary: 'Delete a company',
  description: 'Its contacts, deals and subsidiaries lose the link in the same transaction.',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
const subsidiaries = createRoute({
  method: 'get', path: '/companies/{id}/subsidiaries', tags, summary: "A company's direct subsidiaries",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(subsidiariesSchema, 'The direct subsidiaries, by name'), ...errorResponses },
});

/** `/companies`: crmkit's `t.companies`. */
export function companyRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.companies.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const company = await c.var.t.companies.create(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, company, 201);
  });
  api.openapi(get, async (c) => {
    const company = await c.var.t.companies.get(c.req.valid('param').id);
    return notModified(c, company) ? (c.body(null, 304) as never) : replyRecord(c, company);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.companies.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(remove, async (c) => {
    await c.var.t.companies.delete(c.req.valid('param').id, writeOptions(c));
    return c.body(null, 204) as never;
  });
  api.openapi(subsidiaries, async (c) => {
    // crmkit's subsidiaries of an unknown id are just none; reading the company first makes a mistyped id a 404.
    const company = await c.var.t.companies.get(c.req.valid('param').id);
    return reply(c, { items: await c.var.t.companies.subsidiaries(company.id) });
  });
}
