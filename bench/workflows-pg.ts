/**
 * The PostgreSQL rows of the workflow benchmark: timer lag (due -> fired) with
 * four worker processes on the engine's PostgreSQL queue, and concurrent
 * senders to one instance, each on a database of its own that is dropped at
 * the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import { type Crm, createCrm } from '@crmkit/core';
import { builtinQueue, createWorkflowEngine, graphileQueue, instanceModel, stepModel, type WorkflowEngine, type WorkflowQueue, workflowMigrations } from '@crmkit/workflows';
import { type BenchDatabase, createBenchDatabase, serverUrl } from './pg-server.js';
import { alarmEvent, alarmWorkflow, toggleWorkflow } from './workflows-machines.js';
import { perSecond, type WorkflowRow } from './workflows-report.js';

/** Which queue delivers the timers: graphile-worker (the engine's Postgres queue) or the built-in polling runner. */
export type TimerQueueKind = 'graphile' | 'builtin';

const tenantId = 'bench';
/** Target of the p99 lag, milliseconds. */
export const lagTarget = 1_000;

/**
 * The engine every process of the row builds alike: the alarm workflow on a
 * Postgres adapter whose pool also carries graphile-worker (concurrency + 4 connections).
 */
export async function openTimerEngine(
  url: string,
  kind: TimerQueueKind,
  concurrency: number,
): Promise<{ crm: Crm; engine: WorkflowEngine; queue: WorkflowQueue }> {
  const adapter = postgresAdapter({ connectionString: url, poolSize: concurrency + 4 });
  const crm = await createCrm({ adapter, migrations: workflowMigrations });
  const queue = kind === 'graphile' ? graphileQueue() : builtinQueue();
  const engine = createWorkflowEngine({ crm, workflows: [alarmWorkflow], queue });
  return { crm, engine, queue };
}

/** Options of {@link timerLagRows}. */
export interface TimerLagOptions {
  /** Instances, one timer each. */
  timers: number;
  /** The due times are spread evenly over this window. */
  spreadMs: number;
  /** Worker processes, and the concurrency of each one's `runWorker`. */
  workers: number;
  concurrency: number;
  queue: TimerQueueKind;
  log: (line: string) => void;
}

const workerScript = fileURLToPath(new URL('./workflows-worker.ts', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));

function spawnWorker(url: string, options: TimerLagOptions): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
    cwd: root,
    env: { ...process.env, CRMKIT_WF_BENCH_URL: url, CRMKIT_WF_BENCH_QUEUE: options.queue, CRMKIT_WF_BENCH_CONCURRENCY: String(options.concurrency) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`bench worker exited before ready (${code ?? signal})`)));
  });
  ready.catch(() => {});
  return { child, ready, exited };
}

async function stopWorker(worker: ReturnType<typeof spawnWorker>): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  const timeout = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
  await worker.exited;
  clearTimeout(timeout);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile q (nearest rank) of sorted numbers. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Starts instances whose timers fall due at `dueAt(i)`, `lanes` at a time; returns id -> due time (ms). */
async function startAlarms(
  engine: WorkflowEngine,
  count: number,
  lanes: number,
  dueAt: (i: number) => number,
): Promise<{ due: Map<string, number>; late: number }> {
  const due = new Map<string, number>();
  let next = 0;
  let late = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) {
        const i = next++;
        const delayMs = dueAt(i) - Date.now();
        if (delayMs <= 0) late++;
        const run = await engine.start(tenantId, alarmWorkflow.id, { input: { delayMs: Math.max(0, delayMs) } });
        // The engine schedules the timer at (the transition's time = createdAt) + delay.
        due.set(run.id, Date.parse(run.createdAt) + (run.context as { delayMs: number }).delayMs);
      }
    }),
  );
  return { due, late };
}

/** Waits until `count` alarm instances are done, or the deadline passes; returns how many are. */
async function waitDone(crm: Crm, count: number, deadline: number): Promise<number> {
  for (;;) {
    const done = await crm.adapter.count({ model: instanceModel, tenantId, where: { workflowId: alarmWorkflow.id, status: 'done' } });
    if (done >= count || Date.now() > deadline) return done;
    await pause(250);
  }
}

