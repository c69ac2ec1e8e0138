import type { TenantContext, WriteScope } from '../common/context.js';

/**
 * The tenant context of `ctx` bound to the unit of work `w` writes in:
 * services made on it write in that transaction, and their events and audit
 * entries commit or roll back with the survey's.
 */
export function joinedContext(ctx: TenantContext, w: WriteScope): TenantContext {
  return ctx.inUnit(w.unit);
}

/**
 * {@link joinedContext} without the actor's grant: for the services a
 * permitted write calls to keep what it implies (a survey answer's case
 * satisfaction, a detractor's escalation task). The actor is still the one
 * recorded in audit entries and events.
 */
export function systemJoinedContext(ctx: TenantContext, w: WriteScope): TenantContext {
  return ctx.inUnit(w.unit).asSystem();
}
