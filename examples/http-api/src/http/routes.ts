import { z } from '@hono/zod-openapi';
import { problemSchema } from './problem.js';

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** The error responses every authenticated route may give, for its OpenAPI `responses`. */
export const errorResponses = {
  400: { description: 'A malformed header or query (If-Match, where)', content: problemContent },
  401: { description: 'No valid API key or session', content: problemContent },
  403: { description: "The member's roles do not allow it (`FORBIDDEN`)", content: problemContent },
  404: { description: 'No such record, or one the member may not see (`NOT_FOUND`)', content: problemContent },
  409: { description: 'A stale If-Match (`VERSION_CONFLICT`, with `currentVersion`), a duplicate (`DUPLICATE`) or a refused state change (`INVALID_STATE`)', content: problemContent },
  422: { description: 'The input does not match the schema (`VALIDATION_FAILED`, with `issues`)', content: problemContent },
} as const;

/** A JSON response of the given schema, for a route's `responses`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON response carrying a record and its ETag. */
export function recordResponse<T extends z.ZodType>(schema: T, description: string) {
  return {
    description,
    headers: z.object({ ETag: z.string().openapi({ description: 'The record version, for If-Match / If-None-Match', example: '"3"' }) }),
    content: { 'application/json': { schema } },
  };
}

/** A JSON request body of the given schema. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, ...(description === undefined ? {} : { description }), content: { 'application/json': { schema } } };
}

/** The optional If-Match header of a write, documented once. */
export const ifMatchHeader = z.object({
  'if-match': z.string().optional().openapi({ description: 'The ETag of the version the write expects; a stale one is a 409 with `currentVersion`', example: '"3"' }),
});

/** The `Idempotency-Key` header of a create: the same key again answers with the record the first call made, and writes nothing. */
export const idempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional()
    .openapi({ description: 'A create repeated with the same key answers with the record the first made, and writes nothing' }),
});