/**
 * Timer lag: `timers` alarm instances whose timers fall due spread over
 * `spreadMs`, delivered by `workers` child processes each running
 * `engine.runWorker({ concurrency })`. Lag = the `at` of the timer's history
 * row (the time the transition was computed and written, in the worker) minus
 * the timer's due time. One skipped row when no server answers.
 */
export async function timerLagRows(options: TimerLagOptions): Promise<{ rows: WorkflowRow[]; server?: string }> {
  const { timers, spreadMs, workers, concurrency, log } = options;
  const label = `timer lag p99, ${workers} worker processes x concurrency ${concurrency}, PostgreSQL`;
  let database: BenchDatabase;
  try {
    database = await createBenchDatabase(serverUrl());
  } catch (error) {
    log(`PostgreSQL row skipped: ${(error as Error).message}`);
    return { rows: [{ label, value: 'no server', target: `< ${lagTarget} ms`, result: 'skipped' }] };
  }
  const interrupted = (): void => {
    console.error('\ninterrupted: dropping the benchmark database');
    void database.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const children: ReturnType<typeof spawnWorker>[] = [];
  let crm: Crm | undefined;
  try {
    const opened = await openTimerEngine(database.url, options.queue, concurrency);
    crm = opened.crm;
    const engine = opened.engine;
    const queueName = opened.queue.name;
    log(`PostgreSQL ${database.version}: migrating, queue ${queueName}, ${workers} worker processes`);
    await engine.migrate();
    for (let i = 0; i < workers; i++) children.push(spawnWorker(database.url, options));
    await Promise.all(children.map((c) => c.ready));

    // Warm-up: instances due at once, which also proves the workers run; their start rate sizes the lead time.
    const warmup = 50;
    const warmStart = performance.now();
    await startAlarms(engine, warmup, 4, () => 0);
    const startMs = (performance.now() - warmStart) / warmup;
    if ((await waitDone(crm, warmup, Date.now() + 30_000)) < warmup) throw new Error('the workers did not fire the warm-up timers within 30 s');

    // The first timer falls due once every instance is expected to be started (with a margin), but
    // at most 20 s ahead: on a slow machine later instances are due before they exist, and fire
    // at once (counted as "due before started"); their lag is still measured from their real due time.
    const first = Date.now() + Math.min(20_000, Math.max(2_000, Math.ceil(timers * startMs * 1.3))) + 500;
    log(`starting ${timers.toLocaleString('en-US')} instances, timers due over ${spreadMs / 1000} s from +${((first - Date.now()) / 1000).toFixed(1)} s`);
    const startedAt = performance.now();
    const { due, late } = await startAlarms(engine, timers, 4, (i) => first + Math.floor((i * spreadMs) / timers));
    const startRate = (timers * 1000) / (performance.now() - startedAt);
    const lastDue = Math.max(...due.values());
    const done = await waitDone(crm, warmup + timers, lastDue + 30_000);

    const steps = await crm.adapter.findMany({ model: stepModel, tenantId, where: { eventType: alarmEvent }, select: ['instanceId', 'at'] });
    const lags: number[] = [];
    let lastFired = 0;
    for (const step of steps) {
      const d = due.get(step.instanceId as string);
      if (d === undefined) continue;
      lags.push(Date.parse(step.at as string) - d);
      lastFired = Math.max(lastFired, Date.parse(step.at as string));
    }
    const firstDue = Math.min(...due.values());
    lags.sort((a, b) => a - b);
    if (lags.length === 0) throw new Error('no timer fired');
    const missed = timers - lags.length;
    const p99 = quantile(lags, 0.99);
    const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
    const rows: WorkflowRow[] = [
      {
        label: `${label} (${queueName})`, value: ms(p99), target: `< ${lagTarget} ms`,
        result: p99 < lagTarget && missed === 0 ? 'PASS' : 'FAIL',
      },
      { label: `timer lag p50 (${queueName})`, value: ms(quantile(lags, 0.5)) },
      { label: `timer lag max; min (${queueName})`, value: `${ms(lags[lags.length - 1]!)}; ${ms(lags[0]!)}` },
      {
        label: `timers fired / started (due over ${spreadMs / 1000} s)`,
        value: `${lags.length.toLocaleString('en-US')} / ${timers.toLocaleString('en-US')}${late > 0 ? `, ${late} due before they were started` : ''}`,
      },
      { label: 'timers fired/s, first due -> last fired (all workers)', value: perSecond((lags.length * 1000) / Math.max(1, lastFired - firstDue)) },
      { label: 'instances/s, engine.start on PostgreSQL (4 concurrent, add_job per timer)', value: perSecond(startRate) },
    ];
    if (done < warmup + timers) log(`only ${done - warmup} of ${timers} instances finished within 30 s of the last due time`);
    return { rows, server: `PostgreSQL ${database.version}, queue ${queueName}` };
  } catch (error) {
    log(`PostgreSQL row failed: ${(error as Error).stack ?? String(error)}`);
    return { rows: [{ label, value: 'error', target: `< ${lagTarget} ms`, result: 'FAIL' }] };
  } finally {
    await Promise.all(children.map(stopWorker));
    await crm?.close().catch((error: unknown) => console.error('closing the adapter failed:', error));
    await database.drop().catch((error: unknown) => console.error('dropping the benchmark database failed:', error));
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

/**
 * Concurrent senders on PostgreSQL: `sends` concurrent `engine.send` calls to
 * one instance of the toggle machine (a pool of 10 connections), and the same
 * number spread over 100 instances. On one instance every send but one waits
 * for the instance's row lock; before the engine took that lock, concurrent
 * sends conflicted and were retried without backoff (12 to 23 s for 1,000).
 */
export async function concurrentSendRows(options: { sends: number; log: (line: string) => void }): Promise<WorkflowRow[]> {
  const { sends, log } = options;
  const label = `${sends.toLocaleString('en-US')} concurrent engine.send to one instance, PostgreSQL`;
  let database: BenchDatabase;
  try {
    database = await createBenchDatabase(serverUrl());
  } catch (error) {
    log(`PostgreSQL concurrent-send rows skipped: ${(error as Error).message}`);
    return [{ label, value: 'no server' }];
  }
  const adapter = postgresAdapter({ connectionString: database.url, poolSize: 10 });
  try {
    const crm = await createCrm({ adapter, migrations: workflowMigrations });
    await crm.migrate();
    const engine = createWorkflowEngine({ crm, workflows: [toggleWorkflow] });
    const burst = async (ids: readonly string[]): Promise<number> => {
      const started = performance.now();
      const done = await Promise.all(Array.from({ length: sends }, (_, i) => engine.send(tenantId, ids[i % ids.length]!, { type: 'toggle' })));
      if (done.length !== sends) throw new Error('a send was lost');
      return performance.now() - started;
    };
    log(`${sends.toLocaleString('en-US')} concurrent sends to one instance, then over 100 instances (PostgreSQL ${database.version})`);
    const one = [(await engine.start(tenantId, toggleWorkflow.id)).id];
    const many: string[] = [];
    for (let i = 0; i < 100; i++) many.push((await engine.start(tenantId, toggleWorkflow.id)).id);
    await burst(many.slice(0, 10));
    const oneMs = await burst(one);
    const manyMs = await burst(many);
    const count = (await engine.get(tenantId, one[0]!)).context as { count: number };
    if (count.count !== sends) throw new Error(`the instance applied ${count.count} of ${sends} sends`);
    return [
      { label, value: `${(oneMs / 1000).toFixed(2)} s (${perSecond((sends * 1000) / oneMs)})` },
      { label: `${sends.toLocaleString('en-US')} concurrent engine.send over 100 instances, PostgreSQL`, value: `${(manyMs / 1000).toFixed(2)} s (${perSecond((sends * 1000) / manyMs)})` },
    ];
  } catch (error) {
    log(`PostgreSQL concurrent-send rows failed: ${(error as Error).stack ?? String(error)}`);
    return [{ label, value: 'error' }];
  } finally {
    await adapter.close().catch(() => {});
    await database.drop().catch((error: unknown) => console.error('dropping the benchmark database failed:', error));
  }
}
