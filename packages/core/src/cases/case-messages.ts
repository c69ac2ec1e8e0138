import type { WriteScope } from '../common/context.js';
import { ownedDefaults } from '../common/references.js';
import { insertInteraction } from '../interactions/insert-interaction.js';
import type { Interaction, InteractionType } from '../interactions/interaction.schema.js';
import type { Case } from './case.schema.js';
import type { CaseChannel } from './case-values.js';

/** The interaction type of a message on each channel; a web form is written and answered like an email. */
const interactionTypeOf: Record<CaseChannel, InteractionType> = {
  phone: 'call', email: 'email', sms: 'sms', chat: 'chat', social: 'social', web: 'email', visit: 'visit',
};

/** A message of a case: who wrote it (the customer, an agent, or an internal note), on which channel, when. */
export interface CaseMessage {
  direction: 'inbound' | 'outbound' | 'internal';
  channel: CaseChannel;
  subject: string | null;
  body: string | null;
  at: string;
  messageId: string | null;
  /** Who wrote it, when not the case's contact (a reply from another address). @default the case's contact */
  contactId?: string | null;
}

/**
 * Stores a case message as an interaction on the case, the case's contact
 * (so it is on the contact's timeline) and company, in the running write.
 * @throws {DuplicateError} for a `messageId` the tenant has stored already
 */
export function logCaseMessage(w: WriteScope, c: Case, message: CaseMessage): Promise<Interaction> {
  const contactId = message.contactId === undefined ? c.contactId : message.contactId;
  const agent = message.direction === 'inbound' ? null : w.ctx.actorId;
  // System work: the message belongs to the case, and the callers have checked the case write that implies it
  // (a customer's message is owned by nobody, which an agent creating only their own records could not store).
  return insertInteraction(w.asSystem(), {
    type: message.direction === 'internal' ? 'note' : interactionTypeOf[message.channel],
    direction: message.direction, channel: message.channel, subject: message.subject, body: message.body,
    occurredAt: message.at, durationSeconds: null, outcome: null,
    contactIds: contactId === null ? [] : [contactId], memberIds: agent === null ? [] : [agent],
    companyId: c.companyId, dealId: null, caseId: c.id, campaignId: null, messageId: message.messageId, idempotencyKey: null,
    ...ownedDefaults(w.ctx, 'interaction', { ownerId: agent }),
  });
}
