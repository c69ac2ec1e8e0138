import type { EffectHandler, EnrollInCampaignParams } from '@crmkit/workflows';

/** One enrolment of a customer in a win-back campaign. */
export interface Enrolment {
  customer: EnrollInCampaignParams['customer'];
  campaignId: string | null;
  /** Simulated time of the enrolment (ISO). */
  at: string;
}

/**
 * A stand-in for the host's campaign tool: crmkit has no campaign sender, so
 * the `enrollInCampaign` effect of the win-back machine is the host's. A real
 * handler passes `idempotencyKey` to the tool; this one dedupes on it itself,
 * since effects run at least once.
 */
export class CampaignRecorder {
  readonly #byKey = new Map<string, Enrolment>();

  /** The effect handler to give the engine as `actions.enrollInCampaign`. */
  readonly enrollInCampaign: EffectHandler = (ctx) => {
    const params = ctx.params as EnrollInCampaignParams;
    if (this.#byKey.has(ctx.idempotencyKey)) return;
    this.#byKey.set(ctx.idempotencyKey, { customer: params.customer, campaignId: params.campaignId, at: ctx.now.toISOString() });
  };

  /** Every enrolment, in the order they happened. */
  get enrolments(): Enrolment[] {
    return [...this.#byKey.values()];
  }
}
