import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { checkText } from '../common/text-limits.js';
import { timestampSchema } from '../common/zod-helpers.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { contactModel } from '../contacts/contact.model.js';
import type { Contact } from '../contacts/contact.schema.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { toE164 } from '../contacts/phone.js';
import { DuplicateError, ForbiddenError, ValidationError } from '../errors.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import { interactionModel } from '../interactions/interaction.model.js';
import { caseModel } from './case.model.js';
import { type Case, caseInputSchema } from './case.schema.js';
import { withCaseNumber } from './case-number.js';
import { type CaseChannel, caseChannels, unthreadedChannels } from './case-values.js';
import type { CaseMessageResult, CaseWriter } from './case-writer.js';

/**
 * The fields of the case a message opens, as `cases.create` takes them (the
 * SLA policy is matched on them). Used only when the message opens a case: a
 * message threaded onto one leaves it as it is.
 */
export const intakeCaseSchema = caseInputSchema.pick({ type: true, priority: true, assetId: true, contractId: true, teamId: true, ownerId: true, tags: true });
/** The `case` of `cases.ingest`. */
export type IntakeCase = z.input<typeof intakeCaseSchema>;

/** Input of `cases.ingest`: one message from any channel. */
export const intakeMessageSchema = z.strictObject({
  channel: z.enum(caseChannels),
  /** The sender: an email address or a phone number (normalised as contacts store them). */
  from: z.string().trim().min(1).max(254),
  subject: z.string().max(500).nullable().optional(),
  body: z.string().max(10_000_000).nullable().optional(),
  /** The channel's id of the message: the same message ingested again is stored once. */
  messageId: z.string().trim().min(1).max(500).optional(),
  /** The id of the message it answers: threads it onto that message's case. */
  inReplyTo: z.string().trim().min(1).max(500).nullable().optional(),
  /** @default now */
  at: timestampSchema.optional(),
  /** The sender's name, for a contact created from the message. */
  name: z.string().trim().min(1).max(200).optional(),
  /** The type, priority, asset, contract, team, owner and tags of a case the message opens. @default as in `cases.create` */
  case: intakeCaseSchema.optional(),
});
/** Input of `cases.ingest`. */
export type IntakeMessage = z.input<typeof intakeMessageSchema>;
type Message = z.output<typeof intakeMessageSchema>;

/** What `cases.ingest` did with a message. */
export interface IntakeResult extends CaseMessageResult {
  /** The sender, found by email or phone or created. */
  contact: Contact;
  /** A case was opened for the message (else it was threaded onto an open one). */
  opened: boolean;
  /** The message was ingested before (same `messageId`): nothing was written. */
  duplicate: boolean;
}

/** `[#123]` or `#123` in a subject. */
const reference = /\[#(\d{1,9})\]|(?:^|\s)#(\d{1,9})\b/;

type Sender = { email: string } | { phone: string };

function senderOf(ctx: TenantContext, from: string): Sender {
  if (from.includes('@')) {
    const email = z.email().safeParse(from);
    if (!email.success) throw ValidationError.single(`${JSON.stringify(from)} is not an email address`, ['from']);
    // As contacts store emails: trimmed and lower-case.
    return { email: email.data.toLowerCase() };
  }
  const phone = toE164(from, ctx.runtime.defaultCountry);
  if (phone === null) throw ValidationError.single(`${JSON.stringify(from)} is neither an email address nor a valid phone number`, ['from']);
  return { phone };
}

/**
 * Takes in a message from any channel (see `cases.ingest`): finds or creates
 * the sender's contact, threads the message onto its case or opens one, and
 * stores it as an inbound interaction on the case and the contact's timeline.
 */
export async function ingestMessage(writer: CaseWriter, input: IntakeMessage): Promise<IntakeResult> {
  const { ctx } = writer;
  const result = intakeMessageSchema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, 'message');
  const message = result.data;
  checkText(ctx, message.body, ['body']);
  const sender = senderOf(ctx, message.from);
  const earlier = message.messageId ? await duplicateOf(writer, message.messageId) : undefined;
  if (earlier) return earlier;
  try {
    return await withCaseNumber(ctx, () => newSenderOnce(ctx, () => ctx.write((w) => ingestIn(writer, w, message, sender))));
  } catch (error) {
    // A concurrent delivery of the same message won: return what it stored.
    const sameMessage = error instanceof DuplicateError && error.entity === 'interaction' && error.fields.includes('messageId');
    if (!sameMessage || ctx.unit !== undefined || !message.messageId) throw error;
    const winner = await duplicateOf(writer, message.messageId);
    if (!winner) throw error;
    return winner;
  }
}

