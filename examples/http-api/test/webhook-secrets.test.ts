import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/webhooks/signature.js';
import { FakeReceiver } from './fake-receiver.js';
import { openTestHost, type TestHost } from './harness.js';

/**
 * Rotating a subscription's signing secret (`POST /webhooks/{id}/rotate-secret`):
 * during the overlap every delivery carries a signature by each secret, so a
 * receiver holding either accepts it; after it, only the new one signs.
 */

let h: TestHost;
let receiver: FakeReceiver;
afterEach(() => h.close());

async function open(): Promise<{ id: string; secret: string; version: number }> {
  receiver = new FakeReceiver();
  h = await openTestHost({ fetch: receiver.fetch });
  const created = await h.call('POST', '/webhooks', { body: { url: 'https://hooks.example.com/crm', eventTypes: ['contact.created'] } });
  expect(created.status).toBe(201);
  return created.body;
}

/** Creates a contact and returns the POST its event made. */
async function deliverOne(): Promise<{ headers: Headers; body: string }> {
  await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
  await h.host.settle();
  return receiver.requests.at(-1)!;
}

const verifies = (secret: string, request: { headers: Headers; body: string }, now: Date) => verifyWebhook({ secret, headers: request.headers, body: request.body, now }).ok;

describe('rotating the signing secret', () => {
  it('signs with both secrets during the overlap, then with the new one only', async () => {
    const { id, secret: old, version } = await open();
    const rotated = await h.call('POST', `/webhooks/${id}/rotate-secret`, { body: { overlapSeconds: 3600 }, headers: { 'if-match': `"${version}"` } });
    expect(rotated.status).toBe(200);
    const { secret: fresh } = rotated.body;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(rotated.body).toMatchObject({ id, version: version + 1, previousSecretExpiresAt: '2026-03-02T10:00:00.000Z' });
    expect(rotated.headers.get('etag')).toBe(`"${version + 1}"`);
    // Reads show until when the old secret signs, never a secret.
    const read = (await h.call('GET', `/webhooks/${id}`)).body;
    expect(read.previousSecretExpiresAt).toBe('2026-03-02T10:00:00.000Z');
    expect(read.secret).toBeUndefined();
    expect(read.previousSecret).toBeUndefined();

    const during = await deliverOne();
    expect(during.headers.get('webhook-signature')!.split(' ')).toHaveLength(2);
    expect([verifies(old, during, h.clock.now()), verifies(fresh, during, h.clock.now())]).toEqual([true, true]);

    h.clock.advance(3_600_000);
    const after = await deliverOne();
    expect(after.headers.get('webhook-signature')!.split(' ')).toHaveLength(1);
    expect([verifies(old, after, h.clock.now()), verifies(fresh, after, h.clock.now())]).toEqual([false, true]);
  });

  it('ends the old secret at once with overlapSeconds 0, and by default keeps it a day', async () => {
    const { id, secret: old } = await open();
    const now = await h.call('POST', `/webhooks/${id}/rotate-secret`, { body: { overlapSeconds: 0 } });
    expect(now.body.previousSecretExpiresAt).toBeNull();
    const request = await deliverOne();
    expect([verifies(old, request, h.clock.now()), verifies(now.body.secret, request, h.clock.now())]).toEqual([false, true]);

    // Without a body: a day. A second rotation keeps only the secret it replaces.
    const first = await h.call('POST', `/webhooks/${id}/rotate-secret`);
    expect(first.body.previousSecretExpiresAt).toBe('2026-03-03T09:00:00.000Z');
    const second = await h.call('POST', `/webhooks/${id}/rotate-secret`, { body: {} });
    const both = await deliverOne();
    expect([now.body.secret, first.body.secret, second.body.secret].map((s) => verifies(s, both, h.clock.now()))).toEqual([false, true, true]);
  });

  it('refuses a stale If-Match, a bad overlap, an unknown subscription and other roles', async () => {
    const { id, version } = await open();
    const stale = await h.call('POST', `/webhooks/${id}/rotate-secret`, { headers: { 'if-match': `"${version + 5}"` } });
    expect(stale).toMatchObject({ status: 409, body: { code: 'VERSION_CONFLICT', currentVersion: version } });
    for (const overlapSeconds of [-1, 1.5, 7 * 86_400 + 1]) {
      expect((await h.call('POST', `/webhooks/${id}/rotate-secret`, { body: { overlapSeconds } })).status).toBe(422);
    }
    expect((await h.call('POST', '/webhooks/01J00000000000000000000000/rotate-secret')).status).toBe(404);
    expect((await h.call('POST', `/webhooks/${id}/rotate-secret`, { as: 'rep' })).status).toBe(403);
    // Nothing of that changed the subscription.
    expect((await h.call('GET', `/webhooks/${id}`)).body.version).toBe(version);
  });
});
