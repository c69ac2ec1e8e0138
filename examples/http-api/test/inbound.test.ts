import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboundSignatureHeader, signInbound } from '../src/inbound/inbound-signature.js';
import { openTestHost, type TestHost } from './harness.js';

const secrets = { email: 'email-channel-secret-0123456789', sms: 'sms-channel-secret-0123456789' };
let h: TestHost;
beforeEach(async () => {
  h = await openTestHost({ inboundSecrets: secrets });
});
afterEach(() => h.close());

/** POSTs a provider's webhook, signed with the channel's secret unless `signature` says otherwise. */
async function post(path: string, body: string, contentType: string, signature = signInbound(secrets[path.endsWith('/sms') ? 'sms' : 'email'], body)) {
  const res = await h.raw(path, { method: 'POST', body, headers: { 'content-type': contentType, [inboundSignatureHeader]: signature } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
}
const email = (mail: Record<string, unknown>) => post('/hooks/inbound/acme/email', JSON.stringify(mail), 'application/json');
const sms = (form: Record<string, string>) => post('/hooks/inbound/acme/sms', new URLSearchParams(form).toString(), 'application/x-www-form-urlencoded');

describe('inbound email', () => {
  it('opens a case for a new email and answers a second POST of the same MessageID as a duplicate', async () => {
    const message = { From: 'Ada Lovelace <Ada@Example.com>', Subject: 'Printer jams', TextBody: 'It jams on every page', MessageID: 'pm-1' };
    const first = await email(message);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ opened: true, duplicate: false });
    const ticket = await h.host.crm.system('acme').cases.get(first.body.caseId);
    expect(ticket).toMatchObject({ subject: 'Printer jams', channel: 'email', contactId: first.body.contactId });
    expect(await h.host.crm.system('acme').contacts.get(first.body.contactId)).toMatchObject({ email: 'ada@example.com', firstName: 'Ada Lovelace' }) // the display name of From;

    const again = await email(message);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ caseId: first.body.caseId, interactionId: first.body.interactionId, duplicate: true, opened: false });
    expect((await h.host.crm.system('acme').cases.list()).items).toHaveLength(1);
  });

  it("threads a reply onto its case by InReplyTo (the agent response's message id)", async () => {
    const first = await email({ From: 'ada@example.com', Subject: 'Printer jams', MessageID: 'pm-1' });
    await h.host.crm.system('acme').cases.respond(first.body.caseId, { body: 'Try a new cartridge', messageId: '<r1@desk.acme.test>' });
    const reply = await email({ From: 'ada@example.com', Subject: 'Re: your answer', TextBody: 'Still jams', MessageID: 'pm-2', InReplyTo: '<r1@desk.acme.test>' });
    expect(reply.body).toMatchObject({ caseId: first.body.caseId, opened: false, duplicate: false });
    const other = await email({ From: 'ada@example.com', Subject: 'Invoice question', MessageID: 'pm-3' });
    expect(other.body.opened).toBe(true);
    expect(other.body.caseId).not.toBe(first.body.caseId);
  });

  it('refuses a bad or missing signature with 401, and signs with the right channel only', async () => {
    const body = JSON.stringify({ From: 'ada@example.com', MessageID: 'pm-1' });
    const forged = await post('/hooks/inbound/acme/email', body, 'application/json', signInbound('a guess', body));
    expect(forged.status).toBe(401);
    expect(forged.type).toBe('application/problem+json');
    expect(forged.body).toMatchObject({ status: 401, code: 'BAD_SIGNATURE' });
    expect((await post('/hooks/inbound/acme/email', body, 'application/json', '')).status).toBe(401);
    expect((await post('/hooks/inbound/acme/email', body, 'application/json', signInbound(secrets.sms, body))).status).toBe(401);
    // The signature covers the raw bytes: a body changed on the way is refused.
    expect((await post('/hooks/inbound/acme/email', body.replace('pm-1', 'pm-2'), 'application/json', signInbound(secrets.email, body))).status).toBe(401);
    expect((await h.host.crm.system('acme').cases.list()).items).toEqual([]);
  });

  it('answers a payload that is not a provider email with 422, and an unknown tenant with 404', async () => {
    const bad = await email({ From: 'ada@example.com', Subject: 42 });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string[] }) => i.path.join('.')).sort()).toEqual(['MessageID', 'Subject']);
    expect((await email({ From: 'not an address', MessageID: 'pm-9' })).status).toBe(422); // crmkit's own check of the sender
    const body = JSON.stringify({ From: 'ada@example.com', MessageID: 'pm-1' });
    expect((await post('/hooks/inbound/nobody/email', body, 'application/json')).status).toBe(404);
    expect((await post('/hooks/inbound/acme/email', '{not json', 'application/json')).status).toBe(400);
  });
});

describe('inbound SMS', () => {
  it('opens a case from a Twilio-like form, continues it with the next SMS and dedupes by MessageSid', async () => {
    const first = await sms({ From: '+491512345678', Body: 'Cam offline', MessageSid: 'SM1', AccountSid: 'AC1' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ opened: true, duplicate: false });
    const next = await sms({ From: '+491512345678', Body: 'Any news?', MessageSid: 'SM2' });
    expect(next.body).toMatchObject({ caseId: first.body.caseId, opened: false });
    expect((await sms({ From: '+491512345678', Body: 'Any news?', MessageSid: 'SM2' })).body.duplicate).toBe(true);
    expect((await sms({ From: '+491512345678', Body: 'x' })).status).toBe(422);
    const forged = new URLSearchParams({ From: '+491512345678', Body: 'x', MessageSid: 'SM3' }).toString();
    expect((await post('/hooks/inbound/acme/sms', forged, 'application/x-www-form-urlencoded', signInbound(secrets.email, forged))).status).toBe(401);
  });

  it('refuses every message of a channel that has no secret', async () => {
    await h.close();
    h = await openTestHost({ inboundSecrets: { email: secrets.email } });
    expect((await sms({ From: '+491512345678', Body: 'Cam offline', MessageSid: 'SM1' })).status).toBe(401);
  });
});
