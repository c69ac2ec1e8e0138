import { type Case, openCaseStatuses, type Page, type TenantScope } from '@crmkit/core';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Host } from '../host/host.js';
import { caseRow } from './case-queue.js';
import { contactName } from './format.js';
import { renderPage } from './layout.js';
import type { WebEnv } from './session.js';

const queuePageSize = 50;

/**
 * Open cases that have a resolution due time (running clocks), soonest
 * first; or, with `running: false`, those without one (paused, or no
 * policy), oldest first. Two lists rather than one because a null due time
 * would sort first in SQL and bury the urgent cases.
 */
function openCases(t: TenantScope, running: boolean, cursor: string | undefined): Promise<Page<Case>> {
  return t.cases.list({
    where: { status: { in: [...openCaseStatuses] }, resolutionDueAt: { isNull: !running } },
    orderBy: running ? [{ resolutionDueAt: 'asc' }] : [{ openedAt: 'asc' }],
    limit: queuePageSize,
    ...(cursor === undefined ? {} : { cursor }),
  });
}

function queueTable(caption: string, page: Page<Case>, names: Map<string, string>, now: Date, more: string | undefined) {
  if (page.items.length === 0) return html`<h2>${caption}</h2><p>None.</p>`;
  return html`<table class="queue"><caption>${caption}</caption>
<thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Contact</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">SLA</th></tr></thead>
<tbody>${page.items.map((k) => caseRow(k, k.contactId === null ? undefined : names.get(k.contactId), now))}</tbody>
</table>${more === undefined ? '' : html`<p><a class="more" href="${more}">More</a></p>`}`;
}

/** The case queue (`GET /cases`): open cases by resolution due time, each with its SLA countdown and its contact. */
export function caseRoutes(host: Host): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();
  routes.get('/cases', async (c) => {
    const { t, signedIn } = c.var;
    const [running, waiting] = await Promise.all([openCases(t, true, c.req.query('cursor')), openCases(t, false, c.req.query('waiting'))]);
    const contactIds = [...new Set([...running.items, ...waiting.items].flatMap((k) => (k.contactId === null ? [] : [k.contactId])))];
    const contacts = contactIds.length === 0 ? [] : (await t.contacts.list({ where: { id: { in: contactIds } }, limit: contactIds.length })).items;
    const names = new Map(contacts.map((k) => [k.id, contactName(k)]));
    const now = host.clock.now();
    const link = (key: string, cursor: string | undefined) => (cursor === undefined ? undefined : `/app/cases?${key}=${encodeURIComponent(cursor)}`);
    const body = html`<h1>Open cases</h1>
${queueTable('Due soonest first', running, names, now, link('cursor', running.nextCursor))}
${queueTable('Paused or without a target', waiting, names, now, link('waiting', waiting.nextCursor))}`;
    return c.html(renderPage({ title: 'Cases', signedIn, active: 'cases', body }));
  });
  return routes;
}