async function ingestIn(writer: CaseWriter, w: WriteScope, message: Message, sender: Sender): Promise<IntakeResult> {
  const contact = await contactOf(w, sender, message.name);
  const at = message.at ?? w.now;
  const text = { direction: 'inbound', channel: message.channel, subject: message.subject ?? null, body: message.body ?? null, at, messageId: message.messageId ?? null, contactId: contact.id } as const;
  const thread = await threadOf(w, message, contact);
  if (thread) {
    const threaded = await writer.message(w, thread.id, { kind: 'customerMessage', at }, text);
    return { ...threaded, contact, opened: false, duplicate: false };
  }
  const subject = message.subject?.trim() || message.body?.trim().split('\n')[0]?.slice(0, 120) || `Message from ${message.from}`;
  const opened = await writer.insertCase(w, { ...message.case, subject, description: message.body ?? null, contactId: contact.id, channel: message.channel, openedAt: at });
  const first = await writer.message(w, opened.id, { kind: 'customerMessage', at }, text);
  return { ...first, contact, opened: true, duplicate: false };
}

/**
 * The sender's contact: the oldest whose primary email / phone it is, else a
 * new one. Contacts have no unique email or phone, so the new one is created
 * under a key of the sender's address: concurrent intakes of one new sender
 * converge on one contact (see {@link newSenderOnce}). A contact the address
 * once created answers for it even after its own email or phone changed.
 */
async function contactOf(w: WriteScope, sender: Sender, name: string | undefined): Promise<Contact> {
  const where = 'email' in sender ? { email: sender.email } : { phone: sender.phone };
  // Matched over every contact (system work): one person stays one contact whoever takes their message in;
  // matched among the actor's contacts only, a sender they may not read would get a second contact.
  const [row] = await w.systemTx.findMany({ model: contactModel, tenantId: w.ctx.tenantId, where, orderBy: [{ field: 'createdAt' }, { field: 'id' }], limit: 1 });
  if (row) {
    // The message then goes onto that contact, which the actor must be able to read: refused, naming no id.
    if (w.ctx.access !== null && (await w.tx.findOne({ model: contactModel, tenantId: w.ctx.tenantId, id: row.id })) === undefined) {
      throw new ForbiddenError('contact', 'read', null);
    }
    return contactEntity.toRecord(row);
  }
  // Through the contacts service, joined to this write: one path for validation, normalisation and `contact.created`.
  // System work: a new sender's contact (owned by nobody) is what taking their message in implies; the case
  // it opens or the message it threads is still checked against the actor's grant, in this transaction.
  const joined = w.ctx.inUnit(w.unit).asSystem();
  const input = { ...sender, ...(name ? { firstName: name } : {}), source: 'case intake' };
  return new ContactsService(joined).create(input, { idempotencyKey: senderKey(sender) });
}

/**
 * The idempotency key of the contact a new sender gets: of the normalised
 * address, hashed because an email may be longer than a key (200 characters),
 * prefixed so that it never meets a host's own keys.
 */
function senderKey(sender: Sender): string {
  const address = 'email' in sender ? `email:${sender.email}` : `phone:${sender.phone}`;
  return `crmkit:case-intake:${createHash('sha256').update(address).digest('hex')}`;
}

