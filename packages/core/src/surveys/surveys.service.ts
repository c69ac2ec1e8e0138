import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined } from '../common/references.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { contactEntity } from '../contacts/contact.entity.js';
import type { contactModel } from '../contacts/contact.model.js';
import type { Contact } from '../contacts/contact.schema.js';
import { StateError, ValidationError } from '../errors.js';
import { keepContactCurrent } from './satisfaction.js';
import { actOnDetractor, caseOf, keepCaseCurrent } from './survey-case.js';
import { surveyEntity } from './survey.entity.js';
import type { surveyModel } from './survey.model.js';
import {
  isDetractor, type Survey, type SurveyAtOptions, surveyAtSchema, type SurveyResponse, surveyResponseSchema,
  surveyScales, type SurveySendInput, surveySendSchema,
} from './survey.schema.js';

/**
 * Satisfaction surveys: CSAT (1-5) about a case or a product, NPS (0-10)
 * about the relationship. A survey is sent once, reminded, and answered once
 * or expired; an answer keeps the contact's and the case's latest
 * satisfaction current, and a detractor's reopens or escalates. Sending on a
 * schedule (after resolution, a reminder, expiry) is the
 * `satisfaction-survey` workflow's job; this service records what happened.
 * Reached as `crm.tenant(id).surveys`.
 */
