import type { Row, Storage } from '@crmkit/core';
import type { Job, Logger, Runner, TaskList, WorkerEvents } from 'graphile-worker';
import type { WorkflowEngine } from '../engine.js';
import { errorText, fireTimer, runEffect } from '../runtime/deliver.js';
import type { Worker, WorkerOptions } from '../runtime/worker.js';
import { jobModel } from '../storage/models.js';
import type { QueueWrites, WorkflowQueue } from './queue.js';
import { queueWorkerMigrations } from '../migrations/index.js';
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
   * graphile-worker's logger.
   * @default warnings and errors to the console, the rest dropped
   */
  logger?: Logger;
}

/** Task names of the jobs the engine enqueues. */
const timerTask = 'crmkit_timer';
const effectTask = 'crmkit_effect';
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

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
    throw new TypeError('graphileQueue needs a storage adapter with executeSql (@crmkit/adapter-postgres)');
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
 * Each timer and effect row written by a transition gets a graphile job
 * (`graphile_worker.add_job`) in the same transaction: a rollback leaves no
 * job behind and a commit leaves none missing. Timer jobs carry the job key
 * `crmkit_timer:<tenant>:<instance>:<send id>`, so re-scheduling replaces the
 * pending job and a cancel (or the instance finishing) removes it; a timer
 * delivered twice anyway is ignored by the instance revision guard, so each
 * fires exactly once. Effect jobs run at least once with graphile's retries
 * and exponential backoff up to the engine's `maxAttempts`; the last failure
 * marks the job row dead for `deadJobs`, and `retryJob` enqueues it again.
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
 * @throws {TypeError} for an invalid `schema`.
 */
