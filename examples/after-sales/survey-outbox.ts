import type { DeliverSurveyParams, EffectHandler } from '@crmkit/workflows';

/** One survey put in front of a customer (the first sending or the reminder). */
export interface SurveyDelivery {
  surveyId: string;
  contactId: string | null;
  caseId: string | null;
  reminder: boolean;
  /** Simulated time of the delivery (ISO). */
  at: string;
}

/**
 * A stand-in for the host's mailer: crmkit sends no email, so the
 * `deliverSurvey` effect of `satisfaction-survey` is the host's. A real
 * handler passes `idempotencyKey` on to its mailer; this one dedupes on it
 * itself, since effects run at least once.
 */
export class SurveyOutbox {
  readonly #byKey = new Map<string, SurveyDelivery>();

  /** The effect handler to give the engine as `actions.deliverSurvey`. */
  readonly deliverSurvey: EffectHandler = (ctx) => {
    const params = ctx.params as DeliverSurveyParams;
    if (this.#byKey.has(ctx.idempotencyKey)) return;
    this.#byKey.set(ctx.idempotencyKey, {
      surveyId: params.surveyId, contactId: params.contactId, caseId: params.caseId, reminder: params.reminder, at: ctx.now.toISOString(),
    });
  };

  /** Every delivery, in the order they happened. */
  get deliveries(): SurveyDelivery[] {
    return [...this.#byKey.values()];
  }
}
