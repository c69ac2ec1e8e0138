import { TenantContext, type WriteScope } from '../common/context.js';

/**
 * The tenant context of `ctx` bound to the unit of work `w` writes in:
 * services made on it write in that transaction, and their events and audit
 * entries commit or roll back with the survey's.
 */
export function joinedContext(ctx: TenantContext, w: WriteScope): TenantContext {
  return new TenantContext(ctx.runtime, ctx.tenantId, ctx.actorId, w.unit);
}
