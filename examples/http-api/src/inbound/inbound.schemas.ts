import { z } from 'zod';

/**
 * An inbound email as a provider's webhook posts it (the fields of
 * Postmark's inbound JSON, which Mailgun's and SendGrid's can be mapped to).
 * Loose: providers send many more fields, which are ignored.
 */
export const inboundEmailSchema = z.looseObject({
  /** `ada@example.com` or `Ada Lovelace <ada@example.com>`. */
  From: z.string().trim().min(3).max(400),
  FromName: z.string().trim().max(200).optional(),
  Subject: z.string().max(500).optional(),
  TextBody: z.string().max(1_000_000).optional(),
  /** The provider's id of the message: a second POST of it is a duplicate. */
  MessageID: z.string().trim().min(1).max(500),
  /** The `Message-ID` of the message it answers (an agent's response), which threads it onto that case. */
  InReplyTo: z.string().trim().min(1).max(500).optional(),
});

/** An inbound SMS as Twilio posts it (`application/x-www-form-urlencoded`); other fields are ignored. */
export const inboundSmsSchema = z.looseObject({
  From: z.string().trim().min(3).max(40),
  Body: z.string().max(1600),
  MessageSid: z.string().trim().min(1).max(64),
});

/** What the inbound endpoints answer: where the message went. */
export interface InboundResult {
  caseId: string;
  caseNumber: number;
  contactId: string;
  interactionId: string;
  /** The message opened a new case (else it threaded onto one). */
  opened: boolean;
  /** The message id was seen before: nothing was written. */
  duplicate: boolean;
}

/** `Ada Lovelace <ada@example.com>` as address and name. */
export function parseMailbox(from: string): { address: string; name?: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (!match) return { address: from.trim() };
  const name = match[1]!.trim();
  return name === '' ? { address: match[2]!.trim() } : { address: match[2]!.trim(), name };
}