export function graphileQueue(options: GraphileQueueOptions = {}): WorkflowQueue {
  const schema = options.schema ?? 'graphile_worker';
  if (!identifier.test(schema)) throw new TypeError(`Invalid graphile-worker schema name ${JSON.stringify(schema)}`);
  const addJob = template(
    `select ${schema}.add_job(`, `, `, `::json, run_at => `, `::timestamptz, max_attempts => `, `::int, job_key => `, `, job_key_mode => 'replace') is not null as ok`,
  );
  const removeJob = template(`select ${schema}.remove_job(`, `) is not null as removed`);
  const unlockOrphans = template(
    `select ${schema}.force_unlock_workers(array(select distinct locked_by from ${schema}.jobs where locked_by is not null and locked_at < now() - `,
    ` * interval '1 millisecond' and not (locked_by = any(`, `::text[])))) is not null as ok`,
  );

  const poolOf = (engine: WorkflowEngine): PgPool => {
    const pool = options.pgPool ?? (engine.storage as { pool?: PgPool }).pool;
    if (!pool) throw new TypeError('graphileQueue needs a pg pool: pass pgPool, or use postgresAdapter({ connectionString }) (not PGlite)');
    return pool;
  };
  const logger = async (): Promise<Logger> => {
    if (options.logger) return options.logger;
    const { Logger } = await graphile();
    return new Logger(() => (level, message) => {
      if (level === 'error' || level === 'warning') console.warn(`crmkit graphile-worker ${level}: ${message}`);
    });
  };

  async function enqueueEffect(tx: Storage, tenantId: string, job: Row): Promise<void> {
    const payload: EffectPayload = { tenantId, jobId: job.id as string };
    await sqlOf(tx)(addJob, effectTask, JSON.stringify(payload), job.dueAt, job.maxAttempts, effectKey(tenantId, job));
  }

  return {
    name: 'graphile-worker',

    async enqueue(tx: Storage, writes: QueueWrites): Promise<void> {
      const sql = sqlOf(tx);
      const { tenantId, instanceId } = writes;
      for (const sendId of writes.cancelledSendIds) await sql(removeJob, timerKey(tenantId, instanceId, sendId));
      for (const timer of writes.timers) {
        const payload: TimerPayload = { tenantId, timerId: timer.id as string };
        // Attempts here only cover infrastructure failures (the fire itself is idempotent): graphile's default.
        await sql(addJob, timerTask, JSON.stringify(payload), timer.dueAt, 25, timerKey(tenantId, instanceId, timer.sendId as string));
      }
      for (const job of writes.jobs) await enqueueEffect(tx, tenantId, job);
    },

    requeueJob(tx: Storage, job: Row): Promise<void> {
      return enqueueEffect(tx, job.tenantId as string, job);
    },

    async migrate(engine: WorkflowEngine): Promise<void> {
      await engine.crm.adapter.migrate(queueWorkerMigrations);
      const { runMigrations } = await graphile();
      await runMigrations({ pgPool: poolOf(engine), schema, logger: await logger() });
    },

    startWorker(engine: WorkflowEngine, workerOptions: WorkerOptions): Worker {
      return startGraphileWorker(engine, workerOptions, {
        pgPool: poolOf(engine), schema, pollIntervalMs: options.pollIntervalMs ?? 500, logger, unlockOrphans,
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
}

/** Runs one effect as graphile's attempt `job.attempts`; graphile retries when it throws. */
async function runEffectJob(engine: WorkflowEngine, payload: EffectPayload, job: Job): Promise<boolean> {
  const { tenantId, jobId } = payload;
  const row = await engine.storage.findOne({ model: jobModel, tenantId, id: jobId });
  // Done already (a retry after a crash between the handler and graphile's bookkeeping), or withdrawn.
  if (!row || row.status !== 'pending') return true;
  const now = engine.clock.now().toISOString();
  try {
    await runEffect(engine, row, job.attempts);
    await engine.storage.update({
      model: jobModel, tenantId, id: jobId,
      data: { status: 'done', attempts: job.attempts, finishedAt: engine.clock.now().toISOString(), updatedAt: now },
    });
    return true;
  } catch (error) {
    const dead = job.attempts >= job.max_attempts;
    await engine.storage.update({
      model: jobModel, tenantId, id: jobId,
      data: { status: dead ? 'dead' : 'pending', attempts: job.attempts, lastError: errorText(error), finishedAt: dead ? now : null, updatedAt: now },
    });
    throw error;
  }
}

function startGraphileWorker(engine: WorkflowEngine, options: WorkerOptions, settings: RunSettings): Worker {
  const concurrency = options.concurrency ?? 4;
  const report = options.onError ?? ((e: unknown) => console.error('crmkit workflow worker:', e));
  const pass = (work: Partial<Parameters<NonNullable<WorkerOptions['onPass']>>[0]>): void =>
    options.onPass?.({ timersFired: 0, timersSkipped: 0, jobsDone: 0, jobsFailed: 0, ...work });
  const taskList: TaskList = {
    [timerTask]: async (payload) => {
      const { tenantId, timerId } = payload as TimerPayload;
      const fired = await fireTimer(engine, tenantId, timerId);
      pass(fired ? { timersFired: 1 } : { timersSkipped: 1 });
    },
    [effectTask]: async (payload, helpers) => {
      try {
        await runEffectJob(engine, payload as EffectPayload, helpers.job);
        pass({ jobsDone: 1 });
      } catch (error) {
        pass({ jobsFailed: 1 });
        throw error;
      }
    },
  };
  const lease = new WorkerLease(engine.storage, engine.options.leaseMs);
  const workerIds: string[] = [];
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let beating: Promise<void> = Promise.resolve();

  const beat = async (): Promise<void> => {
    const now = engine.clock.now();
    await lease.renew(now, workerIds);
    const live = await lease.liveWorkerIds(now);
    // Jobs locked by a process without a running lease would otherwise wait graphile's four hours.
    await engine.storage.executeSql!(settings.unlockOrphans, engine.options.leaseMs, live);
    await lease.forgetStale(now);
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
    await lease.renew(engine.clock.now(), workerIds);
    heartbeat = setInterval(() => {
      beating = beat().catch(report);
    }, Math.max(50, Math.floor(engine.options.leaseMs / 3)));
    heartbeat.unref?.();
    return runner;
  })();
  started.catch(report);

  return {
    async stop() {
      const runner = await started.catch(() => undefined);
      if (heartbeat) clearInterval(heartbeat);
      await beating;
      await runner?.stop();
      await lease.release().catch(report);
    },
  };
}
