import type { TriggerWork } from './runner.js';

/** Options of `TriggerRunner.start`. */
export interface TriggerLoopOptions {
  /**
   * Pause between passes that fired nothing, in milliseconds (an event
   * committed in this process ends the pause early).
   * @default 500
   */
  pollIntervalMs?: number;
  /** Called with every pass's counts (for logs and metrics). */
  onPass?: (work: TriggerWork) => void;
  /** Called when a pass throws; the loop goes on after the poll interval. @default the runner's `onError` */
  onError?: (error: unknown) => void;
}

/** A running trigger loop. @internal */
export interface TriggerLoop {
  /** Ends the current pause. */
  wake(): void;
  /** Lets the pass in hand finish, then resolves. */
  stop(): Promise<void>;
}

/** Loops `pass` until stopped. @internal */
export function startLoop(pass: () => Promise<TriggerWork>, options: TriggerLoopOptions): TriggerLoop {
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      let busy = false;
      try {
        const work = await pass();
        options.onPass?.(work);
        busy = work.started + work.signalled + work.ran + work.failed > 0;
      } catch (error) {
        (options.onError ?? ((e) => console.error('crmkit workflow triggers:', e)))(error);
      }
      if (!busy && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
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
