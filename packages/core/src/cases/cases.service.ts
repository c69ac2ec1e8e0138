import type { TenantContext } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom } from '../common/references.js';
import { checkText } from '../common/text-limits.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { StateError } from '../errors.js';
import { caseEntity } from './case.entity.js';
import { caseActivityModel, type caseModel } from './case.model.js';
import { type Case, type CaseActivity, type CaseInput, caseInputSchema, type CasePatch, casePatchSchema } from './case.schema.js';
import { applyCaseEvent, type CaseStep } from './case-lifecycle.js';
import { withCaseNumber } from './case-number.js';
import {
  type AssignInput, assignInputSchema, caseStatusSchema, type CustomerMessageInput, customerMessageInputSchema, type ResponseInput,
  responseInputSchema, type SlaEventInput, slaEventInputSchema, type StatusOptions, statusOptionsSchema,
} from './case-options.js';
import type { CaseStatus } from './case-values.js';
import { importTicket, type TicketImport } from './case-import.js';
import { type IntakeMessage, type IntakeResult, ingestMessage } from './case-intake.js';
import { logCaseMessage } from './case-messages.js';
import { type CaseMessageResult, CaseWriter } from './case-writer.js';
import { emitStep, writeActivities } from './case-writes.js';

/**
 * Cases: service requests with SLA clocks, history and messages. Reached as
 * `crm.tenant(id).cases`; intake and import are in `ingest` and `import`.
 */
