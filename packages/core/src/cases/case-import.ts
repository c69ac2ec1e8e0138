import { z } from 'zod';
import { checkText } from '../common/text-limits.js';
import { timestampSchema } from '../common/zod-helpers.js';
import { DuplicateError, StateError, ValidationError } from '../errors.js';
import { caseInputSchema, type Case } from './case.schema.js';
import { type ActivityDraft, applyCaseEvent, type CaseEvent, type CaseState } from './case-lifecycle.js';
import { logCaseMessage } from './case-messages.js';
import { withCaseNumber } from './case-number.js';
import { caseChannels } from './case-values.js';
import type { CaseWriter } from './case-writer.js';
import { writeActivities } from './case-writes.js';

/** A historical ticket from another help desk, with its original timestamps. */
export const ticketSchema = caseInputSchema.extend({
  /** The ticket's id in the system it comes from: importing it again returns the case already imported. */
  externalId: z.string().trim().min(1).max(200),
  openedAt: timestampSchema,
  /** Every message of the ticket: the agents' responses (public ones count for the SLA) and the customer's messages. */
  messages: z.array(z.strictObject({
    from: z.enum(['agent', 'customer']),
    at: timestampSchema,
    body: z.string().max(10_000_000).nullable().optional(),
    channel: z.enum(caseChannels).optional(),
    /** `false` for an agent's internal note. @default true */
    public: z.boolean().optional(),
  })).max(10_000).optional(),
  /** The spans the ticket waited on the customer (`pending`, the default) or on a third party (`on_hold`); an open-ended one still waits. */
  pendingSpans: z.array(z.strictObject({
    from: timestampSchema,
    to: timestampSchema.nullable().optional(),
    status: z.enum(['pending', 'on_hold']).optional(),
  })).max(10_000).optional(),
  resolvedAt: timestampSchema.nullable().optional(),
  closedAt: timestampSchema.nullable().optional(),
  satisfaction: z.number().int().min(0).max(10).nullable().optional(),
});
/** Input of `cases.import`. */
export type TicketImport = z.input<typeof ticketSchema>;
type Ticket = z.output<typeof ticketSchema>;

/** One timed step of a ticket; `order` breaks ties at one instant (a wait ends before what happens at its end). */
interface TimedEvent {
  event: CaseEvent;
  order: number;
  message?: { from: 'agent' | 'customer'; body: string | null; channel: Case['channel'] | undefined; public: boolean };
}

function timeline(ticket: Ticket): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const span of ticket.pendingSpans ?? []) {
    if (span.to != null && span.to < span.from) throw ValidationError.single('A pending span ends before it starts', ['pendingSpans']);
    events.push({ event: { kind: 'status', to: span.status ?? 'pending', at: span.from }, order: 2 });
    if (span.to != null) events.push({ event: { kind: 'status', to: 'open', at: span.to }, order: 0 });
  }
  for (const m of ticket.messages ?? []) {
    const isPublic = m.public ?? true;
    const event: CaseEvent = m.from === 'customer' ? { kind: 'customerMessage', at: m.at } : { kind: 'response', at: m.at };
    events.push({ event, order: 1, message: { from: m.from, body: m.body ?? null, channel: m.channel, public: isPublic } });
  }
  if (ticket.resolvedAt) events.push({ event: { kind: 'status', to: 'resolved', at: ticket.resolvedAt }, order: 3 });
  if (ticket.closedAt) {
    if (!ticket.resolvedAt || ticket.closedAt < ticket.resolvedAt) throw ValidationError.single('A closed ticket needs a resolution at or before it closed', ['closedAt']);
    events.push({ event: { kind: 'status', to: 'closed', at: ticket.closedAt }, order: 4 });
  }
  if (events.some((e) => e.event.at < ticket.openedAt)) throw ValidationError.single('Every time of a ticket is at or after it opened', ['openedAt']);
  // ISO UTC strings of one format sort as the instants they name; the sort is stable for equal keys.
  return events.sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : a.order - b.order));
}

/** Replays the ticket's steps on the opened state: the figures come out as if it had happened live. */
function replay(opened: CaseState, steps: TimedEvent[]): { state: CaseState; drafts: { draft: ActivityDraft; step: number }[] } {
  let state = opened;
  const drafts: { draft: ActivityDraft; step: number }[] = [];
  steps.forEach((timed, index) => {
    if (timed.message && !timed.message.public) return;
    try {
      const next = applyCaseEvent(state, timed.event);
      state = next.state;
      for (const draft of next.activities) drafts.push({ draft, step: index });
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      throw new ValidationError(`The ticket's history cannot be replayed at ${timed.event.at}: ${error.message}`, [{ path: ['messages'], message: error.message, code: 'custom' }], { cause: error });
    }
  });
  return { state, drafts };
}

/**
 * Imports a historical ticket (see `cases.import`): opens the case at its
 * original time, replays its messages, waits and resolution through the same
 * lifecycle as live calls, and stores the case, its history and its messages.
 */
export async function importTicket(writer: CaseWriter, input: TicketImport): Promise<Case> {
  const { ctx, store } = writer;
  const ticket = parseTicket(input);
  checkText(ctx, ticket.description, ['description']);
  for (const [i, m] of (ticket.messages ?? []).entries()) checkText(ctx, m.body, ['messages', i, 'body']);
  const steps = timeline(ticket);
  const existing = await store.first({ externalId: ticket.externalId });
  if (existing) return existing;
  try {
    return await withCaseNumber(ctx, () => ctx.write(async (w) => {
      let drafts: { draft: ActivityDraft; step: number }[] = [];
      const history = (opened: CaseState) => {
        const replayed = replay(opened, steps);
        drafts = replayed.drafts;
        return replayed.state;
      };
      const record = await writer.insertCase(w, ticket, { history, satisfaction: ticket.satisfaction ?? null });
      const interactions = new Map<number, string>();
      for (const [index, timed] of steps.entries()) {
        const m = timed.message;
        if (!m) continue;
        const direction = m.from === 'customer' ? 'inbound' : m.public ? 'outbound' : 'internal';
        const interaction = await logCaseMessage(w, record, { direction, channel: m.channel ?? record.channel, subject: null, body: m.body, at: timed.event.at, messageId: null });
        interactions.set(index, interaction.id);
      }
      const messageKinds = new Set(['response', 'customer_message']);
      await writeActivities(w, record.id, drafts.map(({ draft, step }) => ({
        ...draft, interactionId: messageKinds.has(draft.kind) ? (interactions.get(step) ?? null) : null, data: { ...draft.data, imported: true },
      })));
      return record;
    }));
  } catch (error) {
    // A concurrent import of the same ticket won: return what it stored.
    if (!(error instanceof DuplicateError) || !error.fields.includes('externalId') || ctx.unit !== undefined) throw error;
    const winner = await store.first({ externalId: ticket.externalId });
    if (!winner) throw error;
    return winner;
  }
}

function parseTicket(input: TicketImport): Ticket {
  const result = ticketSchema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, 'ticket');
  return result.data;
}
