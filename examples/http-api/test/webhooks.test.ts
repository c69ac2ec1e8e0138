import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhooks } from '../src/webhooks/webhooks.js';
import { deliveryModel } from '../src/webhooks/webhook.models.js';
import { verifyWebhook } from '../src/webhooks/signature.js';
import { FakeReceiver } from './fake-receiver.js';
import { openTestHost, type TestHost } from './harness.js';

const hookUrl = 'https://hooks.example.com/crm';
let h: TestHost;
let receiver: FakeReceiver;

async function open(): Promise<void> {
  receiver = new FakeReceiver();
  h = await openTestHost({ fetch: receiver.fetch });
}
afterEach(() => h.close());

async function subscribe(eventTypes: string[], url = hookUrl): Promise<{ id: string; secret: string; version: number }> {
  const created = await h.call('POST', '/webhooks', { body: { url, eventTypes, description: 'CRM sync' } });
  expect(created.status).toBe(201);
  return created.body;
}

describe('outbound delivery', () => {
  it('delivers a subscribed event once, signed so that a receiver verifies it', async () => {
    await open();
    const { id, secret } = await subscribe(['contact.created']);
    expect(secret).toMatch(/^whsec_/);
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.call('PATCH', `/contacts/${ada.id}`, { body: { title: 'CTO' } }); // contact.updated: not subscribed
    await h.host.settle();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    const payload = JSON.parse(request!.body);
    expect(payload).toMatchObject({ type: 'contact.created', tenantId: 'acme', occurredAt: '2026-03-02T09:00:00.000Z', data: { record: { id: ada.id, firstName: 'Ada' } } });
    expect(request!.headers.get('webhook-id')).toBe(payload.id);
    expect(request!.headers.get('webhook-timestamp')).toBe(String(Date.parse('2026-03-02T09:00:00Z') / 1000));
    expect(request!.headers.get('idempotency-key')).toBeTruthy();
    expect(request!.headers.get('content-type')).toBe('application/json');

    const now = h.clock.now();
    expect(verifyWebhook({ secret, headers: request!.headers, body: request!.body, now })).toMatchObject({ ok: true, id: payload.id });
    expect(verifyWebhook({ secret, headers: request!.headers, body: request!.body.replace('Ada', 'Eve'), now })).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyWebhook({ secret: 'whsec_c29tZSBvdGhlciBrZXk=', headers: request!.headers, body: request!.body, now })).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyWebhook({ secret, headers: request!.headers, body: request!.body, now: new Date(now.getTime() + 301_000) }))
      .toEqual({ ok: false, reason: 'timestamp out of tolerance' });

    const deliveries = await h.call('GET', `/webhooks/${id}/deliveries`);
    expect(deliveries.body.items).toMatchObject([{ eventId: payload.id, eventType: 'contact.created', status: 'delivered', attempts: 1, responseStatus: 200 }]);
    // The secret is shown once: reads never carry it.
    expect((await h.call('GET', `/webhooks/${id}`)).body.secret).toBeUndefined();
    expect((await h.call('GET', '/webhooks')).body.items.map((s: { secret?: string }) => s.secret)).toEqual([undefined]);
  });

  it('matches entity patterns and `*`', async () => {
    await open();
    await subscribe(['deal.*'], 'https://a.example.com/deals');
    await subscribe(['*'], 'https://a.example.com/all');
    const { body: ada } = await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.call('PATCH', `/contacts/${ada.id}`, { body: { title: 'CTO' } });
    await h.host.settle();
    expect(receiver.to('https://a.example.com/deals')).toEqual([]);
    expect(receiver.to('https://a.example.com/all').map((r) => JSON.parse(r.body).type)).toEqual(['contact.created', 'contact.updated']);
  });

  it('delivers to a real HTTP server, which verifies the signature on the raw body', async () => {
    const verified: boolean[] = [];
    let secret = '';
    let clockNow = new Date();
    const server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
        const check = verifyWebhook({ secret, headers, body: raw, now: clockNow });
        verified.push(check.ok);
        res.writeHead(check.ok ? 204 : 401).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      receiver = new FakeReceiver();
      // A receiver on this machine: only reachable with `webhookNetwork: 'any'`.
      h = await openTestHost({ fetch: globalThis.fetch, webhookNetwork: 'any' });
      clockNow = h.clock.now();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = await subscribe(['contact.created'], url);
      secret = created.secret;
      await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
      await h.host.settle();
      expect(verified).toEqual([true]);
      expect((await h.call('GET', `/webhooks/${created.id}/deliveries`)).body.items).toMatchObject([{ status: 'delivered', responseStatus: 204 }]);
    } finally {
      server.close();
    }
  });
});

