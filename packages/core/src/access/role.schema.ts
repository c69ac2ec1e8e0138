import { z } from 'zod';
import { entities, type EntityName } from '../entities/registry.js';
import { roleNameSchema } from './role-name.js';
import { accessActions, type AccessAction, type AccessLevel, accessLevels, type FieldAccessRule, fieldAccessRules } from './access-levels.js';

const levelSchema = z.enum(accessLevels);
const actionGrantShape = Object.fromEntries(accessActions.map((a) => [a, levelSchema.optional()])) as {
  [A in AccessAction]: z.ZodOptional<typeof levelSchema>;
};

/**
 * The levels of one entity: one level for every action (`'all'`), or a level
 * per action; an action left out falls back to the role's `'*'` grant, else `none`.
 */
export const entityGrantSchema = z.union([levelSchema, z.strictObject(actionGrantShape)]);
/** See {@link entityGrantSchema}. */
export type EntityGrant = AccessLevel | Partial<Record<AccessAction, AccessLevel>>;


const grantKeys = [...Object.keys(entities), '*'] as unknown as [EntityName | '*', ...(EntityName | '*')[]];

/**
 * A role: levels per registry entity and action, and field-level rules. The
 * key `'*'` gives the levels of every entity not named. `own` and `team` need
 * an owner, so they are refused for an entity without one (pipelines, stages,
 * segments, surveys, SLA policies, roles); under `'*'` they mean `none` there.
 */
export const roleDefinitionSchema = z
  .strictObject({
    name: roleNameSchema,
    description: z.string().trim().max(500).nullable().optional(),
    grants: z.partialRecord(z.enum(grantKeys), entityGrantSchema),
    /** Per entity, per field (a record field, or `custom.<key>`): `hidden` or `readOnly`. */
    fields: z.partialRecord(z.enum(Object.keys(entities) as [EntityName, ...EntityName[]]), z.record(z.string().min(1).max(128), z.enum(fieldAccessRules))).optional(),
  })
  .superRefine((role, ctx) => {
    for (const [name, grant] of Object.entries(role.grants)) {
      if (name === '*' || grant === undefined) continue;
      if (entities[name as EntityName].ownable) continue;
      const levels = typeof grant === 'string' ? [grant] : Object.values(grant);
      if (levels.some((l) => l === 'own' || l === 'team')) {
        ctx.addIssue({ code: 'custom', path: ['grants', name], message: `${name} records have no owner: grant all or none` });
      }
    }
  });

/** A role as written in code (`createCrm({ access: { roles } })`) or stored by `t.roles`. */
export interface RoleDefinition {
  /** The name members' `role` and `roles` refer to. */
  name: string;
  description?: string | null | undefined;
  /** Levels per entity (or `'*'`) and action. */
  grants: Partial<Record<EntityName | '*', EntityGrant>>;
  /** Fields hidden from or read-only for the role, per entity. */
  fields?: Partial<Record<EntityName, Record<string, FieldAccessRule>>> | undefined;
}

/** The level a role grants for an entity and action. */
export function roleLevel(role: RoleDefinition, entity: EntityName, action: AccessAction): AccessLevel {
  const direct = levelOf(role.grants[entity], action);
  if (direct !== undefined) return direct;
  const fallback = levelOf(role.grants['*'], action) ?? 'none';
  // A wildcard `own` or `team` cannot apply to records without an owner.
  if ((fallback === 'own' || fallback === 'team') && !entities[entity].ownable) return 'none';
  return fallback;
}

function levelOf(grant: EntityGrant | undefined, action: AccessAction): AccessLevel | undefined {
  if (grant === undefined) return undefined;
  return typeof grant === 'string' ? grant : grant[action];
}
