import { type Row, type Storage, ValidationError } from '@crmkit/core';
import type { Logger, Runner, TaskList, WorkerEvents } from 'graphile-worker';
import { queueWorkerMigrations } from '../migrations/index.js';
import type { EngineRuntime } from '../runtime/context.js';
import { countJob, type DueWork, noWork } from '../runtime/deliver.js';
import { fireTimer } from '../runtime/fire-timer.js';
import { deliverJob } from '../runtime/job-attempt.js';
import type { Worker, WorkerOptions } from '../runtime/worker.js';
import { jobModel } from '../storage/models.js';
import type { QueueWrites, WorkflowQueue } from './queue.js';
import { beyondHorizon, markUnpromoted, promoteTimers } from './timer-horizon.js';
import { WorkerLease } from './worker-lease.js';

type GraphileWorker = typeof import('graphile-worker');
type PgPool = NonNullable<import('graphile-worker').RunnerOptions['pgPool']>;

/** Options of {@link graphileQueue}. */
export interface GraphileQueueOptions {
  /**
   * The pg pool graphile-worker runs on; must reach the same database as the CRM.
   * @default the Postgres adapter's own pool (`postgresAdapter({ connectionString })`)
   */
  pgPool?: PgPool;
  /**
   * The schema of graphile-worker's tables and functions.
   * @default 'graphile_worker'
   */
  schema?: string;
  /**
   * How often idle workers look for jobs that became due (new jobs are announced
   * at once with LISTEN/NOTIFY), in milliseconds.
   * @default 500
   */
  pollIntervalMs?: number;
  /**
   * How far ahead a timer gets its graphile job, in milliseconds. A timer due
   * later than this when it is written gets none then; every worker process's
   * heartbeat (each third of the engine's `leaseMs`) gives the timers that
   * have come within this horizon their job. graphile-worker's fetch and its
   * check for an empty queue slow down with every pending job (21 ms per check
   * at 400,000 jobs, so intake fell to 10 cases/s with workers running), and
   * most timers (SLA breaches, follow-ups, renewals) are due hours or days out.
   * Keep it well above `leaseMs`, so that a timer has its job before it is due
   * even when a heartbeat or two is missed.
   * @default 600000 (10 minutes)
   */
  timerHorizonMs?: number;
  /**
   * graphile-worker's logger.
   * @default warnings and errors to the console, the rest dropped
   */
  logger?: Logger;
}

/** Task names of the jobs the engine enqueues. */
const timerTask = 'crmkit_timer';
const effectTask = 'crmkit_effect';
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/**
 * graphile-worker's own attempts of a job: they only cover failures of the
 * delivery itself (the database unreachable mid-task). An effect's retries
 * are the engine's (`maxAttempts`, `retryBaseMs`), recorded in the job row
 * and re-enqueued as a new graphile job for the next attempt's due time.
 */
const deliveryAttempts = 25;

interface TimerPayload { tenantId: string; timerId: string }
interface EffectPayload { tenantId: string; jobId: string }

/** A timer's job key: a re-scheduled send id replaces its pending job, a cancel removes it. */
function timerKey(tenantId: string, instanceId: string, sendId: string): string {
  return `${timerTask}:${tenantId}:${instanceId}:${sendId}`;
}

function effectKey(tenantId: string, job: Row): string {
  return `${effectTask}:${tenantId}:${job.idempotencyKey as string}`;
}

/** A tagged-template argument built from fixed SQL pieces (the schema name is not a parameter). */
function template(...pieces: string[]): TemplateStringsArray {
  return Object.assign([...pieces], { raw: [...pieces] });
}

function sqlOf(tx: Storage): NonNullable<Storage['executeSql']> {
  if (typeof tx.executeSql !== 'function') {
    throw ValidationError.single('graphileQueue needs a storage adapter with executeSql (@crmkit/adapter-postgres)', ['queue']);
  }
  return tx.executeSql.bind(tx);
}

