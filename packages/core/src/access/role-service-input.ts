import { z } from 'zod';
import type { EntityName } from '../entities/registry.js';
import type { AccessAction, AccessLevel, FieldAccessRule } from './access-levels.js';
import { roleDefinitionSchema } from './role.schema.js';

/** Input of `roles.create`: a {@link RoleDefinition} (checked by `roleDefinitionSchema`). */
export type RoleInput = z.input<typeof roleDefinitionSchema>;

/**
 * Input of `roles.update`: any of the definition's fields. `grants` and
 * `fields` replace the role's whole maps (they are not merged key by key), so
 * an update says the role as it should be. The role that results is checked
 * by `roleDefinitionSchema` as a whole.
 */
export const rolePatchSchema = z.strictObject(roleDefinitionSchema.shape).partial();
/** Input of `roles.update`. */
export type RolePatch = z.input<typeof rolePatchSchema>;

/** What `roles.effective` reports: what one member may do, as the access checks resolve it. */
export interface EffectiveAccess {
  /** The member's roles (`role`, then `roles`) that name a role; a name no role answers to grants nothing and is left out. */
  roles: string[];
  /** For every registry entity and action, the most permissive level of those roles. */
  levels: Record<EntityName, Record<AccessAction, AccessLevel>>;
  /** Per entity with any, the fields hidden from or read-only for the member (absent: no rule). */
  fields: Partial<Record<EntityName, Record<string, FieldAccessRule>>>;
}
