import { entityNamed } from '../entities/registry.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import type { TenantContext } from './context.js';
import { type CustomizableEntity, parseCustom } from './custom-fields.js';

function modelOf(entity: string) {
  const definition = entityNamed(entity);
  if (definition === undefined) throw ValidationError.single(`Unknown entity ${JSON.stringify(entity)}`);
  return definition.model;
}

/**
 * Checks that a referenced record exists in the same tenant, so that a record
 * never points at another tenant's id or at nothing.
 * @throws {NotFoundError} naming the referenced entity.
 */
export async function assertExists(storage: Storage, ctx: TenantContext, entity: string, id: string | null | undefined): Promise<void> {
  if (id === null || id === undefined) return;
  // The actor is an active member (checked before any write): naming oneself
  // (`ownerId: me`) needs no read of members, which a role may not grant.
  if (entity === 'member' && id === ctx.actorId && ctx.access !== null) return;
  const row = await storage.findOne({ model: modelOf(entity), tenantId: ctx.tenantId, id });
  if (row === undefined) throw new NotFoundError(entity, id);
}

/** Checks several references of one entity with one query. @throws {NotFoundError} */
export async function assertAllExist(storage: Storage, ctx: TenantContext, entity: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  if (unique.length === 1) return assertExists(storage, ctx, entity, unique[0]);
  const rows = await storage.findMany({ model: modelOf(entity), tenantId: ctx.tenantId, where: { id: { in: unique } }, select: ['id'] });
  const found = new Set(rows.map((r) => (r as { id: string }).id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw new NotFoundError(entity, missing);
}

/**
 * Checks a link to a record given by entity name and id (a task's `link`, a
 * workflow subject): the name must be an entity that allows such links and the
 * record must exist in the tenant.
 * @throws {ValidationError} for an entity that does not exist or takes no such link @throws {NotFoundError}
 */
export async function assertLink(
  storage: Storage,
  ctx: TenantContext,
  link: { type: string; id: string },
  allowed: (entity: NonNullable<ReturnType<typeof entityNamed>>) => boolean,
  path: PropertyKey[],
): Promise<void> {
  const entity = entityNamed(link.type);
  if (entity === undefined || !allowed(entity)) {
    throw ValidationError.single(`${JSON.stringify(link.type)} is not an entity that can be linked here`, [...path, 'type']);
  }
  await assertExists(storage, ctx, entity.name, link.id);
}

/** The owned fields of a new record: tags and custom defaulted, custom validated. */
export function ownedDefaults(
  ctx: TenantContext,
  entity: CustomizableEntity,
  input: { ownerId?: string | null | undefined; tags?: string[] | undefined; custom?: Record<string, unknown> | undefined },
): { ownerId: string | null; tags: string[]; custom: Record<string, unknown> } {
  return {
    // Under access control a member's new record is theirs unless they name another owner (or `null`).
    ownerId: input.ownerId !== undefined ? input.ownerId : ctx.access !== null ? ctx.actorId : null,
    tags: input.tags ?? [],
    custom: parseCustom(ctx.runtime, entity, input.custom ?? {}),
  };
}

/** `custom` after an update: the new keys merged over the old, then validated as a whole. */
export function mergedCustom(
  ctx: TenantContext,
  entity: CustomizableEntity,
  before: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (patch === undefined) return undefined;
  const merged = { ...before, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key];
  return parseCustom(ctx.runtime, entity, merged);
}

/** Drops keys whose value is `undefined`, so a patch only names what it changes. */
export function defined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  return out;
}

/**
 * Walks up a parent chain from `parentId` and refuses when it reaches `id`, so
 * hierarchies (teams, parent companies) stay trees.
 * @throws {ValidationError}
 */
export async function assertNoCycle(
  id: string,
  parentId: string,
  parentOf: (id: string) => Promise<string | null>,
  field: string,
): Promise<void> {
  let current: string | null = parentId;
  for (let depth = 0; current !== null; depth++) {
    if (current === id || depth > 100) throw ValidationError.single('A record cannot be its own ancestor', [field]);
    current = await parentOf(current);
  }
}
