import type { WorkflowEngine } from '../engine.js';
import type { DueWork } from './deliver.js';

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

/** Loops `runDue` until stopped; passes that find work run back to back. */
export function startWorker(engine: WorkflowEngine, options: WorkerOptions): Worker {
  const concurrency = options.concurrency ?? 4;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping) {
      let busy = false;
      try {
        const work = await engine.runDue({ concurrency, limit: concurrency * 25 });
        options.onPass?.(work);
        busy = work.timersFired + work.timersSkipped + work.jobsDone + work.jobsFailed > 0;
      } catch (error) {
        (options.onError ?? ((e) => console.error('crmkit workflow worker:', e)))(error);
      }
      if (!busy && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