let loaded: Promise<GraphileWorker> | undefined;
/** graphile-worker is an optional peer dependency: loaded only by engines that use this queue. */
function graphile(): Promise<GraphileWorker> {
  loaded ??= import('graphile-worker');
  return loaded;
}

/**
 * Delivers timers and effects with graphile-worker, the PostgreSQL job queue,
 * so that any number of worker processes on one database share the work.
 *
 * Each effect row, and each timer row due within `timerHorizonMs`, written by
 * a transition gets a graphile job (`graphile_worker.add_job`) in the same
 * transaction: a rollback leaves no job behind and a commit leaves none
 * missing. A timer due later is marked instead, and the heartbeat of a worker
 * process gives it its job once it comes within the horizon, in the
 * transaction that claims it, so graphile only ever holds the jobs of the
 * next minutes, however many timers are pending. Timer jobs carry the job key
 * `crmkit_timer:<tenant>:<instance>:<send id>`, so re-scheduling replaces the
 * pending job and a cancel (or the instance finishing) removes it; a timer
 * delivered twice anyway is ignored by the instance revision guard, so each
 * fires exactly once. Effect jobs go through the engine's one settle path,
 * as on the built-in queue: each attempt begins and settles with writes
 * fenced by the job row's version, a failure is retried after the engine's
 * `retryBaseMs` backoff (a new graphile job due then, enqueued in the
 * transaction that records the failure) up to `maxAttempts`, then the row is
 * dead for `deadJobs`, and `retryJob` enqueues it again. graphile-worker's own
 * retries only cover a delivery that failed to reach the database.
 *
 * Worker processes renew a lease every third of the engine's `leaseMs`;
 * jobs locked by a process whose lease ran out (killed, crashed) are
 * unlocked with graphile's `force_unlock_workers` after `leaseMs` instead of
 * graphile's own four hours.
 *
 * Needs a PostgreSQL server (graphile-worker uses LISTEN/NOTIFY and its own
 * pool), so not PGlite. `engine.migrate()` installs graphile-worker's schema.
 *
 * @example
 * const adapter = postgresAdapter({ connectionString: process.env.DATABASE_URL });
 * const crm = await createCrm({ adapter });
 * const engine = createWorkflowEngine({ crm, workflows, queue: graphileQueue() });
 * await engine.migrate();
 * const worker = engine.runWorker({ concurrency: 8 });
 * @throws {ValidationError} for an invalid `schema`.
 */
