import type { z } from 'zod';
import { type EntitiesWhere, entitiesWhere } from '../entities/registry.js';
import { ValidationError } from '../errors.js';
import type { InputLimits } from './limits.js';

/** Entities whose records accept host-defined custom fields (the registry's `customizable` ones). */
export type CustomizableEntity = EntitiesWhere<'customizable'>;

/** The names of {@link CustomizableEntity}, in registry order. */
export const customizableEntities: readonly CustomizableEntity[] = entitiesWhere('customizable');

/**
 * Zod schemas for the `custom` object of each entity. Values are validated on
 * every create and update and stored as JSON; list filters reach them through
 * paths such as `custom.tier`. Whatever the schema, `custom` stays within the
 * input limits (`createCrm({ limits })`).
 *
 * @example
 * createCrm({ adapter, customFields: { contact: z.object({ tier: z.enum(['gold', 'silver']).optional() }) } })
 */
export type CustomFieldSchemas = Partial<Record<CustomizableEntity, z.ZodType<Record<string, unknown>>>>;

/**
 * Validates `custom` against the registered schema (any JSON object without
 * one), then against the limits.
 * @throws {ValidationError}
 */
export function parseCustom(
  runtime: { customFields: CustomFieldSchemas; limits: InputLimits },
  entity: CustomizableEntity,
  value: Record<string, unknown>,
): Record<string, unknown> {
  // Limits first: a schema must never have to walk a value of unbounded size or depth.
  checkJson(value, runtime.limits);
  const schema = runtime.customFields[entity];
  if (schema === undefined) return value;
  const result = schema.safeParse(value);
  if (!result.success) {
    const error = ValidationError.fromZod(result.error, `${entity} custom fields`, ['custom']);
    throw error;
  }
  checkJson(result.data, runtime.limits);
  return result.data;
}

const fail = (message: string, path: PropertyKey[]): never => {
  throw ValidationError.single(message, ['custom', ...path]);
};

/**
 * Walks a value without recursion (a value nested 100,000 levels deep must be
 * a ValidationError, not a stack overflow) and checks that it is JSON within
 * the limits.
 */
function checkJson(root: unknown, limits: InputLimits): void {
  const stack: { value: unknown; path: PropertyKey[]; depth: number }[] = [{ value: root, path: [], depth: 0 }];
  let size = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value === 'boolean') {
      size += 5;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail('custom numbers must be finite', path);
      size += 8;
    } else if (typeof value === 'string') {
      if (value.length > limits.customStringLength) fail(`custom strings hold at most ${limits.customStringLength} characters`, path);
      size += value.length + 2;
    } else if (Array.isArray(value)) {
      if (depth >= limits.customDepth) fail(`custom nests at most ${limits.customDepth} levels`, path);
      if (value.length > limits.customArrayLength) fail(`custom arrays hold at most ${limits.customArrayLength} elements`, path);
      size += 2 + value.length;
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i], depth: depth + 1 });
    } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      if (depth >= limits.customDepth) fail(`custom nests at most ${limits.customDepth} levels`, path);
      const keys = Object.keys(value);
      if (keys.length > limits.customKeys) fail(`custom objects hold at most ${limits.customKeys} keys`, path);
      size += 2;
      for (const key of keys) {
        if (key.length > limits.customStringLength) fail(`custom keys hold at most ${limits.customStringLength} characters`, path);
        size += key.length + 3;
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
      }
    } else {
      fail(`custom values must be JSON (found ${typeof value})`, path);
    }
    if (size > limits.customSize) fail(`custom holds at most ${limits.customSize} characters of JSON`, []);
  }
}
