import type { TenantScope } from '@crmkit/core';
import type { Subject } from '../definition.js';

/** What an effect handler receives when its job runs. */
export interface EffectContext<TParams = Record<string, unknown>> {
  /** The CRM services of the instance's tenant. */
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
 * Runs a named action after the transition that produced it committed. It
 * runs at least once: a crash after it finished but before it was recorded
 * runs it again, with the same idempotency key. Throwing schedules a retry with
 * backoff; after the last attempt the job is dead-lettered.
 */
export type EffectHandler<TParams = Record<string, unknown>> = (context: EffectContext<TParams>) => Promise<void> | void;

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
