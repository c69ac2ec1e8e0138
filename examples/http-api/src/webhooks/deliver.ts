import { type Clock, coreModels, CrmError, type Storage } from '@crmkit/core';
import type { EffectContext, EffectHandler, EffectResult } from '@crmkit/workflows';
import { toJson } from '../http/json.js';
import { disableIfUnreachable } from './auto-disable.js';
import { policyRefusal, type WebhookNetwork } from './receiver-address.js';
import { signWebhook } from './signature.js';
import { type DeliveryStatus, deliveryModel, subscriptionModel } from './webhook.models.js';
import type { DeliverWebhookParams, WebhookDeliveryEvent } from './webhook-delivery.machine.js';

/** A POST the receiver did not accept (non-2xx, network error, timeout): thrown so that the engine retries it. */
export class WebhookDeliveryError extends CrmError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('WEBHOOK_DELIVERY_FAILED', message, options);
  }
}

/** What the `deliverWebhook` handler needs. */
export interface DeliverDeps {
  /** crmkit's storage, for the host's tables and the event log. */
  storage: Storage;
  fetch: typeof fetch;
  clock: Clock;
  /** The engine's `maxAttempts`: the attempt that fails with this number is the last one. */
  maxAttempts: number;
  /** How long a receiver may take to answer. */
  timeoutMs: number;
  /** Under `public`, a URL that names an address inside the network fails without a request (stored before the policy, say). */
  network: WebhookNetwork;
  /** Dead deliveries in a row after which the subscription is turned off (see auto-disable.ts); 0 never. */
  disableAfterDeadDeliveries: number;
}

/** What failed, down to the cause: undici's `fetch failed` says nothing, its cause (refused, timed out, no such host) does. */
function failure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause === undefined || cause === message ? message : `${message}: ${cause}`;
}

/** The JSON body of every delivery. */
export interface WebhookPayload {
  id: string;
  type: string;
  tenantId: string;
  occurredAt: string;
  data: unknown;
}

/**
 * The `deliverWebhook` effect handler: POSTs the event to the subscription's
 * URL, signed, and records the outcome in the delivery row. A 2xx replies
 * `delivered` to the instance; anything else throws, and the engine retries
 * the effect with backoff until it dead-letters it. The `Idempotency-Key` is
 * the effect's, the same on every retry, and `webhook-id` is the event id, so
 * a receiver that saw a message already can drop it.
 */
export function deliverWebhookHandler(deps: DeliverDeps): EffectHandler {
  const { storage } = deps;
  return async (ctx: EffectContext): Promise<EffectResult> => {
    const { deliveryId, subscriptionId, eventId } = ctx.params as DeliverWebhookParams;
    const { tenantId } = ctx;
    const record = (data: { status: DeliveryStatus } & Partial<NonNullable<(typeof deliveryModel)['rowType']>>) =>
      storage.update({ model: deliveryModel, tenantId, id: deliveryId, data: { ...data, updatedAt: deps.clock.now().toISOString() } });
    const skip = async (reason: string): Promise<EffectResult> => {
      await record({ status: 'skipped', lastError: reason });
      const reply: WebhookDeliveryEvent = { type: 'skipped', reason };
      return { reply };
    };

    const subscription = await storage.findOne({ model: subscriptionModel, tenantId, id: subscriptionId });
    if (!subscription) return skip('The subscription was deleted');
    if (!subscription.active) return skip('The subscription is not active');
    const event = await storage.findOne({ model: coreModels.event, tenantId, id: eventId });
    if (!event) return skip('The event is no longer stored');

    const payload: WebhookPayload = { id: event.id, type: event.type, tenantId, occurredAt: event.occurredAt, data: event.data };
    const body = toJson(payload);
    const timestamp = Math.floor(ctx.now.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signingSecrets(subscription, ctx.now).map((secret) => signWebhook(secret, event.id, timestamp, body)).join(' '),
      'idempotency-key': ctx.idempotencyKey,
      'user-agent': 'crmkit-http-api-webhooks/1',
    };
    const attempt = { attempts: ctx.attempt, lastAttemptAt: ctx.now.toISOString() };
    /** Records a failed attempt (the last one: dead, which may turn the subscription off) and throws, for the engine to retry. */
    const fail = async (responseStatus: number | null, message: string, cause?: unknown): Promise<never> => {
      const status = failedStatus(ctx.attempt, deps.maxAttempts);
      await record({ ...attempt, status, responseStatus, lastError: message });
      if (status === 'dead') await disableIfUnreachable(storage, tenantId, subscriptionId, deps.disableAfterDeadDeliveries, ctx.now);
      throw new WebhookDeliveryError(message, cause === undefined ? {} : { cause });
    };
    let response: Response;
    try {
      const refusal = policyRefusal(deps.network, subscription.url);
      if (refusal !== undefined) throw new Error(`refused: ${refusal}`);
      response = await deps.fetch(subscription.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs) });
    } catch (error) {
      return fail(null, `POST ${subscription.url} failed: ${failure(error)}`, error);
    }
    // The body is not read: only the status counts, and an unread body would hold the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      return fail(response.status, `POST ${subscription.url} answered ${response.status}`);
    }
    await record({ ...attempt, status: 'delivered', responseStatus: response.status, lastError: null, deliveredAt: ctx.now.toISOString() });
    const reply: WebhookDeliveryEvent = { type: 'delivered', responseStatus: response.status, attempts: ctx.attempt };
    return { reply };
  };
}

/** The secrets that sign now: the subscription's, and during a rotation's overlap the one before it. */
export function signingSecrets(subscription: { secret: string; previousSecret: string | null; previousSecretExpiresAt: string | null }, now: Date): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = subscription;
  const overlapping = previousSecret !== null && previousSecretExpiresAt !== null && now.getTime() < Date.parse(previousSecretExpiresAt);
  return overlapping ? [secret, previousSecret] : [secret];
}

/** A failed attempt leaves the delivery retrying, or dead when the engine will not try again. */
function failedStatus(attempt: number, maxAttempts: number): DeliveryStatus {
  return attempt >= maxAttempts ? 'dead' : 'failing';
}
