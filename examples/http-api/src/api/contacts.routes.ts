import { contactInputSchema, contactPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { contactPageSchema, contactSchema, timelinePageSchema } from './contact.schemas.js';

const tags = ['Contacts'];

const list = createRoute({
  method: 'get', path: '/contacts', tags, summary: 'List contacts',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(contactPageSchema, 'A page of contacts'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/contacts', tags, summary: 'Create a contact',
  request: { headers: idempotencyHeader, body: jsonBody(contactInputSchema) },
  responses: { 201: recordResponse(contactSchema, 'The contact created (or made by an earlier create with this Idempotency-Key)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/contacts/{id}', tags, summary: 'Read a contact',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(contactSchema, 'The contact'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/contacts/{id}', tags, summary: 'Change a contact',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(contactPatchSchema) },
  responses: { 200: recordResponse(contactSchema, 'The contact as changed'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/contacts/{id}', tags, summary: 'Delete a contact',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
const timeline = createRoute({
  method: 'get', path: '/contacts/{id}/timeline', tags, summary: "A contact's timeline, newest first",
  request: { params: idParamSchema, query: listQuerySchema.pick({ limit: true, cursor: true }) },
  responses: { 200: jsonResponse(timelinePageSchema, 'Interactions, stage changes of its deals and tasks about it'), ...errorResponses },
});

/** `/contacts`: crmkit's `t.contacts` and the contact timeline. */
export function contactRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.contacts.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const contact = await c.var.t.contacts.create(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, contact, 201);
  });
  api.openapi(get, async (c) => {
    const contact = await c.var.t.contacts.get(c.req.valid('param').id);
    return notModified(c, contact) ? (c.body(null, 304) as never) : replyRecord(c, contact);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.contacts.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(remove, async (c) => {
    await c.var.t.contacts.delete(c.req.valid('param').id, writeOptions(c));
    return c.body(null, 204) as never;
  });
  api.openapi(timeline, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await c.var.t.timeline.forContact(c.req.valid('param').id, { limit, ...(cursor === undefined ? {} : { cursor }) });
    return reply(c, sendPage(c, page));
  });
}
