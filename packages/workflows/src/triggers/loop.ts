import { type PollLoop, startPollLoop } from '../runtime/poll-loop.js';
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
export type TriggerLoop = PollLoop;

/** Loops `pass` until stopped. @internal */
export function startLoop(pass: () => Promise<TriggerWork>, options: TriggerLoopOptions): TriggerLoop {
  return startPollLoop({
    pass,
    busy: (work) => work.started + work.signalled + work.ran + work.failed > 0,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    onPass: options.onPass,
    onError: options.onError ?? ((e) => console.error('crmkit workflow triggers:', e)),
  });
}
