import { postgresAdapter, type PostgresStorageAdapter } from '@crmkit/adapter-postgres';
import { createCrm, type Crm, ManualClock } from '@crmkit/core';
import {
  createWorkflowEngine, defineWorkflow, type DueWork, effect, graphileQueue, instanceModel, jobModel, type Worker, type WorkflowEngine,
  type WorkflowEngineOptions, workflowMigrations,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { noServer, serverUrl, useTestDatabase } from '../../adapters-postgres/test/pg-target.js';
import { gatedAdapter } from './gated-storage.js';
import { minute } from './helpers.js';

const database = useTestDatabase();
const onServer = it.skipIf(serverUrl === undefined);
const skipped = serverUrl === undefined ? ` (${noServer})` : '';

const notifyMachine = setup({ actions: { notify: effect<{ text: string }>() } }).createMachine({
  id: 'notice', initial: 'sent',
  states: { sent: { type: 'final', entry: { type: 'notify', params: { text: 'hello' } } } },
});
const notice = defineWorkflow({ id: 'notice', version: 1, machine: notifyMachine });

/** A timer and an effect on start. */
const reminderMachine = setup({ actions: { notify: effect<{ text: string }>() } }).createMachine({
  id: 'reminder', initial: 'waiting',
  states: { waiting: { entry: { type: 'notify', params: { text: 'armed' } }, after: { [minute]: 'done' } }, done: { type: 'final' } },
});
const reminder = defineWorkflow({ id: 'reminder', version: 1, machine: reminderMachine });

const alarmMachine = setup({}).createMachine({
  id: 'alarm', initial: 'waiting', states: { waiting: { after: { [minute]: 'rang' } }, rang: { type: 'final' } },
});
const alarm = defineWorkflow({ id: 'alarm', version: 1, machine: alarmMachine });

/** Polls `check` (real concurrency: other workers) until it holds, or fails after `ms`. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Two worker processes' worth of engines on one Postgres database, each with
 * its own pool; `slow`'s adapter is gated so that a test can freeze it.
 */
async function twoWorkers(tenantId: string, options: Partial<WorkflowEngineOptions>, fail: { slow?: boolean } = {}) {
  const url = database();
  // Real time: graphile-worker schedules by the server's clock.
  const clock = new ManualClock(new Date());
  const adapters: PostgresStorageAdapter[] = [postgresAdapter({ connectionString: url, poolSize: 4 }), postgresAdapter({ connectionString: url, poolSize: 4 })];
  const gate = gatedAdapter(adapters[0]!);
  const crms: Crm[] = [
    await createCrm({ adapter: gate.adapter, clock, migrations: workflowMigrations }),
    await createCrm({ adapter: adapters[1]!, clock, migrations: workflowMigrations }),
  ];
  await crms[1]!.migrate();
  const calls = { slow: [] as number[], fast: [] as number[] };
  const passes = { slow: [] as DueWork[], fast: [] as DueWork[] };
  const engine = (name: 'slow' | 'fast', crm: Crm): WorkflowEngine =>
    createWorkflowEngine({
      crm, clock, workflows: [notice, alarm, reminder], ...options,
      actions: {
        notify: (ctx) => {
          if (ctx.tenantId !== tenantId) return;
          calls[name].push(ctx.attempt);
          if (name === 'slow' && fail.slow) throw new Error('slow timed out');
        },
      },
    });
  const slow = engine('slow', crms[0]!);
  const fast = engine('fast', crms[1]!);
  await fast.migrate();
  const workers: Worker[] = [];
  const start = (name: 'slow' | 'fast') => {
    const worker = (name === 'slow' ? slow : fast).runWorker({ concurrency: 1, onPass: (work) => passes[name].push(work) });
    workers.push(worker);
    return worker;
  };
  const close = async () => {
    gate.open();
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(adapters.map((a) => a.close()));
  };
  return { clock, adapter: adapters[1]!, gate, slow, fast, calls, passes, start, close };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('fenced effect delivery on graphile-worker', () => {
  const leaseMs = 600;
  const queue = () => graphileQueue({ pollIntervalMs: 50 });
  const lost = (passes: DueWork[]) => passes.some((p) => p.jobsLost > 0);

  onServer(`a worker frozen before its attempt, past its lease, runs nothing once another worker took the job over${skipped}`, async () => {
    const env = await twoWorkers('frozen-before', { leaseMs, queue: queue() });
    cleanup = env.close;
    const frozen = env.gate.closeAt((method, args) => method === 'findOne' && args.model === jobModel);
    env.start('slow');
    const run = await env.fast.start('frozen-before', 'notice');
    await frozen;
    // The slow process misses its heartbeats: the other takes its jobs over once its lease has run out.
    env.clock.advance(2 * leaseMs);
    env.start('fast');
    const job = async () => (await env.adapter.findMany({ model: jobModel, tenantId: 'frozen-before', where: { instanceId: run.id } }))[0];
    await eventually('the fast worker ran the effect', async () => (await job())?.status === 'done');
    env.gate.open();
    await eventually('the slow worker gave up its delivery', () => lost(env.passes.slow));
    expect(env.calls).toEqual({ slow: [], fast: [1] });
    expect(await job()).toMatchObject({ status: 'done', attempts: 1, lastError: null });
  }, 60_000);

  onServer(`a worker frozen before recording its attempt cannot overwrite the attempt that took over${skipped}`, async () => {
    const env = await twoWorkers('frozen-after', { leaseMs, queue: queue() }, { slow: true });
    cleanup = env.close;
    // The first transaction once the attempt has run: a heartbeat's (timer promotion, reminders) may come before it.
    const frozen = env.gate.closeAt((method) => method === 'transaction' && env.calls.slow.length > 0);
    env.start('slow');
    const run = await env.fast.start('frozen-after', 'notice');
    await frozen;
    env.clock.advance(2 * leaseMs);
    env.start('fast');
    const job = async () => (await env.adapter.findMany({ model: jobModel, tenantId: 'frozen-after', where: { instanceId: run.id } }))[0];
    await eventually('the fast worker ran the effect', async () => (await job())?.status === 'done');
    env.gate.open();
    await eventually('the slow worker gave up its outcome', () => lost(env.passes.slow));
    // Unfenced, the slow worker's failure would have put the job back to pending, with a graphile job to run it again.
    expect(await job()).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    const queued = await env.adapter.executeSql!`select count(*)::int as n from graphile_worker.jobs where key like ${`%:${run.id}:%`}`;
    expect(queued[0]?.n).toBe(0);
    expect(env.calls).toEqual({ slow: [1], fast: [2] });
  }, 60_000);

  onServer(`retries a failed effect after retryBaseMs, as the built-in queue does${skipped}`, async () => {
    // 20 minutes, then 40: below the one-hour cap, and never due by the server's clock during the test.
    const retryBaseMs = 1_200_000;
    const env = await twoWorkers('retry', { leaseMs, queue: queue(), retryBaseMs, maxAttempts: 3 }, { slow: true });
    cleanup = env.close;
    env.start('slow');
    const failedAt = env.clock.now().getTime();
    const run = await env.fast.start('retry', 'notice');
    const job = async () => (await env.adapter.findMany({ model: jobModel, tenantId: 'retry', where: { instanceId: run.id } }))[0];
    await eventually('the first attempt failed', async () => (await job())?.lastError === 'Error: slow timed out');
    const failed = (await job())!;
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(new Date(failed.dueAt as string).getTime()).toBe(failedAt + retryBaseMs);
    const key = `crmkit_effect:retry:${failed.idempotencyKey as string}`;
    const next = async () => (await env.adapter.executeSql!`select run_at, attempts from graphile_worker.jobs where key = ${key}`)[0];
    expect(new Date((await next())?.run_at as string).getTime()).toBe(failedAt + retryBaseMs);
    // runDue on a graphile engine delivers from the rows, through the same settle path: the next retry is enqueued in graphile.
    env.clock.advance(retryBaseMs);
    expect(await env.slow.runDue()).toMatchObject({ jobsFailed: 1 });
    expect(new Date((await next())?.run_at as string).getTime()).toBe(failedAt + 3 * retryBaseMs);
    expect(env.calls.slow).toEqual([1, 2]);
  }, 60_000);
});

describe('timer races on PostgreSQL', () => {
  onServer(`the worker that loses the race for a timer skips it quietly${skipped}`, async () => {
    const leaseMs = 30_000;
    const env = await twoWorkers('race', { leaseMs });
    cleanup = env.close;
    const run = await env.fast.start('race', 'alarm');
    env.clock.advance(minute);
    // The slow worker reads the timer, then freezes before taking its instance's lock.
    const frozen = env.gate.closeAt((method, args) => method === 'findOne' && args.model === instanceModel);
    const slowPass = env.slow.runDue();
    await frozen;
    env.clock.advance(leaseMs + 1);
    expect(await env.fast.runDue()).toMatchObject({ timersFired: 1 });
    env.gate.open();
    expect(await slowPass).toMatchObject({ timersFired: 0, timersSkipped: 1 });
    expect((await env.fast.history('race', run.id)).map((s) => s.toState)).toEqual(['waiting', 'rang']);
  }, 60_000);
});

describe('stopping an instance on graphile-worker', () => {
  onServer(`withdraws the graphile jobs of its timers and pending effects${skipped}`, async () => {
    const env = await twoWorkers('stop', { queue: graphileQueue() });
    cleanup = env.close;
    const run = await env.fast.start('stop', 'reminder');
    const queued = async () => Number((await env.adapter.executeSql!`select count(*)::int as n from graphile_worker.jobs where key like ${`%:stop:${run.id}%`}`)[0]?.n);
    expect(await queued()).toBe(2);
    expect(await env.fast.stop('stop', run.id)).toMatchObject({ status: 'stopped' });
    expect(await queued()).toBe(0);
  }, 60_000);
});
