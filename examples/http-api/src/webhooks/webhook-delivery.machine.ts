import { defineWorkflow, effect } from '@crmkit/workflows';
import { assign, setup } from 'xstate';

/** Input of `webhook-delivery`: one event for one subscription, and the delivery row that records it. */
export interface WebhookDeliveryInput {
  deliveryId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
}

/** Params of the `deliverWebhook` effect: the input as it is, so a dead letter names its subscription and event. */
export type DeliverWebhookParams = WebhookDeliveryInput & Record<string, unknown>;

/** Events of `webhook-delivery`: the replies of the `deliverWebhook` effect. */
export type WebhookDeliveryEvent =
  /** The receiver answered 2xx. */
  | { type: 'delivered'; responseStatus: number; attempts: number }
  /** Not sent: the subscription was deleted or deactivated, or the event is gone. */
  | { type: 'skipped'; reason: string };

/** Context of `webhook-delivery`. */
export interface WebhookDeliveryContext extends WebhookDeliveryInput {
  responseStatus: number | null;
  attempts: number;
  skippedBecause: string | null;
}

/**
 * One webhook delivery: `delivering` runs the `deliverWebhook` effect, whose
 * handler POSTs the event and replies `delivered` (final) or `skipped`
 * (final). A failed POST throws instead, so the engine retries the effect
 * with backoff and, after its last attempt, dead-letters it; the instance
 * waits in `delivering` meanwhile, and a dead letter put back with
 * `engine.retryJob` can still finish it.
 */
export const webhookDeliveryMachine = setup({
  types: {} as { input: WebhookDeliveryInput; context: WebhookDeliveryContext; events: WebhookDeliveryEvent },
  actions: {
    deliverWebhook: effect<DeliverWebhookParams>(),
    recordDelivery: assign(({ event }) => (event.type === 'delivered' ? { responseStatus: event.responseStatus, attempts: event.attempts } : {})),
    recordSkip: assign(({ event }) => (event.type === 'skipped' ? { skippedBecause: event.reason } : {})),
  },
}).createMachine({
  id: 'webhook-delivery',
  context: ({ input }) => ({ ...input, responseStatus: null, attempts: 0, skippedBecause: null }),
  initial: 'delivering',
  states: {
    delivering: {
      entry: {
        type: 'deliverWebhook',
        params: ({ context }) => ({ deliveryId: context.deliveryId, subscriptionId: context.subscriptionId, eventId: context.eventId, eventType: context.eventType }),
      },
      on: {
        delivered: { target: 'delivered', actions: 'recordDelivery' },
        skipped: { target: 'skipped', actions: 'recordSkip' },
      },
    },
    delivered: { type: 'final' },
    skipped: { type: 'final' },
  },
});

/** The `webhook-delivery` workflow, version 1. */
export const webhookDelivery = defineWorkflow({ id: 'webhook-delivery', version: 1, machine: webhookDeliveryMachine });
