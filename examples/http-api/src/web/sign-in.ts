import { Hono } from 'hono';
import { html } from 'hono/html';
import { getCookie } from 'hono/cookie';
import type { Host } from '../host/host.js';
import { HttpProblem } from '../http/problem.js';
import { renderPage } from './layout.js';
import { clearSessionCookie, readSession, sessionCookie, sessionTtlMs, setSessionCookie } from './session.js';

function signInPage(key: string, error?: string) {
  return renderPage({
    title: 'Sign in',
    body: html`<section class="sign-in">
<h1>Sign in</h1>
<p>Paste the API key you were given (<code>tenant/secret</code>). It signs you in as its member for 12 hours.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/app/sign-in">
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="off" required value="${key}" data-testid="sign-in-key">
  <button type="submit" data-testid="sign-in-submit">Sign in</button>
</form>
</section>`,
  });
}

/** A label for the session in `host_credential`, so a list of sessions says which browser each is. */
function sessionLabel(userAgent: string | undefined): string {
  return `web session${userAgent ? `: ${userAgent.slice(0, 120)}` : ''}`;
}

/**
 * Signing in and out. Signing in trades an API key for a session: a random
 * token of kind `session` (12 hours) whose SHA-256 is kept in
 * `host_credential`, in an HttpOnly cookie. The API key itself never goes
 * into the cookie, so signing out (revoking the session) leaves it valid.
 */
export function signInRoutes(host: Host): Hono {
  const routes = new Hono();
  routes.get('/sign-in', async (c) => {
    if ((await readSession(host, c)) !== undefined) return c.redirect('/app/board');
    return c.html(signInPage(c.req.query('key') ?? ''));
  });
  routes.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    try {
      const signedIn = await host.credentials.verify(key, 'api-key');
      const session = await host.credentials.issue(signedIn.tenantId, signedIn.member.id, {
        kind: 'session', label: sessionLabel(c.req.header('user-agent')), ttlMs: sessionTtlMs,
      });
      setSessionCookie(c, session.token);
      return c.redirect('/app/board', 303);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      // The key is not echoed back: the page may be cached or shared in a screenshot.
      return c.html(signInPage('', error.message), error.status === 401 ? 401 : 403);
    }
  });
  routes.post('/sign-out', async (c) => {
    const signedIn = await readSession(host, c);
    if (signedIn !== undefined) await host.credentials.revoke(signedIn.tenantId, signedIn.credentialId);
    if (getCookie(c, sessionCookie) !== undefined) clearSessionCookie(c);
    return c.redirect('/app/sign-in', 303);
  });
  return routes;
}
