/**
 * A worker process of the timer-lag row (`bench/workflows-pg.ts`): runs
 * `engine.runWorker` on the benchmark's PostgreSQL database until SIGTERM.
 * The parent passes the database URL, the queue and the concurrency in the
 * environment, and waits for `ready` on stdout.
 */
import { openTimerEngine, type TimerQueueKind } from './workflows-pg.js';

const url = process.env.CRMKIT_WF_BENCH_URL;
if (!url) throw new Error('CRMKIT_WF_BENCH_URL is not set (this script is started by bench/workflows-pg.ts)');
const queue = (process.env.CRMKIT_WF_BENCH_QUEUE ?? 'graphile') as TimerQueueKind;
const concurrency = Number(process.env.CRMKIT_WF_BENCH_CONCURRENCY ?? 4);

const { crm, engine } = await openTimerEngine(url, queue, concurrency);
const worker = engine.runWorker({ concurrency, onError: (e) => console.error('bench worker error:', e) });
process.once('SIGTERM', () => {
  void worker
    .stop()
    .then(() => crm.close())
    .finally(() => process.exit(0));
});
process.stdout.write('ready\n');
