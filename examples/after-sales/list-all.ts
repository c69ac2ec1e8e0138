import type { ListOptions, Page } from '@crmkit/core';

/** Every record of a `list` method, page by page. */
export async function listAll<T>(list: (options: ListOptions) => Promise<Page<T>>, options: Omit<ListOptions, 'cursor' | 'limit'> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ ...options, limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
