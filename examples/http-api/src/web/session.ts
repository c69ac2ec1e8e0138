import type { TenantScope } from '@crmkit/core';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SignedIn } from '../auth/credentials.js';
import type { Host } from '../host/host.js';

/**
 * What every signed-in page request carries in Hono's context, like the
 * API's `ApiEnv`: who signed in, and their tenant scope, so every crmkit call
 * of a page runs as that member under access control.
 */
export interface WebEnv {
  Variables: {
    signedIn: SignedIn;
    /** `crm.tenant(tenantId, { actorId })` for the signed-in member. */
    t: TenantScope;
  };
}

/** The cookie that holds the session token (`<tenant>/<secret>`; only its hash is stored, in `host_credential`). */
export const sessionCookie = 'crmkit_session';

/** How long a session lasts after signing in: a working day. */
export const sessionTtlMs = 12 * 60 * 60 * 1000;

/** Where a request without a (live) session is sent. */
export const signInPath = '/app/sign-in';

/**
 * Sets the session cookie: HttpOnly so page scripts cannot read it,
 * SameSite=Lax so other sites cannot post forms with it (the web app's
 * writes are all POSTs).
 */
export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, sessionCookie, token, {
    httpOnly: true, sameSite: 'Lax', path: '/app', maxAge: Math.floor(sessionTtlMs / 1000),
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

/** Removes the session cookie (signing out, or a cookie whose session is gone). */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookie, { path: '/app' });
}

/**
 * The signed-in member of a request, or undefined: the cookie is missing, or
 * its session is unknown, expired or revoked, or its member inactive.
 */
export async function readSession(host: Host, c: Context): Promise<SignedIn | undefined> {
  const token = getCookie(c, sessionCookie);
  if (token === undefined) return undefined;
  return host.credentials.verify(token, 'session').catch(() => undefined);
}

/**
 * Signs a page request in by its session cookie and sets `signedIn` and `t`.
 * Without a live session a page request is redirected to the sign-in page
 * (htmx requests get `HX-Redirect`, since htmx would otherwise swap the
 * sign-in page into a fragment).
 */
export function requireSession(host: Host): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const signedIn = await readSession(host, c);
    if (signedIn === undefined) {
      if (getCookie(c, sessionCookie) !== undefined) clearSessionCookie(c);
      if (c.req.header('hx-request') === 'true') {
        c.header('HX-Redirect', signInPath);
        return c.body(null, 401);
      }
      return c.redirect(signInPath);
    }
    c.set('signedIn', signedIn);
    c.set('t', host.crm.tenant(signedIn.tenantId, { actorId: signedIn.member.id }));
    await next();
    return undefined;
  };
}
