import type { EngineRuntime } from './context.js';
import { deliverDue, type DueWork } from './deliver.js';
import { startPollLoop } from './poll-loop.js';

/** Options of `engine.runWorker`. */
export interface WorkerOptions {
  /**
   * Timers (of different instances) and jobs handled at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Pause between passes that found nothing to do, in milliseconds.
   * @default 200
   */
  pollIntervalMs?: number;
  /** Called with every pass's counts (for logs and metrics). */
  onPass?: (work: DueWork) => void;
  /** Called when a pass throws (the loop goes on after the poll interval). */
  onError?: (error: unknown) => void;
}

/** A running worker loop. */
export interface Worker {
  /** Lets the pass in hand finish, then resolves; no new pass starts. */
  stop(): Promise<void>;
}

/** The built-in queue's worker: loops delivery passes over the rows until stopped; passes that find work run back to back. */
export function startWorker(rt: EngineRuntime, options: WorkerOptions): Worker {
  const concurrency = options.concurrency ?? 4;
  const loop = startPollLoop({
    pass: () => deliverDue(rt, concurrency * 25, concurrency),
    busy: (work) => work.timersFired + work.timersSkipped + work.jobsDone + work.jobsFailed + work.jobsLost + work.remindersSent > 0,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    onPass: options.onPass,
    onError: options.onError ?? ((e) => console.error('crmkit workflow worker:', e)),
  });
  return { stop: () => loop.stop() };
}
