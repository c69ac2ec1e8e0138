import type { Case } from '@crmkit/core';
import { html } from 'hono/html';
import { countdownText } from './format.js';

/** The SLA target a case must meet next, with its due time. */
export interface NextDue {
  target: 'first response' | 'next response' | 'resolution';
  dueAt: string;
}

/**
 * The earliest due time of a case's running clocks: the first response
 * until it is made, the next response while a customer message waits, and
 * always the resolution. crmkit nulls due times while a clock is paused or
 * reached, so only running targets are left.
 */
export function nextDue(record: Case): NextDue | undefined {
  const candidates: [NextDue['target'], string | null][] = [
    ['first response', record.firstResponseAt === null ? record.firstResponseDueAt : null],
    ['next response', record.nextResponseDueAt],
    ['resolution', record.resolutionDueAt],
  ];
  let best: NextDue | undefined;
  for (const [target, dueAt] of candidates) {
    if (dueAt !== null && (best === undefined || dueAt < best.dueAt)) best = { target, dueAt };
  }
  return best;
}

/**
 * A case's SLA countdown: `data-due` carries the due instant, which app.js
 * counts down to every second; the text rendered here is right at `now`, so
 * the page reads without script. A case waiting on the customer shows
 * `paused`, one without targets `no SLA`.
 */
export function slaCountdown(record: Case, now: Date) {
  if (record.sla.pausedSince !== null) return html`<span class="sla paused" data-testid="sla-${record.id}" data-paused="true">paused</span>`;
  const due = nextDue(record);
  if (due === undefined) return html`<span class="sla none" data-testid="sla-${record.id}">no SLA</span>`;
  const overdue = Date.parse(due.dueAt) <= now.getTime();
  return html`<span class="sla-target">${due.target}</span> <time class="sla ${overdue ? 'overdue' : ''}" data-testid="sla-${record.id}" data-due="${due.dueAt}" datetime="${due.dueAt}">${countdownText(due.dueAt, now)}</time>`;
}

/** A row of the case queue, linking to the case's contact. */
export function caseRow(record: Case, contactLabel: string | undefined, now: Date) {
  return html`<tr data-testid="case-${record.id}" data-priority="${record.priority}">
<td>#${record.number}</td>
<td>${record.subject}</td>
<td>${record.contactId === null ? '—' : html`<a href="/app/contacts/${record.contactId}">${contactLabel ?? 'contact'}</a>`}</td>
<td>${record.priority}</td>
<td>${record.status.replace('_', ' ')}</td>
<td>${slaCountdown(record, now)}</td>
</tr>`;
}
