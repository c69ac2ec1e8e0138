import type { SurveyKind, SurveySendInput } from '@crmkit/core';
import type { EffectContext, EffectResult } from './effect.js';

/** Params of the built-in `sendSurvey` effect: a `surveys.send` input. */
export type SendSurveyParams = SurveySendInput & Record<string, unknown>;

/** Params of the built-in `remindSurvey` and `expireSurvey` effects. */
export interface SurveyParams extends Record<string, unknown> {
  surveyId: string;
}

/**
 * Params of the `deliverSurvey` effect. crmkit sends no email or SMS, so
 * there is no built-in handler: the host gives one, which puts the survey in
 * front of the contact (a link carrying `surveyId`) and passes the context's
 * `idempotencyKey` on to its mailer. The answer comes back through
 * `surveys.respond(surveyId, { score })`.
 */
export interface DeliverSurveyParams extends Record<string, unknown> {
  surveyId: string;
  kind: SurveyKind;
  caseId: string | null;
  contactId: string | null;
  /** The one reminder, rather than the first sending. */
  reminder: boolean;
}

/** The reply of `sendSurvey`: the survey recorded, for the reminder and the expiry. */
export interface SurveySentEvent {
  type: 'survey.sent';
  surveyId: string;
}

/**
 * Built-in `sendSurvey`: `surveys.send` with the job's idempotency key, so a
 * retry returns the survey the first attempt recorded; its id is replied to
 * the instance as `survey.sent` (see `EffectResult`).
 */
export async function sendSurvey(ctx: EffectContext<SendSurveyParams>): Promise<EffectResult> {
  const survey = await ctx.tenant.surveys.send(ctx.params, { idempotencyKey: ctx.idempotencyKey });
  const reply: SurveySentEvent = { type: 'survey.sent', surveyId: survey.id };
  return { reply };
}

/** Built-in `remindSurvey`: `surveys.remind`, once, and only while the survey waits for its answer (it may have come meanwhile). */
export async function remindSurvey(ctx: EffectContext<SurveyParams>): Promise<void> {
  const survey = await ctx.tenant.surveys.get(ctx.params.surveyId);
  if (survey.status !== 'sent' || survey.remindedAt !== null) return;
  await ctx.tenant.surveys.remind(survey.id);
}

/** Built-in `expireSurvey`: `surveys.expire`, unless the answer came while the timer was on its way. */
export async function expireSurvey(ctx: EffectContext<SurveyParams>): Promise<void> {
  const survey = await ctx.tenant.surveys.get(ctx.params.surveyId);
  if (survey.status === 'answered') return;
  await ctx.tenant.surveys.expire(survey.id);
}