export function graphileQueue(options: GraphileQueueOptions = {}): WorkflowQueue {
  const schema = options.schema ?? 'graphile_worker';
  if (!identifier.test(schema)) throw ValidationError.single(`Invalid graphile-worker schema name ${JSON.stringify(schema)}`, ['schema']);
  const addJob = template(
    `select ${schema}.add_job(`, `, `, `::json, run_at => `, `::timestamptz, max_attempts => `, `::int, job_key => `, `, job_key_mode => 'replace') is not null as ok`,
  );
  const removeJobs = template(`select count(${schema}.remove_job(key))::int as removed from unnest(`, `::text[]) as key`);
  const unlockOrphans = template(
    `select ${schema}.force_unlock_workers(array(select distinct locked_by from ${schema}.jobs where locked_by is not null and locked_at < now() - `,
    ` * interval '1 millisecond' and not (locked_by = any(`, `::text[])))) is not null as ok`,
  );

  const horizonMs = options.timerHorizonMs ?? 600_000;
  if (!Number.isFinite(horizonMs) || horizonMs < 0) throw ValidationError.single('timerHorizonMs must be a non-negative number of milliseconds', ['timerHorizonMs']);

  const poolOf = (rt: EngineRuntime): PgPool => {
    const pool = options.pgPool ?? (rt.storage as { pool?: PgPool }).pool;
    if (!pool) throw ValidationError.single('graphileQueue needs a pg pool: pass pgPool, or use postgresAdapter({ connectionString }) (not PGlite)', ['pgPool']);
    return pool;
  };
  const logger = async (): Promise<Logger> => {
    if (options.logger) return options.logger;
    const { Logger } = await graphile();
    return new Logger(() => (level, message) => {
      if (level === 'error' || level === 'warning') console.warn(`crmkit graphile-worker ${level}: ${message}`);
    });
  };

  /** Enqueues the delivery of a job row at `runAt` (its `dueAt` by default); the key replaces a pending delivery of the same job. */
  async function enqueueEffect(tx: Storage, tenantId: string, job: Row, runAt = job.dueAt as string): Promise<void> {
    const payload: EffectPayload = { tenantId, jobId: job.id as string };
    await sqlOf(tx)(addJob, effectTask, JSON.stringify(payload), runAt, deliveryAttempts, effectKey(tenantId, job));
  }

  /** Enqueues a timer's delivery at its due time; its key replaces the pending delivery of an earlier timer of the same send id. */
  async function enqueueTimer(tx: Storage, tenantId: string, timer: Row): Promise<void> {
    const payload: TimerPayload = { tenantId, timerId: timer.id as string };
    // A timer's fire is idempotent: graphile's attempts only retry a delivery that failed to reach the database.
    await sqlOf(tx)(addJob, timerTask, JSON.stringify(payload), timer.dueAt as string, deliveryAttempts, timerKey(tenantId, timer.instanceId as string, timer.sendId as string));
  }

  return {
    name: 'graphile-worker',

    async enqueue(tx: Storage, writes: QueueWrites): Promise<void> {
      const { tenantId, instanceId } = writes;
      const far = writes.timers.filter((timer) => beyondHorizon(timer, horizonMs));
      // A far timer may replace a timer of its send id that had a job: that job goes, as a cancelled timer's does.
      // Removing a key without a job (a cancelled far timer never had one) removes nothing.
      const removed = [
        ...writes.cancelledSendIds.map((sendId) => timerKey(tenantId, instanceId, sendId)),
        ...far.map((timer) => timerKey(tenantId, instanceId, timer.sendId as string)),
        ...(writes.cancelledJobs ?? []).map((job) => effectKey(tenantId, job)),
      ];
      if (removed.length > 0) await sqlOf(tx)(removeJobs, removed);
      await markUnpromoted(tx, tenantId, far);
      for (const timer of writes.timers) if (!far.includes(timer)) await enqueueTimer(tx, tenantId, timer);
      for (const job of writes.jobs) await enqueueEffect(tx, tenantId, job);
    },

    requeueJob(tx: Storage, job: Row): Promise<void> {
      return enqueueEffect(tx, job.tenantId as string, job);
    },

    async migrate(rt: EngineRuntime): Promise<void> {
      await rt.storage.migrate(queueWorkerMigrations);
      const { runMigrations } = await graphile();
      await runMigrations({ pgPool: poolOf(rt), schema, logger: await logger() });
    },

    startWorker(rt: EngineRuntime, workerOptions: WorkerOptions): Worker {
      return startGraphileWorker(rt, workerOptions, {
        pgPool: poolOf(rt), schema, pollIntervalMs: options.pollIntervalMs ?? 500, logger, unlockOrphans,
        later: (tenantId, job, at) => rt.storage.transaction((tx) => enqueueEffect(tx, tenantId, job, at)),
        promote: () => promoteTimers(rt.storage, horizonMs, rt.settings.leaseMs, (tx, timer) => enqueueTimer(tx, timer.tenantId as string, timer)),
      });
    },
  };
}

interface RunSettings {
  pgPool: PgPool;
  schema: string;
  pollIntervalMs: number;
  logger: () => Promise<Logger>;
  unlockOrphans: TemplateStringsArray;
  /** Enqueues another delivery of a job that is not due yet, or leased by another holder, at `at`. */
  later: (tenantId: string, job: Row, at: string) => Promise<void>;
  /** Gives the timers that came within the horizon their graphile job; returns how many. */
  promote: () => Promise<number>;
}

