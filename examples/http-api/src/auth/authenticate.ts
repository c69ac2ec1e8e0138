import type { MiddlewareHandler } from 'hono';
import type { Host } from '../host/host.js';
import type { ApiEnv } from '../http/env.js';
import { HttpProblem } from '../http/problem.js';

/**
 * Signs an API request in: `Authorization: Bearer <tenant>/<secret>` names an
 * API key, which maps to one member of one tenant. Every crmkit call of the
 * request then goes through `crm.tenant(tenantId, { actorId })`: access
 * control scopes it to that member, and audit entries and events name them.
 */
export function authenticate(host: Host): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (token === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <key>');
    const signedIn = await host.credentials.verify(token, 'api-key');
    c.set('signedIn', signedIn);
    c.set('t', host.crm.tenant(signedIn.tenantId, { actorId: signedIn.member.id }));
    await next();
  };
}
