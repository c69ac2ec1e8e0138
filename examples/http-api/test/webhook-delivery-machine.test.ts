import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm, ManualClock } from '@crmkit/core';
import { createWorkflowEngine, type EffectContext, type EffectResult, workflowMigrations } from '@crmkit/workflows';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebhookDeliveryContext, type WebhookDeliveryInput, webhookDelivery } from '../src/webhooks/webhook-delivery.machine.js';

let crm: Crm;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock('2026-03-02T09:00:00.000Z');
  crm = await createCrm({ adapter: sqliteAdapter({ filename: ':memory:' }), clock, migrations: workflowMigrations });
  await crm.migrate();
});
afterEach(() => crm.close());

const input: WebhookDeliveryInput = { deliveryId: 'd1', subscriptionId: 's1', eventId: 'e1', eventType: 'deal.won' };

/** An engine whose `deliverWebhook` handler is the given function, with the host's retry policy shortened to 3 attempts. */
function engineWith(deliverWebhook: (ctx: EffectContext) => EffectResult | Promise<EffectResult>) {
  return createWorkflowEngine({ crm, clock, workflows: [webhookDelivery], actions: { deliverWebhook }, retryBaseMs: 1000, maxAttempts: 3 });
}

describe('the webhook-delivery machine', () => {
  it('runs deliverWebhook with its input as params and finishes delivered on the reply', async () => {
    const calls: EffectContext[] = [];
    const engine = engineWith((ctx) => {
      calls.push(ctx);
      return { reply: { type: 'delivered', responseStatus: 204, attempts: ctx.attempt } };
    });
    const run = await engine.start('acme', 'webhook-delivery', { input });
    expect([run.state, run.status]).toEqual(['delivering', 'active']);
    expect(calls).toEqual([]); // an effect runs after its transition committed, from the job row
    await engine.runDue();
    expect(calls.map((c) => c.params)).toEqual([input]);
    const done = await engine.get('acme', run.id);
    expect([done.state, done.status]).toEqual(['delivered', 'done']);
    expect(done.context).toMatchObject({ responseStatus: 204, attempts: 1, skippedBecause: null } satisfies Partial<WebhookDeliveryContext>);
  });

  it('waits in delivering while the effect fails, retried with backoff, and is dead-lettered after the last attempt', async () => {
    let up = false;
    const attempts: number[] = [];
    const engine = engineWith((ctx) => {
      attempts.push(ctx.attempt);
      if (!up) throw new Error('receiver down');
      return { reply: { type: 'delivered', responseStatus: 200, attempts: ctx.attempt } };
    });
    const run = await engine.start('acme', 'webhook-delivery', { input });
    await engine.runDue();
    clock.advance(999);
    expect((await engine.runDue()).jobsFailed).toBe(0); // the first retry waits retryBaseMs
    clock.advance(1);
    expect((await engine.runDue()).jobsFailed).toBe(1);
    clock.advance(2000); // then twice that
    await engine.runDue();
    expect(attempts).toEqual([1, 2, 3]);
    const [dead] = await engine.deadJobs('acme');
    expect(dead).toMatchObject({ action: 'deliverWebhook', attempts: 3, lastError: 'Error: receiver down', params: input });
    expect((await engine.get('acme', run.id)).state).toBe('delivering');

    up = true;
    await engine.retryJob('acme', dead!.id);
    await engine.runDue();
    expect((await engine.get('acme', run.id)).state).toBe('delivered');
    expect(await engine.deadJobs('acme')).toEqual([]);
  });

  it('finishes skipped when the handler replies that the subscription is gone', async () => {
    const engine = engineWith(() => ({ reply: { type: 'skipped', reason: 'The subscription was deleted' } }));
    const run = await engine.start('acme', 'webhook-delivery', { input });
    await engine.runDue();
    const done = await engine.get('acme', run.id);
    expect([done.state, (done.context as WebhookDeliveryContext).skippedBecause]).toEqual(['skipped', 'The subscription was deleted']);
    expect((await engine.history('acme', run.id)).map((s) => s.toState)).toEqual(['delivering', 'skipped']);
  });
});
