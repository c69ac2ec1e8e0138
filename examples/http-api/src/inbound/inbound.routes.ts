import { coreModels, type IntakeResult, type TenantScope, ValidationError } from '@crmkit/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { Host } from '../host/host.js';
import { toJson } from '../http/json.js';
import { HttpProblem, toProblem } from '../http/problem.js';
import { inboundSignatureHeader, verifyInbound } from './inbound-signature.js';
import { type InboundResult, inboundEmailSchema, inboundSmsSchema, parseMailbox } from './inbound.schemas.js';

/** The largest inbound POST read: an email's text body with headroom, far below what would hurt the process. */
const maxBodyBytes = 2 * 1024 * 1024;

function problemResponse(error: unknown): Response {
  const body = toProblem(error);
  if (body.status === 500) console.error(error);
  return new Response(toJson(body), { status: body.status, headers: { 'content-type': 'application/problem+json' } });
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, what);
  return result.data;
}

/**
 * The raw body of a channel's POST, once its signature is checked: the
 * shared secret of the channel (`host.options.inboundSecrets`) must sign
 * exactly these bytes. Checked before anything else, so that an unsigned
 * caller learns nothing, not even whether the tenant exists.
 */
async function signedBody(host: Host, channel: string, request: Request): Promise<string> {
  const raw = await request.text();
  if (!verifyInbound(host.options.inboundSecrets?.[channel], raw, request.headers.get(inboundSignatureHeader) ?? undefined)) {
    throw new HttpProblem(401, 'BAD_SIGNATURE', `Sign the raw body: ${inboundSignatureHeader}: sha256=<hex HMAC-SHA256 with the ${channel} channel's secret>`);
  }
  return raw;
}

/** The system scope of a tenant that exists (has members): a message for any other is a 404, not a new tenant. */
async function tenantOf(host: Host, tenantId: string): Promise<TenantScope> {
  const missing = new HttpProblem(404, 'NOT_FOUND', `No tenant ${JSON.stringify(tenantId)}`);
  let scope: TenantScope;
  try {
    scope = host.crm.system(tenantId);
  } catch (error) {
    if (error instanceof ValidationError) throw missing;
    throw error;
  }
  const members = await host.crm.adapter.findMany({ model: coreModels.member, tenantId, limit: 1, select: ['id'] });
  if (members.length === 0) throw missing;
  return scope;
}

function resultOf(result: IntakeResult): InboundResult {
  return {
    caseId: result.record.id, caseNumber: result.record.number, contactId: result.contact.id,
    interactionId: result.interaction.id, opened: result.opened, duplicate: result.duplicate,
  };
}

/**
 * Inbound webhooks of message providers, mounted at `/hooks/inbound`:
 * `POST /{tenant}/email` (Postmark-like JSON) and `POST /{tenant}/sms`
 * (Twilio-like form), each signed with its channel's shared secret, become
 * `cases.ingest` in the tenant's system scope: a new case, or a message on
 * the case it answers. A provider's retry of a message (same message id) is
 * answered 200 with `duplicate: true` and writes nothing, so a provider that
 * timed out can always send again.
 */
export function inboundRoutes(host: Host): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: maxBodyBytes, onError: () => problemResponse(new HttpProblem(413, 'TOO_LARGE', `Inbound messages are at most ${maxBodyBytes} bytes`)) }));

  app.post('/:tenant/email', async (c) => {
    const raw = await signedBody(host, 'email', c.req.raw);
    const t = await tenantOf(host, c.req.param('tenant'));
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpProblem(400, 'BAD_JSON', 'The body is not JSON');
    }
    const mail = parse(inboundEmailSchema, json, 'inbound email');
    const { address, name } = parseMailbox(mail.From);
    const sender = mail.FromName || name;
    const result = await t.cases.ingest({
      channel: 'email', from: address, subject: mail.Subject ?? null, body: mail.TextBody ?? null, messageId: mail.MessageID,
      ...(mail.InReplyTo === undefined ? {} : { inReplyTo: mail.InReplyTo }), ...(sender ? { name: sender } : {}),
    });
    return c.json(resultOf(result));
  });

  app.post('/:tenant/sms', async (c) => {
    const raw = await signedBody(host, 'sms', c.req.raw);
    const t = await tenantOf(host, c.req.param('tenant'));
    const sms = parse(inboundSmsSchema, Object.fromEntries(new URLSearchParams(raw)), 'inbound SMS');
    const result = await t.cases.ingest({ channel: 'sms', from: sms.From, body: sms.Body, messageId: sms.MessageSid });
    return c.json(resultOf(result));
  });

  app.onError((error) => problemResponse(error));
  return app;
}
