import type { Deal, Pipeline, PipelineStageSummary, Stage } from '@crmkit/core';
import { html } from 'hono/html';
import type { CardNames } from './board-data.js';
import { formatMoney } from './format.js';

/**
 * A deal on the board: draggable, with the version it was read at, which a
 * drop sends back so that a move made on a stale board is refused (crmkit's
 * `expectedVersion`) instead of undoing someone else's. The small form is
 * the way to move it without a mouse (and without script).
 */
export function dealCard(deal: Deal, pipeline: Pipeline, names: CardNames) {
  const company = deal.companyId === null ? undefined : names.companies.get(deal.companyId);
  const owner = deal.ownerId === null ? undefined : names.owners.get(deal.ownerId);
  const contactId = deal.contactIds[0];
  return html`<article class="card" id="deal-${deal.id}" data-testid="deal-${deal.id}" draggable="true" data-deal="${deal.id}" data-version="${deal.version}">
<h3>${contactId === undefined ? deal.title : html`<a href="/app/contacts/${contactId}">${deal.title}</a>`}</h3>
<p class="meta"><span class="company">${company?.name ?? '—'}</span> <span class="amount">${formatMoney(deal.amount)}</span></p>
<p class="owner">${owner?.name ?? 'unassigned'}</p>
<form class="move" method="post" action="/app/deals/${deal.id}/move">
<input type="hidden" name="version" value="${deal.version}">
<label>Move to <select name="stage">${pipeline.stages.map((s) => html`<option value="${s.key}"${s.id === deal.stageId ? ' selected' : ''}>${s.name}</option>`)}</select></label>
<button type="submit">Move</button>
</form>
</article>`;
}

/** A column's header: the stage and its totals. Its id lets a move's answer replace it with the new totals. */
export function columnHead(stage: Stage, summary: PipelineStageSummary | undefined) {
  return html`<header class="column-head" id="head-${stage.id}">
<h2>${stage.name}</h2>
<span class="count" title="deals">${summary?.count ?? 0}</span>
<span class="amount">${summary === undefined ? '' : formatMoney(summary.amount)}</span>
</header>`;
}

/** The link to a column's next page (keyset cursor), which htmx replaces with the cards it loads. */
export function moreLink(pipelineId: string, stage: Stage, cursor: string | undefined) {
  if (cursor === undefined) return '';
  const href = `/app/board/cards?pipeline=${encodeURIComponent(pipelineId)}&stage=${encodeURIComponent(stage.key)}&cursor=${encodeURIComponent(cursor)}`;
  return html`<a class="more" href="${href}" hx-get="${href}" hx-swap="outerHTML" data-testid="more-${stage.key}">More</a>`;
}
