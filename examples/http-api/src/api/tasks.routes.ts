import { taskPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { taskCreateSchema, taskPageSchema, taskSchema } from './tasks.schemas.js';

const tags = ['Tasks'];
const inboxQuerySchema = listQuerySchema.pick({ limit: true, cursor: true });
const inboxResponse = jsonResponse(taskPageSchema, 'Open and in-progress tasks: most urgent first, then earliest due (undated last), then oldest');

const list = createRoute({
  method: 'get', path: '/tasks', tags, summary: 'List tasks',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(taskPageSchema, 'A page of tasks'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/tasks', tags, summary: 'Create a task',
  request: { headers: idempotencyHeader, body: jsonBody(taskCreateSchema) },
  responses: { 201: recordResponse(taskSchema, 'The open task created (or made by an earlier create with this Idempotency-Key)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/tasks/{id}', tags, summary: 'Read a task',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(taskSchema, 'The task'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/tasks/{id}', tags, summary: 'Change a task',
  description: '`status` may be `open`, `in_progress` or `cancelled` (use `/complete` to finish it); a completed task is refused (409 `INVALID_STATE`) until reopened. '
    + 'A new `assigneeId` needs the `assign` action, like a new `ownerId`.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(taskPatchSchema) },
  responses: { 200: recordResponse(taskSchema, 'The task as changed'), ...errorResponses },
});
const complete = createRoute({
  method: 'post', path: '/tasks/{id}/complete', tags, summary: 'Complete a task',
  description: 'Marks it `done` and stamps `completedAt`; its pending reminder is not sent. A done or cancelled task is a 409 `INVALID_STATE`.',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 200: recordResponse(taskSchema, 'The task, done'), ...errorResponses },
});
const reopen = createRoute({
  method: 'post', path: '/tasks/{id}/reopen', tags, summary: 'Reopen a task',
  description: 'Opens a done or cancelled task again; its reminder comes back if `remindAt` is still ahead.',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 200: recordResponse(taskSchema, 'The task, open'), ...errorResponses },
});
const myInbox = createRoute({
  method: 'get', path: '/me/inbox', tags, summary: "The signed-in member's inbox",
  request: { query: inboxQuerySchema },
  responses: { 200: inboxResponse, ...errorResponses },
});
const memberInbox = createRoute({
  method: 'get', path: '/members/{id}/inbox', tags, summary: "A member's inbox",
  description: 'The tasks assigned to the member that the signed-in member may see. An unknown member is a 404.',
  request: { params: idParamSchema, query: inboxQuerySchema },
  responses: { 200: inboxResponse, ...errorResponses },
});

/** `/tasks` and the inboxes: crmkit's `t.tasks`. */
export function taskRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.tasks.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const task = await c.var.t.tasks.create(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, task, 201);
  });
  api.openapi(get, async (c) => {
    const task = await c.var.t.tasks.get(c.req.valid('param').id);
    return notModified(c, task) ? (c.body(null, 304) as never) : replyRecord(c, task);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.tasks.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(complete, async (c) => replyRecord(c, await c.var.t.tasks.complete(c.req.valid('param').id, writeOptions(c))));
  api.openapi(reopen, async (c) => replyRecord(c, await c.var.t.tasks.reopen(c.req.valid('param').id, writeOptions(c))));
  api.openapi(myInbox, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await c.var.t.tasks.inbox(c.var.signedIn.member.id, { limit, ...(cursor === undefined ? {} : { cursor }) });
    return reply(c, sendPage(c, page));
  });
  api.openapi(memberInbox, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    // crmkit's inbox of an unknown id is just empty; reading the member first makes a mistyped id a 404.
    const member = await c.var.t.members.get(c.req.valid('param').id);
    const page = await c.var.t.tasks.inbox(member.id, { limit, ...(cursor === undefined ? {} : { cursor }) });
    return reply(c, sendPage(c, page));
  });
}
