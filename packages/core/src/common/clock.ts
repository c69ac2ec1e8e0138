/**
 * Where crmkit gets the time. Inject a fixed or manual clock in tests so that
 * nothing depends on the wall clock.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
