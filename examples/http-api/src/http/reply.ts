import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toJson } from './json.js';
import { etagOf } from './versions.js';

/**
 * Answers with a JSON body (bigint-safe, see `toJson`). Typed `never` so that a
 * route handler may return it whatever its declared responses: the shape is
 * checked where it matters, by the test that validates every response of the
 * suite against the OpenAPI document.
 */
export function reply(c: Context, body: unknown, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}): never {
  return c.newResponse(toJson(body), status, { 'content-type': 'application/json', ...headers }) as never;
}

/** Answers with one record and its `ETag` (the version a later `If-Match` names). */
export function replyRecord(c: Context, record: { version: number }, status: ContentfulStatusCode = 200): never {
  return reply(c, record, status, { ETag: etagOf(record) });
}
