import { type Case, type Company, type Contact, type Deal, openCaseStatuses, type Task, type TenantScope, type TimelinePage } from '@crmkit/core';
import { html } from 'hono/html';
import type { SignedIn } from '../auth/credentials.js';
import { boardPipelines } from './board-data.js';
import { contactName, formatMoney, localTime } from './format.js';
import { renderPage } from './layout.js';
import { stageNames, timelinePage } from './timeline-items.js';

/** How many entries each part of the page shows: the page is a summary, lists behind it page on. */
export const timelinePageSize = 20;
const listSize = 20;

/** Everything the contact page shows, read as the signed-in member. */
export interface ContactView {
  contact: Contact;
  company: Company | undefined;
  deals: Deal[];
  cases: Case[];
  tasks: Task[];
  timeline: TimelinePage;
  stages: Map<string, string>;
}

/** Reads a contact and what surrounds it, in parallel (a company or list the member may not read is left out). */
export async function loadContact(t: TenantScope, id: string, cursor?: string): Promise<ContactView> {
  const contact = await t.contacts.get(id);
  const [company, deals, cases, tasks, timeline, pipelines] = await Promise.all([
    contact.companyId === null ? undefined : t.companies.get(contact.companyId).catch(() => undefined),
    t.deals.ofContact(id, { limit: listSize, orderBy: [{ updatedAt: 'desc' }] }),
    t.cases.list({ where: { contactId: id, status: { in: [...openCaseStatuses] } }, orderBy: [{ openedAt: 'desc' }], limit: listSize }),
    t.tasks.list({ where: { linkedType: 'contact', linkedId: id, status: { in: ['open', 'in_progress'] } }, orderBy: [{ createdAt: 'desc' }], limit: listSize }),
    t.timeline.forContact(id, { limit: timelinePageSize, ...(cursor === undefined ? {} : { cursor }) }),
    boardPipelines(t),
  ]);
  return { contact, company, deals: deals.items, cases: cases.items, tasks: tasks.items, timeline, stages: stageNames(pipelines) };
}

function fields(contact: Contact, company: Company | undefined) {
  const rows: [string, string | null][] = [
    ['Email', contact.email], ['Phone', contact.phone], ['Title', contact.title], ['Company', company?.name ?? null],
    ['Lifecycle', contact.lifecycleStage], ['City', [contact.city, contact.country].filter(Boolean).join(', ') || null],
  ];
  return html`<dl class="fields">${rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function logForm(contactId: string) {
  return html`<form class="log" method="post" action="/app/contacts/${contactId}/interactions" hx-post="/app/contacts/${contactId}/interactions" hx-target="#timeline" hx-swap="afterbegin" hx-on::after-request="if (event.detail.successful) this.reset()">
<fieldset><legend>Log an interaction</legend>
<label><input type="radio" name="type" value="note" checked> Note</label>
<label><input type="radio" name="type" value="call"> Call</label>
<label for="log-subject">Subject</label><input id="log-subject" name="subject" maxlength="500">
<label for="log-body">What happened</label><textarea id="log-body" name="body" rows="3" required maxlength="20000"></textarea>
<label for="log-minutes">Call minutes</label><input id="log-minutes" name="minutes" type="number" min="0" max="1440" inputmode="numeric">
<button type="submit" data-testid="log-submit">Log</button>
</fieldset>
</form>`;
}

/** The contact 360 page: fields, company, deals, open cases, open tasks and the timeline with a form to log a note or call. */
export function renderContact(signedIn: SignedIn, view: ContactView) {
  const { contact } = view;
  const body = html`<h1>${contactName(contact)}</h1>
<div class="contact">
<section class="summary" aria-label="Details">${fields(contact, view.company)}
<h2>Deals</h2>${view.deals.length === 0 ? html`<p>None.</p>` : html`<ul class="plain">${view.deals.map((d) => html`<li>${d.title} · ${formatMoney(d.amount)} · ${d.status}</li>`)}</ul>`}
<h2>Open cases</h2>${view.cases.length === 0 ? html`<p>None.</p>` : html`<ul class="plain">${view.cases.map((k) => html`<li>#${k.number} ${k.subject} · ${k.status} · ${k.priority}</li>`)}</ul>`}
<h2>Open tasks</h2>${view.tasks.length === 0 ? html`<p>None.</p>` : html`<ul class="plain">${view.tasks.map((k) => html`<li>${k.title}${k.dueAt ? html` · due ${localTime(k.dueAt)}` : ''}</li>`)}</ul>`}
</section>
<section class="activity" aria-label="Timeline">
${logForm(contact.id)}
<h2>Timeline</h2>
<ol id="timeline" class="timeline" data-testid="timeline">${timelinePage(contact.id, view.timeline, view.stages)}</ol>
</section>
</div>`;
  return renderPage({ title: contactName(contact), signedIn, active: 'contacts', body });
}
