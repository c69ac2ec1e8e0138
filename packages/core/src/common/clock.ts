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

/** A clock that only moves when told to: for tests and simulations. */
export class ManualClock implements Clock {
  #time: number;

  /** @param start the initial time. @default 2026-01-01T00:00:00.000Z */
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.#time = new Date(start).getTime();
  }

  /** The current (frozen) time. */
  now(): Date {
    return new Date(this.#time);
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#time += ms;
  }

  /** Jumps to an instant. */
  set(time: Date | string): void {
    this.#time = new Date(time).getTime();
  }
}
