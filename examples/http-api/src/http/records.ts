import { ownedRecordShape } from '@crmkit/core';
import { z } from '@hono/zod-openapi';

/**
 * The response schema of an entity's records, from crmkit's own zod schemas:
 * the common record fields (`ownedRecordShape`: id, tenant, timestamps,
 * version, owner, tags, custom) and the fields of the entity's input schema
 * (`contactInputSchema.shape`...) with the fields only records have. Loose:
 * crmkit may add fields in a minor release, and a client must ignore them.
 * @example
 * recordSchema('Contact', { ...contactInputSchema.shape, satisfactionAt: z.string().nullable() })
 */
export function recordSchema<S extends z.ZodRawShape>(name: string, shape: S) {
  return z.looseObject({ ...ownedRecordShape, ...shape }).openapi(name);
}

/** A path parameter holding a record id, documented once. */
export const idParamSchema = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: '01J9Z3QWERTY1234567890ABCD' }),
});