describe('retries and dead letters', () => {
  it('retries a failing receiver with backoff, dead-letters it after the last attempt, and sends it again when the API retries it', async () => {
    await open();
    receiver.status = 500;
    const { id } = await subscribe(['contact.created']);
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.settle();
    expect(receiver.requests).toHaveLength(1);
    expect((await h.call('GET', `/webhooks/${id}/deliveries`)).body.items).toMatchObject([{ status: 'failing', attempts: 1, responseStatus: 500, lastError: `POST ${hookUrl} answered 500` }]);

    // The engine's backoff: 1 s after the first failure, then doubling (the host's retryBaseMs and maxAttempts 6).
    h.clock.advance(999);
    await h.host.settle();
    expect(receiver.requests).toHaveLength(1);
    h.clock.advance(1);
    await h.host.settle();
    expect(receiver.requests).toHaveLength(2);
    receiver.unreachable = true; // a network error fails an attempt the same way
    for (const pause of [2000, 4000, 8000]) {
      h.clock.advance(pause);
      await h.host.settle();
    }
    receiver.unreachable = false;
    h.clock.advance(16_000);
    await h.host.settle();
    expect(receiver.requests).toHaveLength(3); // attempts 3 to 5 never reached it
    h.clock.advance(3_600_000);
    await h.host.settle();
    expect(receiver.requests).toHaveLength(3); // the sixth attempt was the last

    const [delivery] = (await h.call('GET', `/webhooks/${id}/deliveries`)).body.items;
    expect(delivery).toMatchObject({ status: 'dead', attempts: 6, responseStatus: 500 });
    const dead = await h.call('GET', `/webhook-dead-letters?subscriptionId=${id}`);
    expect(dead.body.items).toMatchObject([{ deliveryId: delivery.id, subscriptionId: id, eventType: 'contact.created', attempts: 6, lastError: `WebhookDeliveryError: POST ${hookUrl} answered 500` }]);

    receiver.status = 200;
    const retried = await h.call('POST', `/webhook-dead-letters/${dead.body.items[0].id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: delivery.id, status: 'pending' });
    await h.host.settle();
    expect(receiver.requests).toHaveLength(4);
    expect((await h.call('GET', `/webhooks/${id}/deliveries`)).body.items).toMatchObject([{ status: 'delivered', attempts: 1, responseStatus: 200 }]);
    expect((await h.call('GET', '/webhook-dead-letters')).body.items).toEqual([]);
    // Every attempt carried the same event id and idempotency key: a receiver deduplicates on them.
    expect(new Set(receiver.requests.map((r) => `${r.headers.get('webhook-id')} ${r.headers.get('idempotency-key')}`)).size).toBe(1);
    expect((await h.call('POST', `/webhook-dead-letters/${dead.body.items[0].id}/retry`)).status).toBe(404);
  });
});

describe('exactly one delivery per event and subscription', () => {
  it('delivers nothing twice when dispatch runs again, or reads the log again from the beginning', async () => {
    await open();
    await subscribe(['contact.created']);
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.settle();
    expect(await h.host.webhooks.dispatch()).toBe(0);
    // Rewind the dispatcher's cursor to the start of the log: the (subscription, event) rows stop every repeat.
    const { dispatchCursorModel, acrossTenants, cursorId } = await import('../src/webhooks/webhook.models.js');
    await h.host.crm.adapter.update({ model: dispatchCursorModel, tenantId: acrossTenants, id: cursorId, data: { position: null } });
    expect(await h.host.webhooks.dispatch()).toBe(0);
    await h.host.settle();
    expect(receiver.requests).toHaveLength(1);
  });

  it('lets only one of two dispatchers that read the same page start its deliveries', async () => {
    await open();
    await subscribe(['contact.created']);
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.call('POST', '/contacts', { body: { firstName: 'Grace' } });
    // A second dispatcher, as another process would run it, on the same database and engine.
    const other = new Webhooks({ crm: h.host.crm, clock: h.clock, fetch: receiver.fetch, maxAttempts: 6 });
    other.bind(h.host.engine);
    const started = await Promise.all([h.host.webhooks.dispatch(), other.dispatch()]);
    expect(started.sort()).toEqual([0, 2]);
    await h.host.settle();
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.record.firstName).sort()).toEqual(['Ada', 'Grace']);
  });
});

describe('tenant isolation', () => {
  it("never delivers another tenant's events to a subscription", async () => {
    await open();
    await subscribe(['*'], 'https://acme.example.com/hook');
    const globex = h.host.crm.system('globex');
    await h.host.webhooks.subscriptions.create('globex', { url: 'https://globex.example.com/hook', eventTypes: ['contact.*'] });
    await globex.contacts.create({ firstName: 'Gus' });
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.settle();
    expect(receiver.to('https://acme.example.com/hook').map((r) => JSON.parse(r.body))).toMatchObject([{ tenantId: 'acme', data: { record: { firstName: 'Ada' } } }]);
    expect(receiver.to('https://globex.example.com/hook').map((r) => JSON.parse(r.body))).toMatchObject([{ tenantId: 'globex', data: { record: { firstName: 'Gus' } } }]);
    // Nor can one tenant's API key see the other's subscriptions.
    const [globexHook] = (await h.host.webhooks.subscriptions.list('globex', { limit: 10 })).items;
    expect((await h.call('GET', `/webhooks/${globexHook!.id}`)).status).toBe(404);
  });
});

describe('the subscriptions API', () => {
  it('lets admins and managers manage subscriptions, and refuses other roles', async () => {
    await open();
    expect((await h.call('GET', '/webhooks', { as: 'rep' })).status).toBe(403);
    expect((await h.call('POST', '/webhooks', { as: 'agent', body: { url: hookUrl, eventTypes: ['*'] } })).status).toBe(403);
    expect((await h.call('GET', '/webhook-dead-letters', { as: 'rep' })).status).toBe(403);
    const created = await h.call('POST', '/webhooks', { as: 'manager', body: { url: hookUrl, eventTypes: ['deal.won'] } });
    expect(created.status).toBe(201);
    expect((await h.call('GET', `/webhooks/${created.body.id}`, { as: 'rep' })).status).toBe(403);
    expect((await h.call('GET', `/webhooks/${created.body.id}`, { as: 'manager' })).body).toMatchObject({ url: hookUrl, eventTypes: ['deal.won'], active: true, version: 1 });
  });

  it('answers unknown event types and bad URLs with 422', async () => {
    await open();
    const bad = await h.call('POST', '/webhooks', { body: { url: 'ftp://x.example.com', eventTypes: ['deal.won', 'deal.exploded', 'nope.*'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: (string | number)[] }) => i.path.join('.')).sort()).toEqual(['eventTypes.1', 'eventTypes.2', 'url']);
    expect((await h.call('POST', '/webhooks', { body: { url: hookUrl, eventTypes: [] } })).status).toBe(422);
  });

  it('changes a subscription with If-Match, and a deactivated or deleted one gets nothing', async () => {
    await open();
    const { id } = await subscribe(['contact.created']);
    const paused = await h.call('PATCH', `/webhooks/${id}`, { body: { active: false }, headers: { 'if-match': '"1"' } });
    expect(paused.body).toMatchObject({ active: false, version: 2 });
    expect((await h.call('PATCH', `/webhooks/${id}`, { body: { active: true }, headers: { 'if-match': '"1"' } })).body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.settle();
    expect(receiver.requests).toEqual([]);

    await h.call('PATCH', `/webhooks/${id}`, { body: { active: true } });
    await h.call('POST', '/contacts', { body: { firstName: 'Grace' } });
    await h.host.webhooks.dispatch(); // the delivery is started...
    expect((await h.call('DELETE', `/webhooks/${id}`)).status).toBe(204); // ...and the subscription deleted before it runs
    await h.host.settle();
    expect(receiver.requests).toEqual([]);
    expect((await h.call('GET', `/webhooks/${id}`)).status).toBe(404);
    // The paused subscription started nothing; the deleted one's delivery stays on record as skipped.
    const rows = await h.host.crm.adapter.findMany({ model: deliveryModel, tenantId: 'acme', where: { subscriptionId: id } });
    expect(rows).toMatchObject([{ eventType: 'contact.created', status: 'skipped', attempts: 0, lastError: 'The subscription was deleted' }]);
  });
});
