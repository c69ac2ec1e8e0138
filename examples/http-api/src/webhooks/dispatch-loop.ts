/**
 * Runs a pass now and then: `pollIntervalMs` after the previous one ended,
 * or at once when woken (an event committed in this process). A wake during
 * a pass runs another pass right after it, so an event committed while a
 * pass was reading is not left for the next interval.
 */
export class DispatchLoop {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pass: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs a pass now, or right after the one running. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#pass = this.#once();
  }

  async #once(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.run();
      } catch (error) {
        this.onError(error);
      }
    } while (this.#again && !this.#stopped);
    this.#pass = undefined;
    if (!this.#stopped) this.#timer = setTimeout(() => this.wake(), this.pollIntervalMs);
  }

  /** Stops the loop; resolves when the pass in hand has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
  }
}
