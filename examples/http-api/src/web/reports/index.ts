import { Hono } from 'hono';
import type { Host } from '../../host/host.js';
import { requireSession, type WebEnv } from '../session.js';
import { loadReports } from './report-data.js';
import { parseReportQuery } from './report-query.js';
import { renderReportsPage } from './reports-page.js';

/**
 * The reports page, mounted by the web app at `/app/reports`: `GET /` with
 * `pipeline`, `period`, `from`, `to` and `currency` in the query string
 * draws the funnel, forecast, win / loss, SLA compliance and RFM charts from
 * crmkit's reports, run as the signed-in member. Without a session it
 * redirects to the sign-in page.
 */
export function reportRoutes(host: Host): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();
  routes.use('*', requireSession(host));
  routes.get('/', async (c) => {
    const parsed = parseReportQuery(c.req.query());
    const data = await loadReports(c.var.t, parsed.query);
    return c.html(renderReportsPage(c.var.signedIn, parsed, data));
  });
  return routes;
}
