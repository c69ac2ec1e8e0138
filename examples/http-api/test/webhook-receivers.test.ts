import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPublicAddress, literalRefusal, publicOnlyFetch, publicOnlyLookup, type ResolveAll } from '../src/webhooks/receiver-address.js';
import { openTestHost, type TestHost } from './harness.js';

/**
 * The network policy of outbound webhooks (`webhookNetwork`, default
 * `public`): a tenant's subscription must not make the server POST into its
 * own network, neither by naming an address nor by a name that resolves there.
 */

let h: TestHost | undefined;
let server: Server | undefined;
afterEach(async () => {
  await h?.close();
  server?.close();
  h = server = undefined;
});

/** A local HTTP server that counts the requests it gets. */
async function localReceiver(): Promise<{ port: number; requests: () => number }> {
  let count = 0;
  server = createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(204).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, requests: () => count };
}

describe('which addresses are public', () => {
  it.each([
    ['93.184.216.34', true], ['8.8.8.8', true], ['2606:4700:4700::1111', true],
    ['127.0.0.1', false], ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], ['169.254.169.254', false],
    ['100.64.0.1', false], ['0.0.0.0', false], ['224.0.0.1', false], ['255.255.255.255', false],
    ['::1', false], ['::', false], ['fe80::1', false], ['fd00::1', false], ['::ffff:10.0.0.1', false], ['::ffff:8.8.8.8', true],
    ['not an address', false],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses from the URL alone only what no lookup can change', () => {
    expect(literalRefusal('http://localhost:8080/hook')).toBe('localhost is this machine, not a public receiver');
    expect(literalRefusal('http://api.localhost/hook')).toBe('api.localhost is this machine, not a public receiver');
    expect(literalRefusal('http://[::1]:3000/')).toBe('::1 is not a public address');
    // WHATWG URL parsing writes odd IPv4 forms out, so they cannot slip past.
    expect(literalRefusal('http://0x7f.1/')).toBe('127.0.0.1 is not a public address');
    expect(literalRefusal('https://hooks.example.com/crm')).toBeUndefined();
    expect(literalRefusal('https://93.184.216.34/crm')).toBeUndefined();
  });
});

describe('the lookup of a delivery socket', () => {
  const resolve: ResolveAll = (hostname, _options, callback) => callback(null, hostname === 'mixed.test'
    ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }]
    : [{ address: '93.184.216.34', family: 4 }, { address: '2606:4700:4700::1111', family: 6 }]);
  const lookUp = (hostname: string, all: boolean) => new Promise<unknown[]>((done) => {
    publicOnlyLookup(resolve)(hostname, { all }, (...args: unknown[]) => done(args));
  });

  it('answers every address when all are public, in the shape the socket asked for', async () => {
    expect(await lookUp('hooks.example.com', true)).toEqual([null, [{ address: '93.184.216.34', family: 4 }, { address: '2606:4700:4700::1111', family: 6 }]]);
    expect(await lookUp('hooks.example.com', false)).toEqual([null, '93.184.216.34', 4]);
  });

  it('refuses a name with any address inside the network, even beside a public one', async () => {
    const [error] = await lookUp('mixed.test', true);
    expect(error).toMatchObject({ code: 'WEBHOOK_RECEIVER_REFUSED', message: 'mixed.test resolves to 10.0.0.7, not a public address' });
  });
});

describe('subscribing', () => {
  it('answers a receiver inside the network with 422 under the default policy', async () => {
    h = await openTestHost();
    for (const url of ['http://localhost:9000/hook', 'http://127.0.0.1/hook', 'http://[::1]/hook', 'http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data']) {
      const res = await h.call('POST', '/webhooks', { body: { url, eventTypes: ['*'] } });
      expect(res.status, url).toBe(422);
      expect(res.body.issues[0]).toMatchObject({ path: ['url'] });
      expect(res.body.issues[0].message).toMatch(/^Webhooks go to public receivers only: /);
    }
    const created = await h.call('POST', '/webhooks', { body: { url: 'https://hooks.example.com/crm', eventTypes: ['*'] } });
    expect(created.status).toBe(201);
    const moved = await h.call('PATCH', `/webhooks/${created.body.id}`, { body: { url: 'http://192.168.0.10/crm' } });
    expect(moved.status).toBe(422);
    expect((await h.call('GET', `/webhooks/${created.body.id}`)).body.url).toBe('https://hooks.example.com/crm');
  });

  it("takes any receiver with webhookNetwork: 'any'", async () => {
    h = await openTestHost({ webhookNetwork: 'any' });
    expect((await h.call('POST', '/webhooks', { body: { url: 'http://127.0.0.1:9000/hook', eventTypes: ['*'] } })).status).toBe(201);
  });
});

describe('delivering', () => {
  it('refuses, when it connects, a name that resolves inside the network, and says so in the delivery', async () => {
    const receiver = await localReceiver();
    // A name a tenant controls, pointed at this machine (as DNS rebinding would after the subscription was checked).
    const resolve: ResolveAll = (hostname, _options, callback) =>
      hostname === 'hooks.tenant.test' ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    h = await openTestHost({ fetch: publicOnlyFetch(resolve) });
    const url = `http://hooks.tenant.test:${receiver.port}/hook`;
    const { body: subscription } = await h.call('POST', '/webhooks', { body: { url, eventTypes: ['contact.created'] } });
    await h.call('POST', '/contacts', { body: { firstName: 'Ada' } });
    await h.host.settle();

    expect(receiver.requests()).toBe(0);
    const { body: deliveries } = await h.call('GET', `/webhooks/${subscription.id}/deliveries`);
    expect(deliveries.items).toMatchObject([{ status: 'failing', attempts: 1, responseStatus: null }]);
    expect(deliveries.items[0].lastError).toBe(`POST ${url} failed: fetch failed: hooks.tenant.test resolves to 127.0.0.1, not a public address`);
  });
});
