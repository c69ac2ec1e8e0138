import type { SignedIn } from '../auth/credentials.js';
import { html } from 'hono/html';
import type { Board } from './board-data.js';
import { columnHead, dealCard, moreLink } from './deal-card.js';
import { renderPage } from './layout.js';

/** The pipeline chooser: a plain GET form, so the board of each pipeline has its own URL. */
function pipelinePicker(board: Board) {
  if (board.pipelines.length < 2) return html`<h1>${board.pipeline.name}</h1>`;
  return html`<form class="picker" method="get" action="/app/board">
<label for="pipeline">Pipeline</label>
<select id="pipeline" name="pipeline" onchange="this.form.requestSubmit()">${board.pipelines.map((p) => html`<option value="${p.id}"${p.id === board.pipeline.id ? ' selected' : ''}>${p.name}</option>`)}</select>
<noscript><button type="submit">Show</button></noscript>
</form>`;
}

/**
 * Asked when a card is dropped on a lost stage (app.js opens it): why the
 * deal was lost, with the pipeline's usual reasons to pick from. Cancel
 * leaves the card where it was (so does Escape); Enter confirms, as
 * "Mark lost" is the form's first button.
 */
function lossDialog(board: Board) {
  return html`<dialog id="loss-dialog" data-testid="loss-dialog" aria-labelledby="loss-title">
<form method="dialog">
<h2 id="loss-title">Why was <span class="deal-title"></span> lost?</h2>
<label for="loss-reason">Reason</label>
<input id="loss-reason" name="reason" data-testid="loss-reason" maxlength="500" list="loss-reasons" autocomplete="off">
<datalist id="loss-reasons">${board.lossReasons.map((r) => html`<option value="${r}"></option>`)}</datalist>
<p class="actions"><button value="confirm" data-testid="loss-confirm">Mark lost</button> <button value="cancel" class="secondary">Cancel</button></p>
</form>
</dialog>`;
}

/**
 * The pipeline board: a column per stage with its totals and its first
 * cards. A card dropped on a column is posted to `/app/deals/<id>/move` by
 * app.js; the column's `data-stage` is the stage key, its `data-category`
 * the stage's (a drop on `lost` asks for a reason first).
 */
export function renderBoard(signedIn: SignedIn, board: Board | undefined, toast?: string) {
  const body = board === undefined
    ? html`<h1>Pipeline</h1><p>There is no pipeline yet.</p>`
    : html`${pipelinePicker(board)}
<div class="board" data-pipeline="${board.pipeline.id}">
${board.columns.map(({ stage, summary, deals }) => html`<section class="column" data-testid="stage-${stage.key}" data-stage="${stage.key}" data-category="${stage.category}" aria-label="${stage.name}">
${columnHead(stage, summary)}
<div class="cards">${deals.items.map((deal) => dealCard(deal, board.pipeline, board.names))}${moreLink(board.pipeline.id, stage, deals.nextCursor)}</div>
</section>`)}
</div>
${lossDialog(board)}`;
  return renderPage({ title: board?.pipeline.name ?? 'Pipeline', signedIn, active: 'board', body, ...(toast === undefined ? {} : { toast }) });
}
