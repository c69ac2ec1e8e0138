/** A loop that runs passes until stopped. @internal */
export interface PollLoop {
  /** Ends the current pause early. */
  wake(): void;
  /** Lets the pass in hand finish, then resolves; no new pass starts. */
  stop(): Promise<void>;
}

/** How a {@link startPollLoop} loop runs. @internal */
export interface PollLoopOptions<TWork> {
  /** One pass; its result says whether there was work. */
  pass: () => Promise<TWork>;
  /** Whether a pass found work: passes with work run back to back, others pause. */
  busy: (work: TWork) => boolean;
  /** Pause after an idle pass, in milliseconds. */
  pollIntervalMs: number;
  onPass?: ((work: TWork) => void) | undefined;
  /** Called when a pass throws; the loop goes on after the pause. */
  onError: (error: unknown) => void;
}

/**
 * Runs `pass` until stopped, pausing only after passes that found nothing, so
 * a backlog drains at full speed and an idle loop costs one query per interval.
 * @internal
 */
export function startPollLoop<TWork>(options: PollLoopOptions<TWork>): PollLoop {
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      let busy = false;
      try {
        const work = await options.pass();
        options.onPass?.(work);
        busy = options.busy(work);
      } catch (error) {
        options.onError(error);
      }
      if (!busy && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  })();
  return {
    wake: () => wake?.(),
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
