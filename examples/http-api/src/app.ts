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
  api.onError((error) => problemResponse(error));
  return api;
}

/** The whole server: the API, inbound webhooks and the web pages. */
export function createApp(host: Host): OpenAPIHono {
  const app = new OpenAPIHono();
  app.route(apiBase, createApi(host));
  // @app-mount (inbound webhooks, web pages, assets; keep this marker)
  app.get('/', (c) => c.redirect('/app'));
  app.onError((error) => problemResponse(error));
  return app;
}
