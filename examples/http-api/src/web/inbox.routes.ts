import type { Task } from '@crmkit/core';
import { Hono } from 'hono';
import type { Host } from '../host/host.js';
import { html } from 'hono/html';
import { localTime } from './format.js';
import { renderPage } from './layout.js';
import type { WebEnv } from './session.js';

const inboxPageSize = 50;

/** What a task is about, linked when the web app has a page for it. */
function about(task: Task) {
  if (task.linkedType === 'contact' && task.linkedId !== null) return html` · <a href="/app/contacts/${task.linkedId}">contact</a>`;
  return task.linkedType === null ? '' : html` · ${task.linkedType}`;
}

/** A task of the inbox; once done it stays in place, struck through, until the next load drops it. */
function taskRow(task: Task, now: Date) {
  const overdue = task.status !== 'done' && task.dueAt !== null && Date.parse(task.dueAt) < now.getTime();
  const action = `/app/tasks/${task.id}/complete`;
  return html`<li class="task ${task.status === 'done' ? 'done' : ''} ${overdue ? 'overdue' : ''}" data-testid="task-${task.id}" data-status="${task.status}">
<span class="priority priority-${task.priority}">${task.priority}</span>
<span class="title">${task.title}</span>
<span class="due">${task.dueAt === null ? 'no due date' : html`due ${localTime(task.dueAt)}`}</span>${about(task)}
${task.status === 'done'
    ? html`<span class="state">done</span>`
    : html`<form method="post" action="${action}" hx-post="${action}" hx-target="closest li" hx-swap="outerHTML"><button type="submit" data-testid="complete-${task.id}" aria-label="Complete ${task.title}">Complete</button></form>`}
</li>`;
}

/**
 * The signed-in member's inbox (`GET /inbox`: crmkit's `tasks.inbox`, most
 * urgent first) and completing a task (`POST /tasks/<id>/complete`, answered
 * with the row marked done for htmx to swap in).
 */
export function inboxRoutes(host: Host): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();

  routes.get('/inbox', async (c) => {
    const { t, signedIn } = c.var;
    const cursor = c.req.query('cursor');
    const page = await t.tasks.inbox(signedIn.member.id, { limit: inboxPageSize, ...(cursor === undefined ? {} : { cursor }) });
    const now = host.clock.now();
    const body = html`<h1>My tasks</h1>
${page.items.length === 0 ? html`<p>Nothing to do.</p>` : html`<ul class="tasks" data-testid="inbox">${page.items.map((task) => taskRow(task, now))}</ul>`}
${page.nextCursor === undefined ? '' : html`<p><a class="more" href="/app/inbox?cursor=${encodeURIComponent(page.nextCursor)}">More</a></p>`}`;
    return c.html(renderPage({ title: 'My tasks', signedIn, active: 'inbox', body }));
  });

  routes.post('/tasks/:id/complete', async (c) => {
    const task = await c.var.t.tasks.complete(c.req.param('id'));
    if (c.req.header('hx-request') !== 'true') return c.redirect('/app/inbox', 303);
    return c.html(taskRow(task, host.clock.now()));
  });

  return routes;
}
