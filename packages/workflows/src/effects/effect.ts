import type { TenantScope } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { Subject } from '../definition.js';

/** What an effect handler receives when its job runs. */
export interface EffectContext<TParams = Record<string, unknown>> {
  /** The CRM services of the instance's tenant, in its system scope (`crm.system(tenantId)`): effects act for the tenant, on every record. */
  tenant: TenantScope;
  tenantId: string;
  instanceId: string;
  workflowId: string;
  subject: Subject | null;
  /** The action's params, as the machine gave them. */
  params: TParams;
  /**
   * Stable for this effect of this transition across retries: pass it to
   * external systems (email providers, webhooks) so a retried job is not done twice.
   */
  idempotencyKey: string;
  /** 1 for the first try. */
  attempt: number;
  /** The engine clock's time when the job started. */
  now: Date;
}

/**
 * What a handler may return: `reply`, an event for the effect's own instance.
 * It is applied in the transaction that records the job as done, so it
 * reaches the instance exactly once however often the handler ran: a failed
 * or superseded attempt's reply is dropped with its attempt. This is how a
 * machine gets an answer from the outside (a coverage check) without reading
 * a service itself. An instance that has finished or been stopped ignores it;
 * a reply its machine throws on fails the attempt, as a throwing handler would.
 * @example
 * async checkCoverage(ctx) {
 *   const { covered } = await ctx.tenant.contracts.isCovered(assetId, at, 'warranty_claim');
 *   return { reply: { type: 'coverageChecked', covered } };
 * }
 */
export interface EffectResult {
  reply?: EventObject;
}

/**
 * Runs a named action after the transition that produced it committed. It
 * runs at least once: a crash after it finished but before it was recorded
 * runs it again, with the same idempotency key. Throwing schedules a retry with
 * backoff; after the last attempt the job is dead-lettered. Returning
 * an {@link EffectResult} (or a promise of one) sends its `reply` event back to
 * the instance; any other return value is ignored. (The result is typed
 * `unknown` so that handlers written `(ctx) => api.call(ctx.params)`, which
 * return whatever the call returns, still compile.)
 */
export type EffectHandler<TParams = Record<string, unknown>> = (context: EffectContext<TParams>) => unknown;

/**
 * Declares a named action in a machine's `setup({ actions })` without an
 * in-process implementation: the durable runtime turns it into an outbox job
 * run by the handler of the same name given to the engine.
 * @example
 * setup({ actions: { sendEmail: effect<{ template: string }>() } })
 */
export function effect<TParams extends Record<string, unknown> = Record<string, unknown>>(): (_: unknown, params: TParams) => void {
  return () => undefined;
}
