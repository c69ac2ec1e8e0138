import type { Host } from '../host/host.js';

/**
 * One webhook subscription to show in `GET /api/v1/webhooks`: the board's
 * moves, won deals and the service desk's case events. It is created
 * inactive because the demo has no receiver: an active one would retry
 * every event against a URL nobody answers, then dead-letter it. Point it
 * at a receiver of yours and set `active: true` (README, "Webhooks").
 */
export async function seedWebhook(host: Host, tenantId: string): Promise<string> {
  const { subscription } = await host.webhooks.subscriptions.create(tenantId, {
    url: 'https://hooks.example.com/crm',
    eventTypes: ['deal.stageChanged', 'deal.won', 'case.*'],
    description: 'Example receiver (inactive until you point it at yours)',
    active: false,
  });
  return subscription.id;
}