export class CasesService extends RecordService<NonNullable<(typeof caseModel)['rowType']>, Case> {
  readonly #writer: CaseWriter;

  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, caseEntity);
    this.#writer = new CaseWriter(ctx, this.store);
  }

  /**
   * Opens a case: the next case number, the first matching SLA policy copied
   * onto it and its first response and resolution due times computed. The
   * contact's company is used when no company is given.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown contact, company, asset, contract, team or owner
   * @throws {DuplicateError} for a taken `externalId`, or inside a host transaction that made a tenant's first case while a concurrent one did too (retry the transaction)
   * @example
   * const c = await t.cases.create({ subject: 'Display flickers', contactId: ada.id, type: 'incident', channel: 'email', priority: 'high' });
   * c.number; // 1, shown #1
   * c.firstResponseDueAt; // from the matching policy's targets
   */
  async create(input: CaseInput, options?: CreateOptions): Promise<Case> {
    const data = parseInput(caseInputSchema, input, 'case');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    checkText(this.ctx, data.description, ['description']);
    return withCaseNumber(this.ctx, () => createOnce(this.store, idempotencyKey, (w) => this.#writer.insertCase(w, data, { idempotencyKey: idempotencyKey ?? null })));
  }

  /**
   * Changes a case's fields. A new priority measures the running SLA clocks
   * against that priority's targets from now on (due times recomputed).
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: CasePatch, options?: WriteOptions): Promise<Case> {
    const caseId = parseInput(idSchema, id, 'case id');
    const data = parseInput(casePatchSchema, patch, 'case patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    checkText(this.ctx, data.description, ['description']);
    return this.ctx.write(async (w) => {
      for (const entity of ['contact', 'company', 'asset', 'contract'] as const) await assertExists(w.tx, this.ctx, entity, data[`${entity}Id`]);
      const { priority, custom, ...rest } = data;
      let step: CaseStep | undefined;
      const { before, after, changes } = await this.store.patch(w, caseId, (c) => {
        step = priority === undefined ? undefined : applyCaseEvent(c, { kind: 'priority', priority, at: w.now });
        return { ...defined(rest), ...step?.state, ...defined({ custom: mergedCustom(this.ctx, 'case', c.custom, custom) }) };
      }, expectedVersion);
      if (changes.length === 0) return after;
      const drafts = [...(step?.activities ?? [])];
      if (data.satisfaction !== undefined && before.satisfaction !== after.satisfaction) drafts.push({ kind: 'satisfaction', at: w.now, data: { score: after.satisfaction } });
      await writeActivities(w, caseId, drafts);
      w.emit('case.updated', { record: after, changes });
      emitStep(w, before, after, { statusChanges: [] });
      return after;
    });
  }

  /**
   * Assigns the case to an agent (its owner) and / or a team.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown member or team @throws {ConflictError}
   */
  async assign(id: string, input: AssignInput, options?: WriteOptions): Promise<Case> {
    const caseId = parseInput(idSchema, id, 'case id');
    const data = parseInput(assignInputSchema, input, 'assignment');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      await assertExists(w.tx, this.ctx, 'team', data.teamId);
      const { before, after, changes } = await this.store.patch(w, caseId, () => defined(data), expectedVersion);
      if (changes.length === 0) return after;
      await writeActivities(w, caseId, [{ kind: 'assigned', at: w.now, data: { ownerId: after.ownerId, teamId: after.teamId, previousOwnerId: before.ownerId, previousTeamId: before.teamId } }]);
      w.emit('case.assigned', { record: after });
      return after;
    });
  }

  /**
   * Moves a case to a status. `pending` pauses its SLA clocks (and `on_hold`
   * when its policy says so); leaving it resumes them with the due times
   * recomputed; `resolved` stores the resolution figures; `open` from
   * `resolved` or `closed` reopens it. The same status changes nothing.
   * @throws {StateError} for a move the status machine does not allow @throws {NotFoundError}
   * @example
   * await t.cases.setStatus(c.id, 'pending'); // waiting on the customer: clocks paused
   */
  async setStatus(id: string, status: CaseStatus, options?: StatusOptions): Promise<Case> {
    const caseId = parseInput(idSchema, id, 'case id');
    const to = parseInput(caseStatusSchema, status, 'status');
    const { at } = parseInput(statusOptionsSchema, options, 'status options');
    return this.ctx.write(async (w) => (await this.#writer.applyEvents(w, caseId, () => [{ kind: 'status', to, at: at ?? w.now }])).after);
  }

  /** Reopens a resolved or closed case: its resolution clock goes on from where it stopped. @throws {StateError} for a case not resolved or closed */
  async reopen(id: string, options?: StatusOptions): Promise<Case> {
    const caseId = parseInput(idSchema, id, 'case id');
    const { at } = parseInput(statusOptionsSchema, options, 'status options');
    return this.ctx.write(async (w) => (await this.#writer.applyEvents(w, caseId, (c: Case) => {
      if (c.status !== 'resolved' && c.status !== 'closed') throw new StateError(`Only a resolved or closed case can be reopened, not a ${c.status} one`);
      return [{ kind: 'status', to: 'open', at: at ?? w.now }];
    })).after);
  }

  /**
   * An agent's response: an outbound interaction on the case (and the
   * contact's timeline). The first one sets `firstResponseAt` and the first
   * response figures; one after a customer message ends that message's wait
   * (a `response` history entry with the wait and whether it breached). A new
   * case becomes open. `public: false` stores an internal note instead.
   * @throws {StateError} for a resolved or closed case @throws {NotFoundError} @throws {ValidationError}
   * @example
   * const { first } = await t.cases.respond(c.id, { body: 'We are on it.' });
   */
  async respond(id: string, input: ResponseInput): Promise<CaseMessageResult> {
    const caseId = parseInput(idSchema, id, 'case id');
    const data = parseInput(responseInputSchema, input, 'response');
    checkText(this.ctx, data.body, ['body']);
    return this.ctx.write(async (w) => {
      const at = data.at ?? w.now;
      if (data.public === false) {
        const record = await this.store.get(caseId, w.tx);
        // A note changes no field of the case but is written on it: the actor needs `update` on the case.
        await this.ctx.assertAllowed(caseEntity.model, caseId, 'update', w.systemTx);
        const interaction = await logCaseMessage(w, record, { direction: 'internal', channel: record.channel, subject: data.subject ?? null, body: data.body, at, messageId: null });
        return { record, interaction, first: false };
      }
      const message = { direction: 'outbound', channel: data.channel, subject: data.subject ?? null, body: data.body, at, messageId: data.messageId ?? null } as const;
      return this.#writer.message(w, caseId, { kind: 'response', at }, message);
    });
  }

  /**
   * A customer's message on the case: an inbound interaction. After the first
   * response it starts the next-response clock, unless an earlier message is
   * still unanswered (`awaitingSince` keeps the oldest). A pending or resolved
   * case becomes open again.
   * @throws {StateError} for a closed case @throws {NotFoundError} @throws {ValidationError}
   */
  async addCustomerMessage(id: string, input: CustomerMessageInput): Promise<CaseMessageResult> {
    const caseId = parseInput(idSchema, id, 'case id');
    const data = parseInput(customerMessageInputSchema, input, 'customer message');
    checkText(this.ctx, data.body, ['body']);
    return this.ctx.write(async (w) => {
      const at = data.at ?? w.now;
      return this.#writer.message(w, caseId, { kind: 'customerMessage', at }, { direction: 'inbound', channel: data.channel, subject: data.subject ?? null, body: data.body, at, messageId: null });
    });
  }

  /**
   * Imports a historical ticket from another help desk with its original
   * timestamps: opened, every response and customer message, the spans it
   * waited (pending or on hold) and its resolution. The SLA policy matching
   * it now is applied and the figures (first response, next responses,
   * resolution, calendar and business minutes net of paused time, breaches)
   * come out as if it had happened live. Idempotent by `externalId`: importing
   * a ticket again returns the case it made. Emits `case.created` (and
   * `interaction.logged` per message), not the history's events.
   * @throws {ValidationError} for a ticket whose history cannot have happened @throws {NotFoundError} for an unknown reference
   * @example
   * await t.cases.import({
   *   externalId: 'zd-4711', subject: 'Broken hinge', contactId: ada.id, priority: 'high', openedAt: '2026-01-05T09:12:00Z',
   *   messages: [{ from: 'agent', at: '2026-01-05T10:02:00Z', body: 'Sorry to hear that' }],
   *   pendingSpans: [{ from: '2026-01-05T10:02:00Z', to: '2026-01-06T08:30:00Z' }],
   *   resolvedAt: '2026-01-06T11:00:00Z',
   * });
   */
  async import(ticket: TicketImport): Promise<Case> {
    return importTicket(this.#writer, ticket);
  }

  /**
   * Multi-channel intake: takes in one message (an email, SMS, chat or social
   * message, a web form). Finds the sender's contact by normalised email or
   * phone (the oldest contact whose primary address it is), creating one when
   * there is none; threads the message onto its case, by `inReplyTo` (the
   * `messageId` of an earlier message or agent response) or by a `[#123]` /
   * `#123` reference to the sender's own case in the subject; on SMS, chat
   * and social (`unthreadedChannels`), whose messages carry neither,
   * onto the sender's most recent case on the same channel that is not
   * resolved or closed; else opens a case, with the fields of `case` (type,
   * priority, asset, contract, team, owner, tags: checked and matched to an
   * SLA policy as in `create`; ignored for a threaded message). Closed cases
   * are never threaded onto. The message is an inbound interaction on the
   * case and the contact's timeline. Idempotent on `messageId`: the same
   * message again returns what the first delivery did, with `duplicate:
   * true`, and writes nothing. For an acting member (`createCrm({ access })`)
   * the sender is still matched over every contact, so that a person stays one
   * contact; a sender whose contact the member may not read is refused, and
   * the message threads only onto cases the member may read (and update).
   * Channel intake (a mail webhook) runs on `crm.system(id)`.
   * @throws {ValidationError} for a sender that is neither an email address nor a valid phone number, or a bad `case`
   * @throws {ForbiddenError} for an acting member who may not read the sender's contact, or not open or change the case
   * @throws {NotFoundError} for an unknown asset, contract, team or owner in `case`, when the message opens a case
   * @example
   * const { record, opened } = await t.cases.ingest({
   *   channel: 'email', from: 'Ada@Example.com', subject: 'Re: [#12] Display flickers', body: 'Still flickers',
   *   messageId: '<m2@example.com>', inReplyTo: '<m1@example.com>',
   *   case: { type: 'incident', priority: 'high', teamId: tier1.id },
   * });
   */
  async ingest(message: IntakeMessage): Promise<IntakeResult> {
    return ingestMessage(this.#writer, message);
  }

  /** The case's history, oldest first: opening, status changes, responses, messages, SLA events, with who and when. @throws {NotFoundError} */
  async history(id: string): Promise<CaseActivity[]> {
    const caseId = parseInput(idSchema, id, 'case id');
    await this.store.get(caseId);
    return this.ctx.storage.findMany({ model: caseActivityModel, tenantId: this.ctx.tenantId, where: { caseId }, orderBy: [{ field: 'at' }, { field: 'id' }] });
  }

  /**
   * Records what an SLA timer fired for: a warning before a due time or its
   * breach. Stale-timer safe: when the case's current due time for the target
   * is no longer `dueAt` (paused, resumed, reached, retargeted since), or the
   * same event was recorded for it already, nothing is written and it returns
   * false. Else it flags the breach (`firstResponseBreached` /
   * `resolutionBreached`), adds an `sla_warning` / `sla_breached` history
   * entry and emits `case.slaWarning` / `case.slaBreached`.
   * @throws {ValidationError} @throws {NotFoundError}
   * @example
   * await t.cases.recordSlaEvent(c.id, { target: 'firstResponse', kind: 'breach', dueAt: c.firstResponseDueAt! });
   */
  async recordSlaEvent(id: string, input: SlaEventInput): Promise<boolean> {
    const caseId = parseInput(idSchema, id, 'case id');
    const { target, kind, dueAt } = parseInput(slaEventInputSchema, input, 'SLA event');
    return this.ctx.write(async (w) => {
      let fired = false;
      const { after } = await this.store.patch(w, caseId, (c) => {
        fired = false;
        const clock = c.sla.clocks[target];
        if (!clock || clock.state !== 'running' || clock.dueAt === null || Date.parse(clock.dueAt) !== Date.parse(dueAt)) return {};
        if ((kind === 'warning' ? clock.warnedFor : clock.breachedFor) === clock.dueAt) return {};
        fired = true;
        const marked = kind === 'warning' ? { ...clock, warnedFor: clock.dueAt } : { ...clock, breachedFor: clock.dueAt };
        return {
          sla: { ...c.sla, clocks: { ...c.sla.clocks, [target]: marked } },
          ...(kind === 'breach' && target === 'firstResponse' ? { firstResponseBreached: true } : {}),
          ...(kind === 'breach' && target === 'resolution' ? { resolutionBreached: true } : {}),
        };
      });
      if (!fired) return false;
      await writeActivities(w, caseId, [{ kind: kind === 'warning' ? 'sla_warning' : 'sla_breached', at: w.now, target, data: { dueAt } }]);
      w.emit(kind === 'warning' ? 'case.slaWarning' : 'case.slaBreached', { record: after, target, dueAt });
      return true;
    });
  }
}
