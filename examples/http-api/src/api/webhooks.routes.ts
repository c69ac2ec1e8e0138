import { ForbiddenError } from '@crmkit/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { listQuerySchema, sendPage } from '../http/pages.js';
import { idParamSchema } from '../http/records.js';
import { reply, replyRecord } from '../http/reply.js';
import { errorResponses, ifMatchHeader, jsonBody, jsonResponse, recordResponse } from '../http/routes.js';
import { notModified, writeOptions } from '../http/versions.js';
import { rotateSecretSchema, subscriptionInputSchema, subscriptionPatchSchema } from '../webhooks/subscription.schema.js';
import {
  createdWebhookSubscriptionSchema, webhookDeadLetterPageSchema, webhookDeliveryPageSchema, webhookDeliverySchema,
  webhookSubscriptionPageSchema, webhookSubscriptionSchema,
} from './webhooks.schemas.js';

const tags = ['Webhooks'];
const pageQuery = listQuerySchema.pick({ limit: true, cursor: true });
const forManagers = 'Admins and managers only (403 for other roles).';

const list = createRoute({
  method: 'get', path: '/webhooks', tags, summary: 'List webhook subscriptions', description: forManagers,
  request: { query: pageQuery },
  responses: { 200: jsonResponse(webhookSubscriptionPageSchema, 'A page of subscriptions, oldest first'), ...errorResponses },
});
const create = createRoute({
  method: 'post', path: '/webhooks', tags, summary: 'Subscribe a URL to events',
  description: `${forManagers} The answer carries the signing secret, shown only this once. The subscription gets the events that occur from now on.`,
  request: { body: jsonBody(subscriptionInputSchema) },
  responses: { 201: recordResponse(createdWebhookSubscriptionSchema, 'The subscription with its secret'), ...errorResponses },
});
const get = createRoute({
  method: 'get', path: '/webhooks/{id}', tags, summary: 'Read a webhook subscription', description: forManagers,
  request: { params: idParamSchema },
  responses: { 200: recordResponse(webhookSubscriptionSchema, 'The subscription'), 304: { description: 'If-None-Match names the current version' }, ...errorResponses },
});
const update = createRoute({
  method: 'patch', path: '/webhooks/{id}', tags, summary: 'Change a webhook subscription',
  description: `${forManagers} Deactivating it skips the deliveries not yet made.`,
  request: { params: idParamSchema, headers: ifMatchHeader, body: jsonBody(subscriptionPatchSchema) },
  responses: { 200: recordResponse(webhookSubscriptionSchema, 'The subscription as changed'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete', path: '/webhooks/{id}', tags, summary: 'Delete a webhook subscription',
  description: `${forManagers} Deliveries not yet made are skipped.`,
  request: { params: idParamSchema, headers: ifMatchHeader },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
const rotateSecret = createRoute({
  method: 'post', path: '/webhooks/{id}/rotate-secret', tags, summary: "Replace a subscription's signing secret",
  description: `${forManagers} The answer carries the new secret, shown only this once. For \`overlapSeconds\` (default a day) deliveries are signed with the old secret too (two \`v1,\` signatures), so receivers switch without refusing any.`,
  request: { params: idParamSchema, headers: ifMatchHeader, body: { required: false, content: { 'application/json': { schema: rotateSecretSchema } } } },
  responses: { 200: recordResponse(createdWebhookSubscriptionSchema, 'The subscription with its new secret'), ...errorResponses },
});
const deliveries = createRoute({
  method: 'get', path: '/webhooks/{id}/deliveries', tags, summary: "A subscription's deliveries", description: forManagers,
  request: { params: idParamSchema, query: pageQuery },
  responses: { 200: jsonResponse(webhookDeliveryPageSchema, 'A page of deliveries, newest first'), ...errorResponses },
});
const deadLetters = createRoute({
  method: 'get', path: '/webhook-dead-letters', tags, summary: 'Deliveries that failed on every attempt',
  description: `${forManagers} The workflow engine's dead jobs of the \`deliverWebhook\` effect.`,
  request: { query: z.object({ subscriptionId: z.string().max(64).optional().openapi({ description: 'Only those of one subscription' }) }) },
  responses: { 200: jsonResponse(webhookDeadLetterPageSchema, 'The dead letters, oldest first'), ...errorResponses },
});
const retry = createRoute({
  method: 'post', path: '/webhook-dead-letters/{id}/retry', tags, summary: 'Send a dead-lettered delivery again',
  description: `${forManagers} Puts the job back with a fresh set of attempts, due now (\`engine.retryJob\`).`,
  request: { params: idParamSchema },
  responses: { 202: jsonResponse(webhookDeliverySchema, 'The delivery, pending again'), ...errorResponses },
});

/** Webhook subscriptions are the tenant's plumbing: only its admins and managers see or change them. */
const managersOnly: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const { member } = c.var.signedIn;
  if (![member.role, ...member.roles].some((role) => role === 'admin' || role === 'manager')) throw new ForbiddenError('webhookSubscription', 'manage', null);
  await next();
};

/** `/webhooks` and `/webhook-dead-letters`: the host's webhook subscriptions, deliveries and dead letters of the member's tenant. */
export function webhookRoutes(api: OpenAPIHono<ApiEnv>, host: Host): void {
  const subscriptions = host.webhooks.subscriptions;
  const tenant = (c: { var: ApiEnv['Variables'] }) => c.var.signedIn.tenantId;
  for (const path of ['/webhooks', '/webhooks/*', '/webhook-dead-letters', '/webhook-dead-letters/*']) api.use(path, managersOnly);

  api.openapi(list, async (c) => reply(c, sendPage(c, await subscriptions.list(tenant(c), c.req.valid('query')))));
  api.openapi(create, async (c) => {
    const { subscription, secret } = await subscriptions.create(tenant(c), c.req.valid('json'));
    const created = { ...subscription, secret };
    return replyRecord(c, created, 201);
  });
  api.openapi(get, async (c) => {
    const subscription = await subscriptions.get(tenant(c), c.req.valid('param').id);
    return notModified(c, subscription) ? (c.body(null, 304) as never) : replyRecord(c, subscription);
  });
  api.openapi(update, async (c) => replyRecord(c, await subscriptions.update(tenant(c), c.req.valid('param').id, c.req.valid('json'), writeOptions(c))));
  api.openapi(remove, async (c) => {
    await subscriptions.remove(tenant(c), c.req.valid('param').id, writeOptions(c));
    return c.body(null, 204) as never;
  });
  api.openapi(rotateSecret, async (c) => {
    const { subscription, secret } = await subscriptions.rotateSecret(tenant(c), c.req.valid('param').id, c.req.valid('json') ?? {}, writeOptions(c));
    const rotated = { ...subscription, secret };
    return replyRecord(c, rotated);
  });
  api.openapi(deliveries, async (c) => reply(c, sendPage(c, await subscriptions.deliveries(tenant(c), c.req.valid('param').id, c.req.valid('query')))));
  api.openapi(deadLetters, async (c) => reply(c, { items: await host.webhooks.deadLetters(tenant(c), c.req.valid('query').subscriptionId), nextCursor: null }));
  api.openapi(retry, async (c) => reply(c, await host.webhooks.retry(tenant(c), c.req.valid('param').id), 202));
}
