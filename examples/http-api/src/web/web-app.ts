import { CrmError, ForbiddenError, NotFoundError, ValidationError } from '@crmkit/core';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Host } from '../host/host.js';
import { HttpProblem } from '../http/problem.js';
import { boardRoutes } from './board.routes.js';
import { caseRoutes } from './cases.routes.js';
import { contactRoutes } from './contact.routes.js';
import { inboxRoutes } from './inbox.routes.js';
import { renderPage } from './layout.js';
import { reportRoutes } from './reports/index.js';
import { requireSession, type WebEnv } from './session.js';
import { signInRoutes } from './sign-in.js';

/** The status and words of an error page: crmkit's typed errors are the member's doing, anything else is ours. */
function errorPage(error: unknown): { status: 400 | 403 | 404 | 409 | 422 | 500; message: string } {
  if (error instanceof NotFoundError) return { status: 404, message: 'Not found, or not yours to see.' };
  if (error instanceof ForbiddenError) return { status: 403, message: 'You may not do that.' };
  if (error instanceof ValidationError) return { status: 422, message: error.issues[0]?.message ?? error.message };
  if (error instanceof CrmError) return { status: 409, message: error.message };
  if (error instanceof HttpProblem && error.status < 500) return { status: error.status === 401 ? 403 : 400, message: error.message };
  return { status: 500, message: 'Something went wrong on our side.' };
}

/**
 * The web app, mounted at `/app`: sign-in, the pipeline board, contact
 * pages, the inbox, the case queue and the reports page. Server-rendered
 * with hono's `html` template (every value escaped) and htmx; every page
 * but sign-in needs a session and runs as its member
 * (`crm.tenant(tenantId, { actorId })`), under access control as the API.
 */
export function webApp(host: Host): Hono {
  const app = new Hono();
  app.route('/', signInRoutes(host));
  const signedIn = new Hono<WebEnv>();
  signedIn.use('*', requireSession(host));
  signedIn.get('/', (c) => c.redirect('/app/board'));
  signedIn.route('/', boardRoutes());
  signedIn.route('/', contactRoutes());
  signedIn.route('/', inboxRoutes(host));
  signedIn.route('/', caseRoutes(host));
  app.route('/reports', reportRoutes(host));
  app.route('/', signedIn);
  app.onError((error, c) => {
    const { status, message } = errorPage(error);
    if (status === 500) console.error(error);
    // htmx and app.js show the text in #toast; a page load gets a page.
    if (c.req.header('hx-request') === 'true') return c.text(message, status);
    return c.html(renderPage({ title: 'Error', body: html`<h1>${status === 404 ? 'Not found' : 'Could not do that'}</h1><p>${message}</p><p><a href="/app">Back to the board</a></p>` }), status);
  });
  return app;
}
