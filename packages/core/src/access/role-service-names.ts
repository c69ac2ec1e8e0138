import type { CrmRuntime, TenantContext } from '../common/context.js';
import type { Storage } from '../storage/adapter.js';
import { builtInRoles } from './built-in-roles.js';
import { roleModel } from './role.model.js';
import type { RoleDefinition } from './role.schema.js';

const builtIns: ReadonlyMap<string, RoleDefinition> = new Map(builtInRoles.map((r) => [r.name, r]));

/**
 * The roles defined without the tenant: the code's (`createCrm({ access: { roles } })`)
 * over the built-ins; the built-ins alone while access control is off, so
 * that members take the same names either way.
 */
export function codeRoles(runtime: CrmRuntime): ReadonlyMap<string, RoleDefinition> {
  return runtime.access?.roles ?? builtIns;
}

/**
 * The names among `names` that no role answers to: neither built-in, nor in
 * code, nor stored by the tenant. Read through `storage` unrestricted (the
 * system's): whether a name exists is not a question of what the actor may read.
 */
export async function unknownRoleNames(storage: Storage, ctx: TenantContext, names: readonly string[]): Promise<string[]> {
  const code = codeRoles(ctx.runtime);
  const rest = [...new Set(names)].filter((name) => !code.has(name));
  if (rest.length === 0) return [];
  const stored = await storage.findMany({ model: roleModel, tenantId: ctx.tenantId, where: { name: { in: rest } }, select: ['name'] });
  const found = new Set(stored.map((r) => r.name));
  return rest.filter((name) => !found.has(name));
}
