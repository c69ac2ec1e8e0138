import { caseChannels, caseInputSchema, casePatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { caseHistorySchema, caseMessageResultSchema, casePageSchema, caseSchema, caseSlaViewSchema, caseStatusBodySchema } from './cases.schemas.js';
import { caseSlaView } from './cases.sla-view.js';

const tags = ['Cases'];
const assignBodySchema = z
  .strictObject({
    ownerId: z.string().min(1).max(64).nullable().optional().openapi({ description: 'The agent working the case' }),
    teamId: z.string().min(1).max(64).nullable().optional(),
  })
  .openapi('CaseAssignment');
const messageFields = {
  body: z.string().max(10_000_000),
  channel: z.enum(caseChannels).optional().openapi({ description: "Default: the case's channel" }),
  at: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When it was sent. Default: now' }),
  subject: z.string().max(500).optional(),
};
const responseBodySchema = z
  .strictObject({
    ...messageFields,
    public: z.boolean().optional().openapi({ description: '`false` stores an internal note: not a response, no SLA effect. Default: true' }),
    messageId: z.string().trim().min(1).max(500).optional().openapi({ description: "The channel's id of the sent message (an email's Message-ID), for threading replies" }),
  })
  .openapi('CaseResponse');
const customerMessageBodySchema = z.strictObject(messageFields).openapi('CaseCustomerMessage');

const list = createRoute({
  method: 'get', path: '/cases', tags, summary: 'List cases',
  description: 'A where-tree filters on case fields: `{"status":{"in":["new","open"]},"priority":"urgent"}`.',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(casePageSchema, 'A page of cases'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/cases', tags, summary: 'Open a case',
  description: 'The first matching SLA policy is copied onto it and its first response and resolution due times computed.',
  request: { headers: idempotencyHeader, body: jsonBody(caseInputSchema) },
  responses: { 201: recordResponse(caseSchema, 'The `new` case (or the one an earlier create with this Idempotency-Key made)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/cases/{id}', tags, summary: 'Read a case',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(caseSchema, 'The case'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/cases/{id}', tags, summary: 'Change a case',
  description: 'Not its status, owner or team (see `/status`, `/assign`). A new `priority` measures the running clocks against its targets from now on.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(casePatchSchema) },
  responses: { 200: recordResponse(caseSchema, 'The case as changed'), ...errorResponses },
});
const assign = createRoute({
  method: 'post', path: '/cases/{id}/assign', tags, summary: 'Assign a case to an agent and / or a team',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(assignBodySchema) },
  responses: { 200: recordResponse(caseSchema, 'The case as assigned'), ...errorResponses },
});
const setStatus = createRoute({
  method: 'post', path: '/cases/{id}/status', tags, summary: 'Move a case to a status',
  description: '`pending` pauses the SLA clocks (and `on_hold` when the policy says so); leaving it resumes them with the due times recomputed.',
  request: { params: idParamSchema, body: jsonBody(caseStatusBodySchema) },
  responses: { 200: recordResponse(caseSchema, 'The case in its new status'), ...errorResponses },
});
const reopen = createRoute({
  method: 'post', path: '/cases/{id}/reopen', tags, summary: 'Reopen a resolved or closed case',
  description: 'The resolution clock goes on from where it stopped; a case neither resolved nor closed is a 409 `INVALID_STATE`.',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(caseSchema, 'The case, open again'), ...errorResponses },
});
const respond = createRoute({
  method: 'post', path: '/cases/{id}/responses', tags, summary: "An agent's response on a case",
  description: 'An outbound interaction on the case and its contact\'s timeline. The first sets `firstResponseAt`; a `new` case becomes `open`. '
    + 'A resolved or closed case is a 409 `INVALID_STATE`.',
  request: { params: idParamSchema, body: jsonBody(responseBodySchema) },
  responses: { 201: jsonResponse(caseMessageResultSchema, 'The case after the response, the interaction, and whether it was the first'), ...errorResponses },
});
const customerMessage = createRoute({
  method: 'post', path: '/cases/{id}/customer-messages', tags, summary: "A customer's message on a case",
  description: 'An inbound interaction. After the first response it starts the next-response clock; a pending or resolved case becomes open. '
    + 'A closed case is a 409 `INVALID_STATE`.',
  request: { params: idParamSchema, body: jsonBody(customerMessageBodySchema) },
  responses: { 201: jsonResponse(caseMessageResultSchema, 'The case after the message and the interaction'), ...errorResponses },
});
const history = createRoute({
  method: 'get', path: '/cases/{id}/history', tags, summary: "A case's history, oldest first",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(caseHistorySchema, 'Status changes, responses, customer messages, assignments, SLA warnings and breaches'), ...errorResponses },
});
const sla = createRoute({
  method: 'get', path: '/cases/{id}/sla', tags, summary: "Where a case's SLA stands now",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(caseSlaViewSchema, 'Its policy, whether the clocks run, each target\'s due time, and the breaches'), ...errorResponses },
});

/** `/cases`: crmkit's `t.cases`, its history and an SLA view of a case. */
export function caseRoutes(api: OpenAPIHono<ApiEnv>, host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.cases.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const record = await c.var.t.cases.create(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, record, 201);
  });
  api.openapi(get, async (c) => {
    const record = await c.var.t.cases.get(c.req.valid('param').id);
    return notModified(c, record) ? (c.body(null, 304) as never) : replyRecord(c, record);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.cases.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(assign, async (c) => replyRecord(c, await c.var.t.cases.assign(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(setStatus, async (c) => {
    const { status, at } = c.req.valid('json');
    return replyRecord(c, await c.var.t.cases.setStatus(c.req.valid('param').id, status, at === undefined ? {} : { at }));
  });
  api.openapi(reopen, async (c) => replyRecord(c, await c.var.t.cases.reopen(c.req.valid('param').id)));
  api.openapi(respond, async (c) => reply(c, await c.var.t.cases.respond(c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(customerMessage, async (c) => reply(c, await c.var.t.cases.addCustomerMessage(c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(history, async (c) => reply(c, { items: await c.var.t.cases.history(c.req.valid('param').id) }));
  api.openapi(sla, async (c) => reply(c, caseSlaView(await c.var.t.cases.get(c.req.valid('param').id), host.clock.now().toISOString())));
}
