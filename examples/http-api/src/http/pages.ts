import type { Page, Where } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HttpProblem } from './problem.js';

/**
 * Query parameters of every list: keyset pagination (`limit`, and `cursor`
 * from the previous page's `nextCursor`), an optional where-tree in crmkit's
 * syntax as JSON, and an order (`createdAt:desc,name:asc`).
 */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'Page size, 1 to 500', example: 50 }),
  cursor: z.string().max(2000).optional().openapi({ description: '`nextCursor` of the previous page' }),
  where: z.string().max(20_000).optional().openapi({
    description: 'A where-tree as JSON, as `list` takes it in crmkit: `{"lifecycleStage":"lead","tags":{"has":"vip"}}`',
  }),
  orderBy: z.string().max(500).regex(/^[A-Za-z0-9_.]+:(asc|desc)(,[A-Za-z0-9_.]+:(asc|desc))*$/).optional()
    .openapi({ description: 'Fields with a direction, comma separated: `createdAt:desc`' }),
});

/** The parsed {@link listQuerySchema}. */
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The body of every list response, around its item schema. */
export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
    })
    .openapi(name);
}

/** crmkit `ListOptions` from the query: the where-tree is validated by crmkit itself (422 with its issues). */
export function listOptions(query: ListQuery): { limit: number; cursor?: string; where?: Where; orderBy?: Record<string, 'asc' | 'desc'>[] } {
  const options: ReturnType<typeof listOptions> = { limit: query.limit };
  if (query.cursor !== undefined) options.cursor = query.cursor;
  if (query.where !== undefined) {
    try {
      options.where = JSON.parse(query.where) as Where;
    } catch {
      throw new HttpProblem(400, 'BAD_WHERE', 'where must be a JSON where-tree');
    }
  }
  if (query.orderBy !== undefined) {
    options.orderBy = query.orderBy.split(',').map((term) => {
      const [field, direction] = term.split(':') as [string, 'asc' | 'desc'];
      return { [field]: direction };
    });
  }
  return options;
}

/**
 * A crmkit page as the API answers it: `nextCursor` null on the last page,
 * and a `Link: <...>; rel="next"` header for clients that follow links.
 */
export function sendPage<T>(c: Context, page: Page<T>) {
  const next = page.nextCursor ?? null;
  if (next !== null) {
    const url = new URL(c.req.url);
    url.searchParams.set('cursor', next);
    c.header('Link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return { items: page.items, nextCursor: next };
}
