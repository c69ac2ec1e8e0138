import { ValidationError } from '@crmkit/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { contactRoutes } from './api/contacts.routes.js';
import { authenticate } from './auth/authenticate.js';
import type { Host } from './host/host.js';
import type { ApiEnv } from './http/env.js';
import { toJson } from './http/json.js';
import { toProblem } from './http/problem.js';
// @routes-imports (one import line per route module; keep this marker)
import { assetRoutes } from './web/assets.js';
import { webApp } from './web/web-app.js';
import { exportRoutes } from './api/exports.routes.js';
import { importRoutes } from './api/imports.routes.js';
import { reportRoutes } from './api/reports.routes.js';
import { segmentRoutes } from './api/segments.routes.js';
import { webhookRoutes } from './api/webhooks.routes.js';
import { inboundRoutes } from './inbound/inbound.routes.js';
import { companyRoutes } from './api/companies.routes.js';
import { dealRoutes } from './api/deals.routes.js';
import { interactionRoutes } from './api/interactions.routes.js';
import { pipelineRoutes } from './api/pipelines.routes.js';
import { caseRoutes } from './api/cases.routes.js';
import { slaPolicyRoutes } from './api/sla-policies.routes.js';
import { taskRoutes } from './api/tasks.routes.js';

/** Where the API lives; the OpenAPI document names it as its server. */
export const apiBase = '/api/v1';

/** The OpenAPI document's `info`. */
const info = {
  title: 'crmkit example HTTP API',
  version: '1.0.0',
  description: 'A CRM API per tenant on crmkit: every request runs as the member its API key belongs to, under access control. '
    + 'Errors are RFC 9457 problem documents; lists page by keyset (`nextCursor`); writes take `If-Match` with the ETag a read gave.',
};

function problemResponse(error: unknown): Response {
  const body = toProblem(error);
  if (body.status === 500) console.error(error);
  return new Response(toJson(body), { status: body.status, headers: { 'content-type': 'application/problem+json' } });
}

/**
 * The API: crmkit's services per tenant under {@link apiBase}, with the
 * request and response schemas of crmkit's zod schemas, so that
 * `/api/v1/openapi.json` (OpenAPI 3.1) is generated from the same schemas
 * that validate the requests.
 */
export function createApi(host: Host): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({
    // A request that fails its schema is a 422 with the zod issues, as crmkit's own ValidationError.
    defaultHook: (result) => {
      if (!result.success) return problemResponse(ValidationError.fromZod(result.error as unknown as ZodError, `request ${result.target}`));
      return undefined;
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http', scheme: 'bearer', description: 'An API key, `<tenant>/<secret>`, issued for one member of one tenant',
  });
  api.doc31('/openapi.json', { openapi: '3.1.0', info, servers: [{ url: apiBase }], security: [{ apiKey: [] }] });
  api.use('*', async (c, next) => (c.req.path.endsWith('/openapi.json') ? next() : authenticate(host)(c, next)));
  contactRoutes(api, host);
  // @routes-mount (one call per route module; keep this marker)
  reportRoutes(api, host);
  segmentRoutes(api, host);
  importRoutes(api, host);
  exportRoutes(api, host);
  webhookRoutes(api, host);
  companyRoutes(api, host);
  pipelineRoutes(api, host);
  dealRoutes(api, host);
  interactionRoutes(api, host);
  taskRoutes(api, host);
  caseRoutes(api, host);
  slaPolicyRoutes(api, host);
  api.onError((error) => problemResponse(error));
  return api;
}

/** The whole server: the API, inbound webhooks and the web pages. */
export function createApp(host: Host): OpenAPIHono {
  const app = new OpenAPIHono();
  app.route(apiBase, createApi(host));
  // @app-mount (inbound webhooks, web pages, assets; keep this marker)
  app.route('/app', webApp(host));
  app.route('/assets', assetRoutes());
  app.route('/hooks/inbound', inboundRoutes(host));
  app.get('/', (c) => c.redirect('/app'));
  app.onError((error) => problemResponse(error));
  return app;
}
