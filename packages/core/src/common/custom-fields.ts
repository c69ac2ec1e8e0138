import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Entities whose records accept host-defined custom fields. */
export const customizableEntities = ['contact', 'company', 'deal', 'interaction', 'task', 'member', 'team', 'product'] as const;
/** One of {@link customizableEntities}. */
export type CustomizableEntity = (typeof customizableEntities)[number];

/**
 * Zod schemas for the `custom` object of each entity. Values are validated on
 * every create and update and stored as JSON; list filters reach them through
 * paths such as `custom.tier`.
 *
 * @example
 * createCrm({ adapter, customFields: { contact: z.object({ tier: z.enum(['gold', 'silver']).optional() }) } })
 */
export type CustomFieldSchemas = Partial<Record<CustomizableEntity, z.ZodType<Record<string, unknown>>>>;

/**
 * Validates `custom` against the registered schema; without one, any JSON
 * object of at most 64 keys is accepted.
 */
export function parseCustom(
  schemas: CustomFieldSchemas,
  entity: CustomizableEntity,
  value: Record<string, unknown>,
): Record<string, unknown> {
  const schema = schemas[entity];
  if (schema === undefined) {
    if (Object.keys(value).length > 64) throw ValidationError.single('custom has more than 64 fields', ['custom']);
    assertJson(value, ['custom']);
    return value;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const error = ValidationError.fromZod(result.error, `${entity} custom fields`);
    for (const issue of error.issues) issue.path.unshift('custom');
    throw error;
  }
  return result.data;
}

function assertJson(value: unknown, path: PropertyKey[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw ValidationError.single('custom numbers must be finite', path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJson(item, [...path, i]));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) assertJson(item, [...path, key]);
    return;
  }
  throw ValidationError.single(`custom values must be JSON (found ${typeof value})`, path);
}
