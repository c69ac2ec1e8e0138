import { postgresAdapter, type PostgresStorageAdapter } from '@crmkit/adapter-postgres';
import { type ClaimDueArgs, createCrm, type Storage, type StorageAdapter } from '@crmkit/core';
import {
  createWorkflowEngine, defineWorkflow, type DueWork, graphileQueue, timerModel, type Worker, type WorkflowEngine, workflowMigrations,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { noServer, serverUrl, useTestDatabase } from '../../adapters-postgres/test/pg-target.js';

const database = useTestDatabase();
const onServer = it.skipIf(serverUrl === undefined);
const skipped = serverUrl === undefined ? ` (${noServer})` : '';

/** An alarm due `ms` after it is armed; `snooze` re-arms it with a new delay, `dismiss` cancels it. */
const alarmMachine = setup({
  types: {} as { context: { ms: number }; input: { ms: number }; events: { type: 'snooze'; ms: number } | { type: 'dismiss' } },
  delays: { alarm: ({ context }) => context.ms },
}).createMachine({
  id: 'alarm', initial: 'waiting', context: ({ input }) => ({ ms: input.ms }),
  states: {
    waiting: {
      after: { alarm: 'rang' },
      on: { snooze: { target: 'waiting', reenter: true, actions: assign({ ms: ({ event }) => event.ms }) }, dismiss: 'off' },
    },
    rang: { type: 'final' },
    off: {},
  },
});
const alarm = defineWorkflow({ id: 'alarm', version: 1, machine: alarmMachine });

/**
 * Real time throughout: graphile-worker runs jobs by the server's clock, and
 * the horizon is measured by the process's. The horizon is short so that a
 * timer crosses it within a test; `leaseMs` puts a heartbeat every 200 ms.
 */
const timerHorizonMs = 2_000;
const leaseMs = 600;

/** Polls `check` (real concurrency: workers in the background) until it holds, or fails after `ms`. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Adapters of a process that dies between claiming timers for promotion and
 * committing their graphile jobs, until `revive()`: each `add_job` after a
 * claim throws, and the transaction rolls back as a crash's would.
 */
function dyingPromotions() {
  let dies = true;
  const inTransaction = (tx: Storage): Storage => {
    let claimed = false;
    return new Proxy(tx, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'claimDue') {
          return async (args: ClaimDueArgs) => {
            const rows = await target.claimDue(args);
            claimed = args.model === timerModel && rows.length > 0;
            return rows;
          };
        }
        if (prop === 'executeSql') {
          return (...args: Parameters<NonNullable<Storage['executeSql']>>) => {
            if (claimed && dies) throw new Error('the process died before its promotion committed');
            return target.executeSql!(...args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const wrap = (adapter: StorageAdapter): StorageAdapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        if (prop === 'transaction') return <T>(fn: (tx: Storage) => Promise<T>) => target.transaction((tx) => fn(inTransaction(tx)));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return { wrap, revive: () => (dies = false) };
}

/** Engines of `processes` worker processes on one database, each on its own pool, like separate deployments. */
async function engines(processes: number, wrap: (adapter: StorageAdapter) => StorageAdapter = (a) => a) {
  const url = database();
  const adapters: PostgresStorageAdapter[] = Array.from({ length: processes }, () => postgresAdapter({ connectionString: url, poolSize: 4 }));
  const list: WorkflowEngine[] = [];
  for (const adapter of adapters) {
    const crm = await createCrm({ adapter: wrap(adapter), migrations: workflowMigrations });
    list.push(createWorkflowEngine({ crm, workflows: [alarm], leaseMs, queue: graphileQueue({ pollIntervalMs: 50, timerHorizonMs }) }));
  }
  await list[0]!.migrate();
  const adapter = adapters[0]!;
  const passes: DueWork[] = [];
  const errors: unknown[] = [];
  const workers: Worker[] = [];
  const run = (engine: WorkflowEngine) =>
    workers.push(engine.runWorker({ concurrency: 2, onPass: (work) => passes.push(work), onError: (error) => errors.push(error) }));
  /** Graphile jobs of an instance's timers. */
  const jobs = async (instanceId: string) =>
    (await adapter.executeSql!`select run_at from graphile_worker.jobs where key like ${`crmkit_timer:%:${instanceId}:%`}`).map((r) => new Date(r.run_at as string).getTime());
  const timers = (tenantId: string, instanceId: string) => adapter.findMany({ model: timerModel, tenantId, where: { instanceId } });
  const fired = () => passes.reduce((n, p) => n + p.timersFired, 0);
  const skippedTimers = () => passes.reduce((n, p) => n + p.timersSkipped, 0);
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(adapters.map((a) => a.close()));
  };
  return { engines: list, adapter, run, jobs, timers, fired, skippedTimers, errors, close };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('the graphile queue\'s timer horizon', () => {
  onServer(`gives a far timer no graphile job until it comes within the horizon, then fires it on time, once${skipped}`, async () => {
    const env = await engines(1);
    cleanup = env.close;
    const engine = env.engines[0]!;
    env.run(engine);
    const run = await engine.start('far', 'alarm', { input: { ms: timerHorizonMs + 3_000 } });
    const [timer] = await env.timers('far', run.id);
    const due = Date.parse(timer!.dueAt);
    expect(await env.jobs(run.id)).toEqual([]);
    // While it is beyond the horizon (with a margin for a slow heartbeat query), the heartbeats leave it alone.
    while (Date.now() < due - timerHorizonMs - 500) {
      expect(await env.jobs(run.id)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await eventually('the heartbeat promoted the timer', async () => (await env.jobs(run.id)).length === 1);
    expect(Date.now()).toBeLessThan(due);
    expect(await env.jobs(run.id)).toEqual([due]);
    // A timer with its job from the start (as every timer of an earlier release has) is left alone by the heartbeats.
    const near = await engine.start('far', 'alarm', { input: { ms: timerHorizonMs - 200 } });
    const jobId = async () => (await env.adapter.executeSql!`select id::text from graphile_worker.jobs where key like ${`%:${near.id}:%`}`)[0]?.id;
    const nearJob = await jobId();
    expect(nearJob).toBeDefined();
    // Its promotion proves a heartbeat ran after the near timer was written, long before that one is due.
    const later = await engine.start('far', 'alarm', { input: { ms: timerHorizonMs + 300 } });
    await eventually('the heartbeat promoted the later timer', async () => (await env.jobs(later.id)).length === 1);
    expect((await env.timers('far', near.id))[0]?.leasedUntil).toBeNull();
    expect(await jobId()).toBe(nearJob);
    await eventually('the timer fired', async () => (await engine.get('far', run.id)).status === 'done');
    const steps = await engine.history('far', run.id);
    expect(steps.map((s) => s.toState)).toEqual(['waiting', 'rang']);
    const lag = Date.parse(steps[1]!.at) - due;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(2_000);
    expect(await env.jobs(run.id)).toEqual([]);
    for (const other of [near, later]) await eventually('the other timers fired', async () => (await engine.get('far', other.id)).status === 'done');
    expect(env.fired()).toBe(3);
    expect(env.skippedTimers()).toBe(0);
    expect(env.errors).toEqual([]);
  }, 60_000);

  onServer(`never fires a far timer that was cancelled, and fires a re-scheduled one once, at its new time${skipped}`, async () => {
    const env = await engines(1);
    cleanup = env.close;
    const engine = env.engines[0]!;
    env.run(engine);
    const dueOf = async (tenantId: string, instanceId: string) => Date.parse((await env.timers(tenantId, instanceId))[0]!.dueAt);
    // Cancelled while far: it never had a job, and removing the job it does not have is harmless.
    const cancelled = await engine.start('horizon', 'alarm', { input: { ms: timerHorizonMs + 1_500 } });
    const cancelledDue = await dueOf('horizon', cancelled.id);
    await engine.send('horizon', cancelled.id, { type: 'dismiss' });
    expect(await env.timers('horizon', cancelled.id)).toEqual([]);
    // Far, re-scheduled further: the new row makes its own horizon decision.
    const further = await engine.start('horizon', 'alarm', { input: { ms: 3_600_000 } });
    await engine.send('horizon', further.id, { type: 'snooze', ms: timerHorizonMs + 2_000 });
    const furtherDue = await dueOf('horizon', further.id);
    // Near (with its job), re-scheduled beyond the horizon: its old job goes with it.
    const nearer = await engine.start('horizon', 'alarm', { input: { ms: timerHorizonMs / 2 } });
    expect(await env.jobs(nearer.id)).toHaveLength(1);
    await engine.send('horizon', nearer.id, { type: 'snooze', ms: timerHorizonMs + 2_500 });
    const nearerDue = await dueOf('horizon', nearer.id);
    expect(await env.jobs(nearer.id)).toEqual([]);
    expect(await env.jobs(further.id)).toEqual([]);

    for (const [id, due] of [[further.id, furtherDue], [nearer.id, nearerDue]] as const) {
      await eventually('the re-scheduled timer fired', async () => (await engine.get('horizon', id)).status === 'done');
      const steps = await engine.history('horizon', id);
      expect(steps.map((s) => s.toState)).toEqual(['waiting', 'waiting', 'rang']);
      expect(Date.parse(steps[2]!.at)).toBeGreaterThanOrEqual(due);
    }
    // Both fired after the cancelled timer's due time: had it fired, it would have by now.
    expect(Date.now()).toBeGreaterThan(cancelledDue + 1_000);
    expect((await engine.history('horizon', cancelled.id)).map((s) => s.toState)).toEqual(['waiting', 'off']);
    expect(await engine.get('horizon', cancelled.id)).toMatchObject({ status: 'active', state: 'off' });
    expect(env.fired()).toBe(2);
    expect(env.skippedTimers()).toBe(0);
  }, 60_000);

  onServer(`leaves a timer waiting for its job when its promotion dies before committing, and promotes it on the next heartbeat${skipped}`, async () => {
    const dying = dyingPromotions();
    const env = await engines(1, dying.wrap);
    cleanup = env.close;
    const engine = env.engines[0]!;
    env.run(engine);
    const run = await engine.start('dies', 'alarm', { input: { ms: timerHorizonMs + 1_000 } });
    await eventually('a promotion died', () => env.errors.length > 0);
    // Rolled back: the claim went with the job it did not add.
    expect((await env.timers('dies', run.id))[0]?.leasedUntil).toBe('1970-01-01T00:00:00.000Z');
    expect(await env.jobs(run.id)).toEqual([]);
    dying.revive();
    await eventually('the timer fired', async () => (await engine.get('dies', run.id)).status === 'done');
    expect((await engine.history('dies', run.id)).map((s) => s.toState)).toEqual(['waiting', 'rang']);
    expect(env.fired()).toBe(1);
  }, 60_000);

  onServer(`fires each timer once when several worker processes promote at the same time${skipped}`, async () => {
    const env = await engines(2);
    cleanup = env.close;
    const [first, second] = env.engines as [WorkflowEngine, WorkflowEngine];
    // Two processes, and two workers in one of them: three heartbeats promoting the same timers.
    env.run(first);
    env.run(first);
    env.run(second);
    const count = 60;
    const runs = await Promise.all(Array.from({ length: count }, (_, i) => first.start('race', 'alarm', { input: { ms: timerHorizonMs + 1_000 + 10 * i } })));
    for (const run of runs) expect(await env.jobs(run.id)).toEqual([]);
    await eventually('every timer fired', async () => (await Promise.all(runs.map((r) => first.get('race', r.id)))).every((r) => r.status === 'done'));
    for (const run of runs) expect((await first.history('race', run.id)).map((s) => s.toState)).toEqual(['waiting', 'rang']);
    // One job per timer: none was promoted twice, so no delivery found its timer gone.
    expect(env.fired()).toBe(count);
    expect(env.skippedTimers()).toBe(0);
  }, 60_000);
});
