import type { Desk } from './desk.js';
import { script, type Step } from './script.js';

/** Plays the scripted steps as simulated time passes. */
export class Scenario {
  readonly #steps: readonly Step[];
  #next = 0;

  constructor(private readonly desk: Desk, steps: readonly Step[] = script) {
    this.#steps = [...steps].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /** When the next step is due (ms since the epoch), or undefined when the script is done. */
  get nextAt(): number | undefined {
    const step = this.#steps[this.#next];
    return step ? Date.parse(step.at) : undefined;
  }

  /** Runs the steps due at `now` that have not run yet; returns what they did. */
  async runDue(now: Date): Promise<string[]> {
    const ran: string[] = [];
    for (let step = this.#steps[this.#next]; step && Date.parse(step.at) <= now.getTime(); step = this.#steps[this.#next]) {
      this.#next++;
      await step.run(this.desk);
      ran.push(step.what);
    }
    return ran;
  }
}
