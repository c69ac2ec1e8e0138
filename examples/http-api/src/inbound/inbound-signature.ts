import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header an inbound provider signs its POST in: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const inboundSignatureHeader = 'x-inbound-signature';

/** The header value a provider sends for a body (tests and providers' configuration use it). */
export function signInbound(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Whether the header is the HMAC of the raw body under the channel's shared
 * secret. Compared in constant time, so that the time an answer takes tells
 * nothing about how much of a guessed signature was right. A channel without
 * a secret accepts nothing.
 */
export function verifyInbound(secret: string | undefined, rawBody: string, header: string | undefined): boolean {
  if (secret === undefined || secret === '' || header === undefined) return false;
  const expected = Buffer.from(signInbound(secret, rawBody));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
