import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the Standard Webhooks scheme
 * (https://www.standardwebhooks.com): the secret is `whsec_<base64 key>`, and
 * `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
 * so a receiver can use any Standard Webhooks library or the
 * {@link verifyWebhook} below.
 */
const prefix = 'whsec_';

/** A new subscription secret: 24 random bytes. */
export function newWebhookSecret(): string {
  return prefix + randomBytes(24).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(prefix) ? secret.slice(prefix.length) : secret, 'base64');
}

/** The `v1,...` signature of one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** What {@link verifyWebhook} checks. */
export interface VerifyWebhookOptions {
  /** The subscription's secret, `whsec_...`. */
  secret: string;
  /** The request's headers (a `Headers` or a plain object with lower-case names). */
  headers: Headers | Record<string, string | undefined>;
  /** The raw body, exactly as received: re-serialised JSON would not match. */
  body: string;
  /** How far the timestamp may be from now, against replays. @default 300 */
  toleranceSeconds?: number;
  /** @default the current time */
  now?: Date;
}

/** The result of {@link verifyWebhook}. */
export type VerifyWebhookResult = { ok: true; id: string; timestamp: number } | { ok: false; reason: 'missing headers' | 'timestamp out of tolerance' | 'bad signature' };

/**
 * Checks a delivery as its receiver would: the three headers present, the
 * timestamp within the tolerance (an old message replayed is refused), and
 * one of the space-separated `v1,` signatures (several during a secret
 * rotation) equal to the expected one, compared in constant time.
 * @example
 * const check = verifyWebhook({ secret, headers: req.headers, body: rawBody });
 * if (!check.ok) return res.status(401).end();
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyWebhookResult {
  const header = (name: string) => (options.headers instanceof Headers ? options.headers.get(name) ?? undefined : options.headers[name]);
  const id = header('webhook-id');
  const timestamp = Number(header('webhook-timestamp'));
  const signatures = header('webhook-signature');
  if (id === undefined || signatures === undefined || !Number.isInteger(timestamp)) return { ok: false, reason: 'missing headers' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'timestamp out of tolerance' };
  const expected = Buffer.from(signWebhook(options.secret, id, timestamp, options.body));
  const matches = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, id, timestamp } : { ok: false, reason: 'bad signature' };
}
