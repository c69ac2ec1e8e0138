import { dealInputSchema, dealPatchSchema } from '@crmkit/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listOptions, listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, idempotencyHeader, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { expectedVersion, notModified, writeOptions } from '../http/versions.js';
import { closeDeal, moveDeal, type MoveDealOptions } from '../sales/move-deal.js';
import {
  addContactBodySchema, dealContactParamSchema, dealContactsSchema, dealPageSchema, dealSchema, lostBodySchema, moveBodySchema, stageHistorySchema,
} from './deals.schemas.js';

const tags = ['Deals'];
const gated = 'The host\'s stage gates apply: a deal lacking a field the stage requires is a 422 whose issues have the code `missing_for_stage`, and stays where it is. '
  + 'A stale If-Match is a 409 `VERSION_CONFLICT` with `currentVersion`.';
const movedDeal = recordResponse(dealSchema, 'The deal in its new stage (unchanged when it already was there)');

const list = createRoute({
  method: 'get', path: '/deals', tags, summary: 'List deals',
  description: 'Money filters use `amountMinor` and `currency`.',
  request: { query: listQuerySchema },
  responses: { 200: jsonResponse(dealPageSchema, 'A page of deals'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/deals', tags, summary: 'Create a deal',
  description: 'In `stage` (key or id; default the pipeline\'s first open stage); the stage is recorded as the first of its history.',
  request: { headers: idempotencyHeader, body: jsonBody(dealInputSchema) },
  responses: { 201: recordResponse(dealSchema, 'The deal created (or made by an earlier create with this Idempotency-Key)'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/deals/{id}', tags, summary: 'Read a deal',
  request: { params: idParamSchema },
  responses: { 200: recordResponse(dealSchema, 'The deal'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/deals/{id}', tags, summary: 'Change a deal',
  description: 'Not its stage, status or contacts (see `/move`, `/won`, `/lost`, `/contacts`). A new amount or probability recomputes the weighted amount.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(dealPatchSchema) },
  responses: { 200: recordResponse(dealSchema, 'The deal as changed'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/deals/{id}', tags, summary: 'Delete a deal',
  description: 'Its contact links go with it; its stage history is kept for reports.',
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
const move = createRoute({
  method: 'post', path: '/deals/{id}/move', tags, summary: 'Move a deal to a stage of its pipeline',
  description: `Takes the stage's probability and opens or closes the deal by the stage's category; the change is recorded with who made it. ${gated}`,
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(moveBodySchema) },
  responses: { 200: movedDeal, ...errorResponses },
});
const won = createRoute({
  method: 'post', path: '/deals/{id}/won', tags, summary: 'Mark a deal won',
  description: `Moves it to its pipeline's won stage; a pipeline without one is a 409 \`INVALID_STATE\`. ${gated}`,
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 200: movedDeal, ...errorResponses },
});
const lost = createRoute({
  method: 'post', path: '/deals/{id}/lost', tags, summary: 'Mark a deal lost, with a reason',
  description: `Moves it to its pipeline's lost stage; a pipeline without one is a 409 \`INVALID_STATE\`. ${gated}`,
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(lostBodySchema) },
  responses: { 200: movedDeal, ...errorResponses },
});
const history = createRoute({
  method: 'get', path: '/deals/{id}/stage-history', tags, summary: "A deal's stage changes, oldest first",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(stageHistorySchema, 'Every stage the deal entered, with who moved it and how long it sat in the stage it left'), ...errorResponses },
});
const contacts = createRoute({
  method: 'get', path: '/deals/{id}/contacts', tags, summary: "A deal's contacts with their roles",
  request: { params: idParamSchema },
  responses: { 200: jsonResponse(dealContactsSchema, 'The contacts, oldest link first'), ...errorResponses },
});
const addContact = createRoute({
  method: 'post', path: '/deals/{id}/contacts', tags, summary: 'Link a contact to a deal',
  description: 'Linking a linked contact with another role changes its role; with the same role it changes nothing.',
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(addContactBodySchema) },
  responses: { 200: recordResponse(dealSchema, 'The deal with the contact linked'), ...errorResponses },
});
const removeContact = createRoute({
  method: 'delete', path: '/deals/{id}/contacts/{contactId}', tags, summary: 'Unlink a contact from a deal',
  description: 'A contact that is not linked changes nothing.',
  request: { params: dealContactParamSchema, headers: ifMatchHeader },
  responses: { 200: recordResponse(dealSchema, 'The deal without the contact'), ...errorResponses },
});
const ofContact = createRoute({
  method: 'get', path: '/contacts/{id}/deals', tags, summary: 'The deals a contact takes part in',
  request: { params: idParamSchema, query: listQuerySchema },
  responses: { 200: jsonResponse(dealPageSchema, 'A page of the contact\'s deals'), ...errorResponses },
});

/** {@link MoveDealOptions} of a request: its If-Match and the reason given. */
function moveOptions(version: number | undefined, reason: string | undefined): MoveDealOptions {
  return { ...(version === undefined ? {} : { expectedVersion: version }), ...(reason === undefined ? {} : { reason }) };
}

/** `/deals`, their stage moves and contacts, and a contact's deals: crmkit's `t.deals` through the host's stage gates. */
export function dealRoutes(api: OpenAPIHono<ApiEnv>, _host: Host): void {
  api.openapi(list, async (c) => reply(c, sendPage(c, await c.var.t.deals.list(listOptions(c.req.valid('query'))))));
  api.openapi(create, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const deal = await c.var.t.deals.create(c.req.valid('json'), key === undefined ? {} : { idempotencyKey: key });
    return replyRecord(c, deal, 201);
  });
  api.openapi(get, async (c) => {
    const deal = await c.var.t.deals.get(c.req.valid('param').id);
    return notModified(c, deal) ? (c.body(null, 304) as never) : replyRecord(c, deal);
  });
  api.openapi(update, async (c) => replyRecord(c, await c.var.t.deals.update(c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(remove, async (c) => {
    await c.var.t.deals.delete(c.req.valid('param').id, writeOptions(c));
    return c.body(null, 204) as never;
  });
  api.openapi(move, async (c) => {
    const { stage, reason } = c.req.valid('json');
    return replyRecord(c, await moveDeal(c.var.t, c.req.valid('param').id, stage, moveOptions(expectedVersion(c), reason)));
  });
  api.openapi(won, async (c) => replyRecord(c, await closeDeal(c.var.t, c.req.valid('param').id, 'won', moveOptions(expectedVersion(c), undefined))));
  api.openapi(lost, async (c) => {
    const options = moveOptions(expectedVersion(c), c.req.valid('json').reason);
    return replyRecord(c, await closeDeal(c.var.t, c.req.valid('param').id, 'lost', options));
  });
  api.openapi(history, async (c) => reply(c, { items: await c.var.t.deals.stageHistory(c.req.valid('param').id) }));
  api.openapi(contacts, async (c) => reply(c, { items: await c.var.t.deals.contacts(c.req.valid('param').id) }));
  api.openapi(addContact, async (c) => {
    const { contactId, role } = c.req.valid('json');
    const deal = await c.var.t.deals.addContact(c.req.valid('param').id, contactId, { ...writeOptions(c), ...(role === undefined ? {} : { role }) });
    return replyRecord(c, deal);
  });
  api.openapi(removeContact, async (c) => {
    const { id, contactId } = c.req.valid('param');
    return replyRecord(c, await c.var.t.deals.removeContact(id, contactId, writeOptions(c)));
  });
  api.openapi(ofContact, async (c) => reply(c, sendPage(c, await c.var.t.deals.ofContact(c.req.valid('param').id, listOptions(c.req.valid('query'))))));
}
