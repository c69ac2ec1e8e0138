import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

/** An asset served from memory: three small files, read once when the app is made. */
interface Asset {
  body: string;
  type: string;
}

function load(path: string | URL, type: string): Asset {
  return { body: readFileSync(path, 'utf8'), type };
}

/**
 * The web app's static files at `/assets`: htmx 2 (from the `htmx.org`
 * package, found by module resolution so that a hoisted or nested
 * node_modules both work), app.css and app.js. No build step: what is in
 * src/web/assets is what the browser gets. Cached for an hour; a deploy
 * changes them rarely and a stale stylesheet for an hour is harmless.
 */
export function assetRoutes(): Hono {
  const require = createRequire(import.meta.url);
  const assets: Record<string, Asset> = {
    'htmx.min.js': load(require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
    'app.js': load(new URL('./assets/app.js', import.meta.url), 'text/javascript; charset=utf-8'),
    'app.css': load(new URL('./assets/app.css', import.meta.url), 'text/css; charset=utf-8'),
  };
  const routes = new Hono();
  routes.get('/:name', (c) => {
    const asset = assets[c.req.param('name')];
    if (asset === undefined) return c.notFound();
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
  });
  return routes;
}
