import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Which receivers webhooks may reach. `public`: addresses of the public
 * internet only, so that a tenant's subscription cannot make the server POST
 * into its own network (loopback, private ranges, link-local cloud metadata
 * at 169.254.169.254, unique-local IPv6...). `any`: every address, for a
 * receiver on the same machine or network (development, an internal system).
 */
export type WebhookNetwork = 'public' | 'any';

/** `dns.lookup` with `{ all: true }`: how {@link publicOnlyLookup} resolves a name. */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** A receiver the network policy refuses; the delivery fails with this message (and is retried: DNS may change). */
export class ReceiverAddressError extends Error {
  readonly code = 'WEBHOOK_RECEIVER_REFUSED';
}

/**
 * Whether an address is on the public internet: ipaddr.js's `unicast` range,
 * the one left when loopback, private, link-local, carrier-grade NAT,
 * multicast, reserved and the IPv6 special ranges are taken out. An
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is judged as its IPv4.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address().range() === 'unicast';
  return parsed.range() === 'unicast';
}

/**
 * Why the URL can never receive deliveries under `public`, read off the URL
 * alone (no DNS): its host is `localhost` (or a name under it) or an address
 * literal that is not public. Undefined when only a lookup can tell.
 */
export function literalRefusal(url: string): string | undefined {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this machine, not a public receiver`;
  if (ipaddr.isValid(host) && !isPublicAddress(host)) return `${host} is not a public address`;
  return undefined;
}

/** Why the network policy refuses the URL before any lookup (see {@link literalRefusal}); undefined under `any`. */
export function policyRefusal(network: WebhookNetwork, url: string): string | undefined {
  return network === 'public' ? literalRefusal(url) : undefined;
}

/**
 * A `lookup` for sockets that refuses a name resolving to any address that is
 * not public. It runs when the connection is made, on the addresses the
 * socket then uses, so a name that resolved to a public address when it was
 * checked cannot point inside the network by the time of the POST (DNS
 * rebinding).
 */
export function publicOnlyLookup(resolve: ResolveAll = dnsLookup as ResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const inside = addresses.find((a) => !isPublicAddress(a.address));
      if (inside !== undefined || addresses.length === 0) {
        const reason = inside === undefined ? `${hostname} has no address` : `${hostname} resolves to ${inside.address}, not a public address`;
        return callback(new ReceiverAddressError(reason), '', 4);
      }
      // net.connect asks for every address (to try them in turn); older callers for one.
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * The `fetch` deliveries use under `public`: undici's, on an agent whose
 * sockets resolve names through {@link publicOnlyLookup}. An address literal
 * skips the lookup, so the delivery checks it first ({@link literalRefusal}).
 */
export function publicOnlyFetch(resolve?: ResolveAll): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: publicOnlyLookup(resolve) } });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
