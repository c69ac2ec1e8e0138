import { afterEach, describe, expect, it } from 'vitest';
import { FakeReceiver } from './fake-receiver.js';
import { openTestHost, type TestHost } from './harness.js';

/**
 * A subscription whose receiver is gone is turned off by the server after
 * `disableWebhookAfterDeadDeliveries` dead deliveries in a row (2 here), and
 * turned on again by a person.
 */

let h: TestHost;
let receiver: FakeReceiver;
afterEach(() => h.close());

async function open(): Promise<string> {
  receiver = new FakeReceiver();
  h = await openTestHost({ fetch: receiver.fetch, disableWebhookAfterDeadDeliveries: 2 });
  const created = await h.call('POST', '/webhooks', { body: { url: 'https://hooks.example.com/crm', eventTypes: ['contact.created'] } });
  return created.body.id;
}

/** One event, and every attempt of its delivery: the host's backoff is 1 s doubling, six attempts. */
async function oneEvent(name: string): Promise<void> {
  await h.call('POST', '/contacts', { body: { firstName: name } });
  await h.host.settle();
  for (const pause of [1000, 2000, 4000, 8000, 16_000]) {
    h.clock.advance(pause);
    await h.host.settle();
  }
}

describe('turning off an unreachable subscription', () => {
  it('turns it off after two dead deliveries in a row, sends nothing more, and a PATCH turns it on again', async () => {
    const id = await open();
    receiver.status = 503;
    await oneEvent('Ada');
    expect((await h.call('GET', `/webhooks/${id}`)).body).toMatchObject({ active: true, disabledAt: null });
    await oneEvent('Bob');
    const off = (await h.call('GET', `/webhooks/${id}`)).body;
    expect(off).toMatchObject({ active: false, disabledReason: 'The last 2 deliveries failed on every attempt' });
    expect(off.disabledAt).toBe(h.clock.now().toISOString());
    expect(receiver.requests).toHaveLength(12);

    receiver.status = 200;
    await oneEvent('Cy');
    expect(receiver.requests).toHaveLength(12);

    const on = await h.call('PATCH', `/webhooks/${id}`, { body: { active: true }, headers: { 'if-match': `"${off.version}"` } });
    expect(on.body).toMatchObject({ active: true, disabledAt: null, disabledReason: null });
    await oneEvent('Di');
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.record.firstName).slice(-1)).toEqual(['Di']);
    const { body: deliveries } = await h.call('GET', `/webhooks/${id}/deliveries`);
    expect(deliveries.items.map((d: { status: string }) => d.status)).toEqual(['delivered', 'dead', 'dead']);
  });

  it('keeps it on while deliveries still get through between dead ones', async () => {
    const id = await open();
    receiver.status = 500;
    await oneEvent('Ada');
    receiver.status = 200;
    await oneEvent('Bob');
    receiver.status = 500;
    await oneEvent('Cy');
    expect((await h.call('GET', `/webhooks/${id}`)).body).toMatchObject({ active: true, disabledAt: null, disabledReason: null });
  });
});
