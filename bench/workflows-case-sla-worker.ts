/**
 * A worker process of the case-SLA row (`bench/workflows-case-sla.ts`): builds
 * the `case-sla` engine (built-in effects, graphile queue) on the benchmark's
 * database and prints `loaded`; on `run` from stdin it starts
 * `engine.runWorker` and prints `ready`, until SIGTERM. The parent passes the
 * database URL and the concurrency in the environment. Its own script because
 * `bench/workflows-worker.ts` builds the alarm workflow's engine.
 */
import type { Worker } from '@crmkit/workflows';
import { openCaseSlaEngine } from './workflows-case-sla.js';

const url = process.env.CRMKIT_WF_BENCH_URL;
if (!url) throw new Error('CRMKIT_WF_BENCH_URL is not set (this script is started by bench/workflows-case-sla.ts)');
const concurrency = Number(process.env.CRMKIT_WF_BENCH_CONCURRENCY ?? 4);

// Loaded (and its modules compiled) long before it runs: the parent seeds for minutes first, and
// an idle graphile worker would be woken by every job the seeding adds.
const { crm, engine } = await openCaseSlaEngine(url, concurrency);
let worker: Worker | undefined;
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void Promise.resolve(worker?.stop())
    .then(() => crm.close())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (worker !== undefined || stopping || !chunk.includes('run')) return;
  worker = engine.runWorker({ concurrency, onError: (e) => console.error('case-sla bench worker error:', e) });
  process.stdout.write('ready\n');
});
// The parent holds stdin open: when it dies without stopping this process (SIGKILL), the pipe closes.
process.stdin.once('close', stop);
process.stdout.write('loaded\n');
