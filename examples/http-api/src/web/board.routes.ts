import { type Deal, NotFoundError } from '@crmkit/core';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { moveDeal } from '../sales/move-deal.js';
import { boardPipelines, cardNames, loadBoard, stageDeals } from './board-data.js';
import { renderBoard } from './board-page.js';
import { columnHead, dealCard, moreLink } from './deal-card.js';
import { renderPage } from './layout.js';
import { moveRefusal } from './move-refusal.js';
import type { WebEnv } from './session.js';

const moveFormSchema = z.object({
  stage: z.string().trim().min(1).max(64),
  version: z.coerce.number().int().min(1),
  /** Why a deal moved to a lost stage was lost (the board's dialog); empty is none. */
  reason: z.string().trim().max(500).optional().transform((r) => (r === '' ? undefined : r)),
});

/** True for requests made by htmx or app.js, which want a fragment back rather than a page. */
const isScripted = (c: { req: { header(name: string): string | undefined } }) => c.req.header('hx-request') === 'true';

/**
 * The pipeline board: `GET /board?pipeline=<id>`, a column's next cards
 * (`GET /board/cards?pipeline&stage&cursor`), and moving a deal
 * (`POST /deals/<id>/move` with `stage`, `version` and for a lost stage
 * perhaps `reason`) through the host's
 * stage gates (`moveDeal`), as the signed-in member.
 */
export function boardRoutes(): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();

  routes.get('/board', async (c) => c.html(renderBoard(c.var.signedIn, await loadBoard(c.var.t, c.req.query('pipeline')))));

  routes.get('/board/cards', async (c) => {
    const t = c.var.t;
    const pipeline = (await boardPipelines(t)).find((p) => p.id === c.req.query('pipeline'));
    const stage = pipeline?.stages.find((s) => s.key === c.req.query('stage'));
    if (pipeline === undefined || stage === undefined) throw new NotFoundError('stage', c.req.query('stage') ?? '');
    const page = await stageDeals(t, pipeline.id, stage.id, c.req.query('cursor'));
    const names = await cardNames(t, page.items);
    const cards = html`${page.items.map((deal) => dealCard(deal, pipeline, names))}${moreLink(pipeline.id, stage, page.nextCursor)}`;
    if (isScripted(c)) return c.html(cards);
    return c.html(renderPage({
      title: `${stage.name}: more deals`, signedIn: c.var.signedIn, active: 'board',
      body: html`<h1>${pipeline.name}: ${stage.name}</h1><p><a href="/app/board?pipeline=${pipeline.id}">Back to the board</a></p><div class="cards list">${cards}</div>`,
    }));
  });

  routes.post('/deals/:id/move', async (c) => {
    const t = c.var.t;
    const id = c.req.param('id');
    const parsed = moveFormSchema.safeParse(await c.req.parseBody());
    if (!parsed.success) return c.text('Choose a stage to move the deal to.', 400);
    const { stage, version, reason } = parsed.data;
    let moved: Deal;
    try {
      moved = await moveDeal(t, id, stage, { expectedVersion: version, ...(reason === undefined ? {} : { reason }) });
    } catch (error) {
      // For the message only: the deal as the member can read it now (it may be gone or hidden).
      const deal = await t.deals.get(id).catch(() => undefined);
      const pipeline = deal === undefined ? undefined : await t.pipelines.get(deal.pipelineId).catch(() => undefined);
      const stageName = pipeline?.stages.find((s) => s.key === stage || s.id === stage)?.name ?? stage;
      const refusal = moveRefusal(error, deal?.title ?? 'The deal', stageName);
      if (refusal === undefined) throw error;
      if (isScripted(c)) return c.text(refusal.message, refusal.status);
      return c.html(renderBoard(c.var.signedIn, await loadBoard(t, deal?.pipelineId), refusal.message), refusal.status);
    }
    if (!isScripted(c)) return c.redirect(`/app/board?pipeline=${encodeURIComponent(moved.pipelineId)}`, 303);
    const [pipeline, names] = await Promise.all([t.pipelines.get(moved.pipelineId), cardNames(t, [moved])]);
    const summary = await t.reports.pipelineSummary(pipeline.id);
    // The card, then every column head with its new totals: app.js puts each element where the one with its id is.
    return c.html(html`${dealCard(moved, pipeline, names)}${pipeline.stages.map((s) => columnHead(s, summary.stages.find((x) => x.stageId === s.id)))}`);
  });

  return routes;
}
