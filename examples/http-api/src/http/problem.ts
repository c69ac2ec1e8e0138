import { ConflictError, CrmError, DuplicateError, ForbiddenError, NotFoundError, StateError, ValidationError } from '@crmkit/core';
import { z } from '@hono/zod-openapi';

/**
 * The body of every error response: an RFC 9457 problem document
 * (`application/problem+json`) with crmkit's stable `code`, and the details
 * a client branches on (the zod issues, the current version).
 */
export const problemSchema = z
  .object({
    type: z.string().openapi({ description: 'A URI naming the kind of problem: `urn:crmkit:<code>`' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: "crmkit's stable error code: `VALIDATION_FAILED`, `NOT_FOUND`, `CONFLICT`..." }),
    detail: z.string().optional(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })).optional()
      .openapi({ description: 'Every problem found in the input (422)' }),
    entity: z.string().optional(),
    id: z.string().nullable().optional(),
    currentVersion: z.number().int().optional().openapi({ description: 'The version the record has now (409 on a stale version)' }),
    fields: z.array(z.string()).optional().openapi({ description: 'The fields whose combination must be unique (409 on a duplicate)' }),
  })
  .openapi('Problem');

/** A problem document. */
export type Problem = z.infer<typeof problemSchema>;

/** An error the HTTP layer itself raises (a missing credential, a precondition). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<Problem> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

const titles: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict',
  412: 'Precondition failed', 422: 'Unprocessable content', 428: 'Precondition required', 500: 'Internal error',
};

function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:crmkit:${code.toLowerCase()}`, title: titles[status] ?? 'Error', status, code, detail, ...extra };
}

/** Zod issue paths hold symbols in theory; JSON cannot, so they become strings. */
function jsonPath(path: PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/**
 * Maps any error to the problem document and status the API answers with.
 * crmkit's typed errors decide the status; anything else is a 500 whose
 * message is not shown (it may carry SQL or a stack).
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, error.extra);
  if (error instanceof ValidationError) {
    return problem(422, error.code, error.message, { issues: error.issues.map((i) => ({ ...i, path: jsonPath(i.path) })) });
  }
  if (error instanceof NotFoundError) return problem(404, error.code, error.message, { entity: error.entity, id: error.id });
  if (error instanceof ForbiddenError) return problem(403, error.code, error.message, { entity: error.entity, id: error.id });
  if (error instanceof ConflictError) {
    return problem(409, error.code, error.message, { entity: error.entity, id: error.id, currentVersion: error.actualVersion });
  }
  if (error instanceof DuplicateError) return problem(409, error.code, error.message, { entity: error.entity, fields: error.fields });
  if (error instanceof StateError) return problem(409, error.code, error.message);
  if (error instanceof CrmError) return problem(500, error.code, error.message);
  return problem(500, 'INTERNAL', 'The server failed to answer the request');
}

/** The statuses an API route may answer with an error, for its OpenAPI responses. */
export const problemStatuses = [401, 403, 404, 409, 412, 422, 428] as const;