export class SurveysService extends RecordService<NonNullable<(typeof surveyModel)['rowType']>, Survey> {
  readonly #contacts: EntityStore<NonNullable<(typeof contactModel)['rowType']>, Contact>;

  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, surveyEntity);
    this.#contacts = new EntityStore(ctx, contactEntity);
  }

  /**
   * Records a survey sent to a contact. Every reference must exist in the
   * tenant. With an `idempotencyKey` (the workflow's effect key), a repeated
   * send returns the survey the first one recorded and emits nothing.
   * @throws {ValidationError} without a contact (none given, and the case has none)
   * @throws {NotFoundError} for an unknown contact, case, agent or product
   * @example
   * const survey = await t.surveys.send({ kind: 'csat', caseId: ticket.id, channel: 'email', onDetractor: 'reopen' }, { idempotencyKey: `csat:${ticket.id}` });
   */
  async send(input: SurveySendInput, options?: CreateOptions): Promise<Survey> {
    const data = parseInput(surveySendSchema, input, 'survey');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'send options');
    return createOnce(this.store, idempotencyKey, async (w) => {
      const about = data.caseId ? await caseOf(w, this.ctx, data.caseId) : undefined;
      const contactId = data.contactId ?? about?.contactId ?? null;
      if (contactId === null) throw ValidationError.single('The case has no contact to ask', ['contactId']);
      await assertExists(w.tx, this.ctx, 'contact', contactId);
      const agentId = data.agentId === undefined ? (about?.ownerId ?? null) : data.agentId;
      await assertExists(w.tx, this.ctx, 'member', agentId);
      await assertExists(w.tx, this.ctx, 'product', data.productId);
      const survey = await this.store.insert(w, {
        kind: data.kind, status: 'sent', contactId, caseId: data.caseId ?? null, agentId, productId: data.productId ?? null,
        channel: data.channel ?? null, onDetractor: data.onDetractor, sentAt: data.sentAt ?? w.now,
        remindedAt: null, reminderCount: 0, answeredAt: null, expiredAt: null, score: null, comment: null, detractor: null,
        idempotencyKey: idempotencyKey ?? null,
      });
      w.emit('survey.sent', { record: survey });
      return survey;
    });
  }

  /**
   * Records a reminder of an unanswered survey.
   * @throws {NotFoundError} @throws {StateError} for an answered or expired survey
   */
  async remind(id: string, options?: SurveyAtOptions): Promise<Survey> {
    const surveyId = parseInput(idSchema, id, 'survey id');
    const { at } = parseInput(surveyAtSchema, options, 'remind options');
    return this.ctx.write(async (w) => {
      const { after } = await this.store.patch(w, surveyId, (before) => {
        if (before.status !== 'sent') throw new StateError(`Survey ${surveyId} is ${before.status}: there is nothing to remind of`);
        return { remindedAt: at ?? w.now, reminderCount: before.reminderCount + 1 };
      });
      w.emit('survey.reminded', { record: after });
      return after;
    });
  }

  /**
   * Closes an unanswered survey: it takes no answer any more. Expiring an
   * expired survey returns it unchanged (a timer that fires twice).
   * @throws {NotFoundError} @throws {StateError} for an answered survey
   */
  async expire(id: string, options?: SurveyAtOptions): Promise<Survey> {
    const surveyId = parseInput(idSchema, id, 'survey id');
    const { at } = parseInput(surveyAtSchema, options, 'expire options');
    return this.ctx.write(async (w) => {
      const { after, changes } = await this.store.patch(w, surveyId, (before): Partial<Survey> => {
        if (before.status === 'answered') throw new StateError(`Survey ${surveyId} is answered and cannot expire`);
        return before.status === 'expired' ? {} : { status: 'expired', expiredAt: at ?? w.now };
      });
      if (changes.length > 0) w.emit('survey.expired', { record: after });
      return after;
    });
  }

  /**
   * Records the answer, once. In the same transaction it keeps the contact's
   * latest satisfaction current (NPS in `satisfaction`, CSAT in `csat`, the
   * latest by `answeredAt`), and the case's `satisfaction` (its latest CSAT).
   * A detractor's answer (CSAT <= 2, NPS <= 6) emits `survey.detractor` and
   * does what the survey's `onDetractor` says: `reopen` a resolved or closed
   * case, or `escalate` to a task for the manager of the case's team (else the
   * agent's team).
   * @throws {ValidationError} for a score outside the kind's scale or an answer before the survey was sent
   * @throws {NotFoundError} @throws {StateError} for a survey already answered or expired
   * @example
   * await t.surveys.respond(survey.id, { score: 2, comment: 'Still broken' });
   */
  async respond(id: string, response: SurveyResponse): Promise<Survey> {
    const surveyId = parseInput(idSchema, id, 'survey id');
    const data = parseInput(surveyResponseSchema, response, 'survey response');
    return this.ctx.write(async (w) => {
      const { after } = await this.store.patch(w, surveyId, (before): Partial<Survey> => {
        if (before.status !== 'sent') throw new StateError(`Survey ${surveyId} is already ${before.status}`);
        const scale = surveyScales[before.kind];
        if (data.score < scale.min || data.score > scale.max) {
          throw ValidationError.single(`A ${before.kind.toUpperCase()} score is ${scale.min} to ${scale.max}`, ['score']);
        }
        const answeredAt = data.at ?? w.now;
        if (answeredAt < before.sentAt) throw ValidationError.single('A survey cannot be answered before it was sent', ['at']);
        return { status: 'answered', score: data.score, comment: data.comment ?? null, answeredAt, detractor: isDetractor(before.kind, data.score) };
      });
      w.emit('survey.answered', { record: after });
      // What an answer implies is system work: the contact's latest satisfaction, the case's, a reopened case
      // or an escalation task follow from recording the answer, which the actor may do, whether or not they
      // may change that contact or case themselves (an agent records what the customer said).
      const derived = w.asSystem();
      await keepContactCurrent(derived, this.#contacts, after);
      await keepCaseCurrent(derived, derived.ctx, after);
      if (after.detractor === true) {
        w.emit('survey.detractor', { record: after });
        await actOnDetractor(derived, derived.ctx, after);
      }
      return after;
    });
  }

  /** The surveys about a case, oldest first. @throws {ValidationError} */
  async ofCase(caseId: string): Promise<Survey[]> {
    const id = parseInput(idSchema, caseId, 'case id');
    return this.store.all({ caseId: id }, [{ field: 'sentAt' }]);
  }

  /** A page of the surveys sent to a contact, newest first. @throws {ValidationError} */
  async ofContact(contactId: string, options?: Pick<ListOptions, 'limit' | 'cursor'>): Promise<Page<Survey>> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const { limit, cursor } = parseInput(listOptionsSchema, options, 'list options');
    return this.store.list({ orderBy: { sentAt: 'desc' }, ...defined({ limit, cursor }) }, { contactId: id });
  }

  /** A page of the answers rating an agent, newest first. @throws {ValidationError} */
  async ofAgent(agentId: string, options?: Pick<ListOptions, 'limit' | 'cursor'>): Promise<Page<Survey>> {
    const id = parseInput(idSchema, agentId, 'member id');
    const { limit, cursor } = parseInput(listOptionsSchema, options, 'list options');
    return this.store.list({ orderBy: { answeredAt: 'desc' }, ...defined({ limit, cursor }) }, { agentId: id, status: 'answered' });
  }
}
