import { type SegmentInput, segmentInputSchema, type SegmentPatch, segmentPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified } from '../http/versions.js';
import { contactPageSchema } from './contact.schemas.js';
import {
  contactIdsBodySchema, membershipChangeSchema, segmentCountQuery, segmentPageSchema, segmentRefreshSchema, segmentSchema,
} from './segments.schemas.js';

const tags = ['Segments'];

const list = createRoute({
  method: 'get', path: '/segments', tags, summary: 'List segments',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(segmentPageSchema, 'A page of segments'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/segments', tags, summary: 'Create a segment: dynamic with a rule, static without',
  // The input side of crmkit's schema: its transform (the default `kind`) runs in crmkit.
  request: { body: jsonBody(segmentInputSchema.in) },
  responses: { 201: recordResponse(segmentSchema, 'The segment; a dynamic one is empty until refreshed'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/segments/{id}', tags, summary: 'Read a segment',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(segmentSchema, 'The segment'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/segments/{id}', tags, summary: 'Change a segment (name, description, rule, schedule)',
  request: { params: idParamSchema, body: jsonBody(segmentPatchSchema) },
  responses: { 200: recordResponse(segmentSchema, 'The segment as changed'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/segments/{id}', tags, summary: 'Delete a segment and its stored membership',
  request: { params: idParamSchema },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
const refresh = createRoute({
  method: 'post', path: '/segments/{id}/refresh', tags, summary: "Evaluate a dynamic segment's rule and store its members",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(segmentRefreshSchema, 'Contacts that entered and left'), ...errorResponses },
});
const members = createRoute({
  method: 'get', path: '/segments/{id}/members', tags, summary: 'A page of the stored members, as contacts',
  request: { params: idParamSchema, query: listQuerySchema },
  responses: { 200: jsonResponse(contactPageSchema, 'Members as of the last refresh (dynamic) or as listed (static)'), ...errorResponses },
});
const count = createRoute({
  method: 'get', path: '/segments/{id}/count', tags, summary: 'How many members a segment has',
  request: { params: idParamSchema, query: segmentCountQuery },
  responses: { 200: jsonResponse(z.object({ count: z.number().int() }).openapi('SegmentCount'), 'The count'), ...errorResponses },
});
const addMembers = createRoute({
  method: 'post', path: '/segments/{id}/members', tags, summary: 'Add contacts to a static segment',
  request: { params: idParamSchema, body: jsonBody(contactIdsBodySchema) },
  responses: { 200: jsonResponse(membershipChangeSchema, 'How many were added'), ...errorResponses },
});
const removeMembers = createRoute({
  method: 'post', path: '/segments/{id}/members/remove', tags, summary: 'Remove contacts from a static segment',
  request: { params: idParamSchema, body: jsonBody(contactIdsBodySchema) },
  responses: { 200: jsonResponse(membershipChangeSchema, 'How many were removed'), ...errorResponses },
});

/**
 * `/segments`: crmkit's `t.segments`. A dynamic segment's members are those
 * its last refresh stored (`POST /segments/{id}/refresh`); a static one's are
 * added and removed by id. Changing the membership of a static segment, or a
 * refresh, emits `segment.entered` / `segment.left` for workflows and webhooks.
 */
export function segmentRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.segments.list(listOptions(c.req.valid('query'))))));
  // The rule is typed `unknown` by the schema; crmkit checks it against the contact model (422 with its issues).
  api.openapi(create, async (c) => replyRecord(c, await c.var.t.segments.create(c.req.valid('json') as SegmentInput), 201));
  api.openapi(get, async (c) => {
    const segment = await c.var.t.segments.get(c.req.valid('param').id);
    return notModified(c, segment) ? (c.body(null, 304) as never) : replyRecord(c, segment);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.segments.update(c.req.valid('param').id, c.req.valid('json') as SegmentPatch)));
  api.openapi(remove, async (c) => {
    await c.var.t.segments.delete(c.req.valid('param').id);
    return c.body(null, 204) as never;
  });
  api.openapi(refresh, async (c) => reply(c, await c.var.t.segments.refresh(c.req.valid('param').id)));
  api.openapi(members, async (c) => reply(c, sendPage(c, await c.var.t.segments.members(c.req.valid('param').id, listOptions(c.req.valid('query'))))));
  api.openapi(count, async (c) => {
    const live = c.req.valid('query').live === 'true';
    return reply(c, { count: await c.var.t.segments.count(c.req.valid('param').id, live ? { live } : {}) });
  });
  api.openapi(addMembers, async (c) => reply(c, await c.var.t.segments.addMembers(c.req.valid('param').id, c.req.valid('json').contactIds)));
  api.openapi(removeMembers, async (c) => reply(c, await c.var.t.segments.removeMembers(c.req.valid('param').id, c.req.valid('json').contactIds)));
}
