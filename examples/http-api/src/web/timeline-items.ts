import type { Pipeline, TimelineItem, TimelinePage } from '@crmkit/core';
import { html } from 'hono/html';
import { localTime } from './format.js';

/** Stage names by stage id, over every pipeline: a stage change names its stage by id only. */
export function stageNames(pipelines: readonly Pipeline[]): Map<string, string> {
  return new Map(pipelines.flatMap((p) => p.stages.map((s) => [s.id, `${s.name} (${p.name})`] as const)));
}

/** A long body is cut for the timeline; the interaction keeps all of it. */
const excerpt = (text: string | null, max = 280) => (text === null ? '' : text.length > max ? `${text.slice(0, max)}…` : text);

function itemBody(item: TimelineItem, stages: Map<string, string>) {
  switch (item.kind) {
    case 'interaction': {
      const i = item.interaction;
      return html`<span class="kind">${i.type}${i.direction === 'internal' ? '' : ` · ${i.direction}`}</span>
<strong>${i.subject ?? ''}</strong> <span class="text">${excerpt(i.body)}</span>`;
    }
    case 'stageChange':
      return html`<span class="kind">deal</span> ${item.change.fromStageId === null ? 'created in' : 'moved to'} <strong>${stages.get(item.change.toStageId) ?? 'a stage'}</strong>`;
    case 'task':
      return html`<span class="kind">task · ${item.task.status}</span> <strong>${item.task.title}</strong>${item.task.dueAt ? html` <span class="due">due ${localTime(item.task.dueAt)}</span>` : ''}`;
  }
}

/** One entry of a timeline. */
export function timelineItem(item: TimelineItem, stages: Map<string, string>) {
  return html`<li data-testid="timeline-item" data-kind="${item.kind}">${localTime(item.at)} ${itemBody(item, stages)}</li>`;
}

/**
 * A page of a timeline, ending with a 'more' button for the next page when
 * there is one: htmx replaces the button's `<li>` with the older entries
 * (and their own button), so the list grows in place.
 */
export function timelinePage(contactId: string, page: TimelinePage, stages: Map<string, string>) {
  const next = page.nextCursor === undefined
    ? ''
    : html`<li class="more"><a href="/app/contacts/${contactId}?cursor=${encodeURIComponent(page.nextCursor)}" hx-get="/app/contacts/${contactId}/timeline?cursor=${encodeURIComponent(page.nextCursor)}" hx-target="closest li" hx-swap="outerHTML" role="button" data-testid="timeline-more">More</a></li>`;
  return html`${page.items.map((item) => timelineItem(item, stages))}${next}`;
}
