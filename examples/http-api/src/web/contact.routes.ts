import { Hono } from 'hono';
import { z } from 'zod';
import { boardPipelines } from './board-data.js';
import { loadContact, renderContact, timelinePageSize } from './contact-page.js';
import { stageNames, timelineItem, timelinePage } from './timeline-items.js';
import type { WebEnv } from './session.js';

const logFormSchema = z.object({
  type: z.enum(['note', 'call']),
  subject: z.string().trim().max(500).optional().transform((s) => (s ? s : undefined)),
  body: z.string().trim().min(1, 'Say what happened').max(20_000),
  minutes: z.union([z.literal(''), z.coerce.number().int().min(0).max(1440)]).optional(),
});

/**
 * The contact 360 page (`GET /contacts/<id>`), the next page of its
 * timeline (`GET /contacts/<id>/timeline?cursor=`, a fragment for htmx) and
 * logging a note or a call on it (`POST /contacts/<id>/interactions`,
 * answered with the new timeline entry, which htmx prepends).
 */
export function contactRoutes(): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();

  routes.get('/contacts/:id', async (c) => {
    const view = await loadContact(c.var.t, c.req.param('id'), c.req.query('cursor'));
    return c.html(renderContact(c.var.signedIn, view));
  });

  routes.get('/contacts/:id/timeline', async (c) => {
    const t = c.var.t;
    const id = c.req.param('id');
    const [page, pipelines] = await Promise.all([
      t.timeline.forContact(id, { limit: timelinePageSize, ...(c.req.query('cursor') === undefined ? {} : { cursor: c.req.query('cursor')! }) }),
      boardPipelines(t),
    ]);
    return c.html(timelinePage(id, page, stageNames(pipelines)));
  });

  routes.post('/contacts/:id/interactions', async (c) => {
    const t = c.var.t;
    const id = c.req.param('id');
    const parsed = logFormSchema.safeParse(await c.req.parseBody());
    if (!parsed.success) return c.text(parsed.error.issues[0]?.message ?? 'Check the form', 422);
    const { type, subject, body, minutes } = parsed.data;
    const interaction = await t.interactions.log({
      type, contactIds: [id], memberIds: [c.var.signedIn.member.id], body,
      ...(subject === undefined ? {} : { subject }),
      ...(type === 'call' && typeof minutes === 'number' ? { durationSeconds: minutes * 60 } : {}),
    });
    if (c.req.header('hx-request') !== 'true') return c.redirect(`/app/contacts/${id}`, 303);
    return c.html(timelineItem({ kind: 'interaction', at: interaction.occurredAt, id: interaction.id, interaction }, new Map()), 201);
  });

  return routes;
}
