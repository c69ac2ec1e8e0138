import type { Context } from 'hono';
import { HttpProblem } from './problem.js';

/**
 * A record's ETag: its version, which every update increments. Strong, since
 * two representations of one version are byte for byte the same record.
 */
export function etagOf(record: { version: number }): string {
  return `"${record.version}"`;
}

/**
 * The version an `If-Match` header asks a write to find, for crmkit's
 * `expectedVersion`: `undefined` without the header or with `*` (the write
 * then applies to whatever version is stored). A stale version makes crmkit
 * throw `ConflictError`, answered 409 with the current version.
 */
export function expectedVersion(c: Context): number | undefined {
  const header = c.req.header('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw new HttpProblem(400, 'BAD_IF_MATCH', 'If-Match must be one ETag of this API ("<version>") or *');
  return Number(match[1]);
}

/** `{ expectedVersion }` from `If-Match`, or nothing, for a service's write options. */
export function writeOptions(c: Context): { expectedVersion?: number } {
  const version = expectedVersion(c);
  return version === undefined ? {} : { expectedVersion: version };
}

/** Whether the client's cached copy (`If-None-Match`) is the record as it is: answer 304. */
export function notModified(c: Context, record: { version: number }): boolean {
  const header = c.req.header('if-none-match');
  return header !== undefined && header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etagOf(record));
}