/** One graphile delivery of an effect job, through the engine's one settle path. */
async function deliverEffect(rt: EngineRuntime, payload: EffectPayload, settings: RunSettings): Promise<DueWork> {
  const { tenantId, jobId } = payload;
  const work = noWork();
  const row = await rt.storage.findOne({ model: jobModel, tenantId, id: jobId });
  // Gone, done or dead already (a second delivery after a crash between the settle and graphile's bookkeeping): nothing to do.
  if (!row) return work;
  const outcome = await deliverJob(rt, row, false);
  // The next attempt of a retried job was enqueued by the settle itself; a job not due yet gets a delivery at its time.
  if (outcome.kind === 'later') await settings.later(tenantId, row, outcome.at);
  countJob(work, outcome.kind);
  return work;
}

function startGraphileWorker(rt: EngineRuntime, options: WorkerOptions, settings: RunSettings): Worker {
  const concurrency = options.concurrency ?? 4;
  const report = options.onError ?? ((e: unknown) => console.error('crmkit workflow worker:', e));
  const pass = (work: Partial<DueWork>): void => options.onPass?.({ ...noWork(), ...work });
  const taskList: TaskList = {
    [timerTask]: async (payload) => {
      const { tenantId, timerId } = payload as TimerPayload;
      const fired = await fireTimer(rt, tenantId, timerId);
      pass(fired ? { timersFired: 1 } : { timersSkipped: 1 });
    },
    [effectTask]: async (payload) => {
      pass(await deliverEffect(rt, payload as EffectPayload, settings));
    },
  };
  const lease = new WorkerLease(rt.storage, rt.settings.leaseMs);
  const workerIds: string[] = [];
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let beating: Promise<void> = Promise.resolve();
  let promoting: Promise<void> = Promise.resolve();

  const beat = async (): Promise<void> => {
    const now = rt.clock.now();
    await lease.renew(now, workerIds);
    const live = await lease.liveWorkerIds(now);
    // Jobs locked by a process without a running lease would otherwise wait graphile's four hours.
    await sqlOf(rt.storage)(settings.unlockOrphans, rt.settings.leaseMs, live);
    await lease.forgetStale(now);
    // Task reminders have no graphile job of their own: every heartbeat of every worker process
    // emits the due ones (each exactly once, whichever process claims it).
    let sent: number;
    do {
      sent = await rt.crm.deliverReminders({ limit: 100 });
      if (sent > 0) pass({ remindersSent: sent });
    } while (sent === 100);
    await settings.promote();
  };

  const started = (async (): Promise<Runner> => {
    const { run } = await graphile();
    const { EventEmitter } = await import('node:events');
    const events = new EventEmitter() as WorkerEvents;
    events.on('worker:create', ({ worker }) => {
      workerIds.push(worker.workerId);
    });
    const runner = await run({
      pgPool: settings.pgPool, schema: settings.schema, concurrency, pollInterval: settings.pollIntervalMs,
      taskList, events, noHandleSignals: true, logger: await settings.logger(),
    });
    await lease.renew(rt.clock.now(), workerIds);
    // Timers that came within the horizon while no worker ran get their job before the first heartbeat.
    promoting = settings.promote().then(() => undefined, report);
    heartbeat = setInterval(() => {
      beating = beat().catch(report);
    }, Math.max(50, Math.floor(rt.settings.leaseMs / 3)));
    heartbeat.unref?.();
    return runner;
  })();
  started.catch(report);

  return {
    async stop() {
      const runner = await started.catch(() => undefined);
      if (heartbeat) clearInterval(heartbeat);
      await Promise.all([beating, promoting]);
      await runner?.stop();
      await lease.release().catch(report);
    },
  };
}