/**
 * Runs an intake write again when a concurrent intake of the same new sender
 * created the contact first. Once is enough: on Postgres the losing insert
 * waited for the winner to commit, so the next attempt finds its contact.
 * Inside a host transaction the failed insert has aborted the transaction,
 * so the error is the caller's to retry.
 */
async function newSenderOnce<T>(ctx: TenantContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const lostSender = error instanceof DuplicateError && error.entity === 'contact' && error.fields.includes('idempotencyKey');
    if (!lostSender || ctx.unit !== undefined) throw error;
    return fn();
  }
}

/**
 * The case a message continues: the case of the message it replies to, else
 * the case its subject names (`[#123]`) when that is the sender's, else, on a
 * channel without threading ({@link unthreadedChannels}), the sender's most
 * recent case on that channel that is not resolved or closed. Closed cases
 * take no messages: a reply to one opens a new case.
 */
async function threadOf(w: WriteScope, message: Message, contact: Contact): Promise<Case | undefined> {
  return (await repliedCase(w, message)) ?? (await referencedCase(w, message, contact)) ?? (await conversationOf(w, message.channel, contact));
}

async function repliedCase(w: WriteScope, message: Message): Promise<Case | undefined> {
  if (!message.inReplyTo) return undefined;
  const tenantId = w.ctx.tenantId;
  const [earlier] = await w.tx.findMany({ model: interactionModel, tenantId, where: { messageId: message.inReplyTo }, limit: 1, select: ['caseId'] });
  const replied = earlier?.caseId ? await w.tx.findOne({ model: caseModel, tenantId, id: earlier.caseId }) : undefined;
  return replied && replied.status !== 'closed' ? replied : undefined;
}

async function referencedCase(w: WriteScope, message: Message, contact: Contact): Promise<Case | undefined> {
  const match = reference.exec(message.subject ?? '');
  const number = match ? Number(match[1] ?? match[2]) : undefined;
  if (number === undefined) return undefined;
  // Only the sender's own case: a number is easy to guess.
  const [named] = await w.tx.findMany({ model: caseModel, tenantId: w.ctx.tenantId, where: { number, contactId: contact.id }, limit: 1 });
  return named && named.status !== 'closed' ? named : undefined;
}

/**
 * The conversation an SMS, chat or social message continues. A resolved case
 * is left alone: after the resolution a new message is a new request (a
 * reply by `inReplyTo` or `#123` still reopens it).
 */
async function conversationOf(w: WriteScope, channel: CaseChannel, contact: Contact): Promise<Case | undefined> {
  if (!(unthreadedChannels as readonly CaseChannel[]).includes(channel)) return undefined;
  const [latest] = await w.tx.findMany({
    model: caseModel, tenantId: w.ctx.tenantId, where: { contactId: contact.id, channel, status: { notIn: ['resolved', 'closed'] } },
    orderBy: [{ field: 'openedAt', direction: 'desc' }, { field: 'id', direction: 'desc' }], limit: 1,
  });
  return latest;
}

/** The result of a message ingested before, read back. */
async function duplicateOf(writer: CaseWriter, messageId: string): Promise<IntakeResult | undefined> {
  const { ctx, store } = writer;
  // Found over every message (message ids are unique in the tenant, whoever stored them), then shown only
  // as the actor may see it: a delivery again of a message on a case they may not read is refused, naming nothing.
  const [row] = await ctx.systemStorage.findMany({ model: interactionModel, tenantId: ctx.tenantId, where: { messageId }, limit: 1 });
  if (!row?.caseId) return undefined;
  const interaction = interactionEntity.toRecord(row);
  const found = await store.find(row.caseId);
  if (found === undefined && ctx.access !== null) throw new ForbiddenError('case', 'read', null);
  const record = found ?? (await store.get(row.caseId));
  const contactId = interaction.contactIds[0] ?? record.contactId;
  const contact = contactId ? await ctx.storage.findOne({ model: contactModel, tenantId: ctx.tenantId, id: contactId }) : undefined;
  if (!contact) return undefined;
  return { record, interaction, first: false, contact: contactEntity.toRecord(contact), opened: false, duplicate: true };
}
