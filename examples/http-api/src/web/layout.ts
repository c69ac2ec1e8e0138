import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SignedIn } from '../auth/credentials.js';

/** What a page of the web app is made of. */
export interface PageParts {
  title: string;
  /** The signed-in member, for the header; none on the sign-in page. */
  signedIn?: SignedIn;
  /** The nav entry to highlight. */
  active?: 'board' | 'inbox' | 'cases' | 'reports' | 'contacts';
  /** The page's content, built with hono's `html` template (which escapes every value). */
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
  /** A message for #toast when the page loads: the outcome of a form posted without script (a refused move). */
  toast?: string;
}

const nav = [
  ['board', '/app/board', 'Pipeline'],
  ['inbox', '/app/inbox', 'My tasks'],
  ['cases', '/app/cases', 'Cases'],
  ['reports', '/app/reports', 'Reports'],
] as const;

/** The shell of every page: header with navigation, htmx, the stylesheet. Server-rendered, no build step. */
export function renderPage(parts: PageParts) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title} · crmkit</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/app">crmkit</a>
  ${parts.signedIn ? html`<nav>${nav.map(([key, href, label]) => html`<a href="${href}" class="${parts.active === key ? 'active' : ''}" data-testid="nav-${key}">${label}</a>`)}</nav>
  <form class="who" method="post" action="/app/sign-out"><span data-testid="signed-in-as">${parts.signedIn.member.name}</span> <button type="submit">Sign out</button></form>` : raw('')}
</header>
<main>${parts.body}</main>
<div id="toast" role="status" aria-live="polite" class="${parts.toast ? 'show' : ''}">${parts.toast ?? ''}</div>
</body>
</html>`;
}
