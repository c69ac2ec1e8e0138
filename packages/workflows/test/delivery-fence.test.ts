import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, type Crm, ManualClock } from '@crmkit/core';
import { createWorkflowEngine, defineWorkflow, effect, jobModel, type WorkflowEngine, type WorkflowEngineOptions, workflowMigrations } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { gatedAdapter } from './gated-storage.js';
import { hour } from './helpers.js';

const leaseMs = 30_000;

/** Starts, emits one `notify` effect and finishes. */
const notifyMachine = setup({ actions: { notify: effect<{ text: string }>() } }).createMachine({
  id: 'notice', initial: 'sent',
  states: { sent: { type: 'final', entry: { type: 'notify', params: { text: 'hello' } } } },
});
const notice = defineWorkflow({ id: 'notice', version: 1, machine: notifyMachine });

/**
 * Two workers on one SQLite database and one manual clock: `slow` runs on a
 * gated adapter, so a test can freeze it at a chosen call while `fast` goes on.
 */
async function twoWorkers(options: Partial<WorkflowEngineOptions> = {}) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const adapter = sqliteAdapter({ filename: ':memory:' });
  const gate = gatedAdapter(adapter, { outside: true });
  const crm = await createCrm({ adapter, clock, migrations: workflowMigrations });
  await crm.migrate();
  const slowCrm: Crm = await createCrm({ adapter: gate.adapter, clock, migrations: workflowMigrations });
  const calls = { slow: [] as number[], fast: [] as number[] };
  const engine = (name: 'slow' | 'fast', on: Crm, fail?: () => boolean): WorkflowEngine =>
    createWorkflowEngine({
      crm: on, clock, leaseMs, workflows: [notice], ...options,
      actions: {
        notify: (ctx) => {
          calls[name].push(ctx.attempt);
          if (fail?.()) throw new Error(`${name} timed out`);
        },
      },
    });
  return { clock, adapter, gate, crm, calls, engine: (name: 'slow' | 'fast', fail?: () => boolean) => engine(name, name === 'slow' ? slowCrm : crm, fail) };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('fenced effect delivery on the built-in queue', () => {
  it('a worker frozen after its claim, past its lease, neither runs the effect nor writes once another worker took the job over', async () => {
    const env = await twoWorkers();
    close = () => env.crm.close();
    const slow = env.engine('slow');
    const fast = env.engine('fast');
    const run = await fast.start('acme', 'notice');
    // The slow worker claims the job, then freezes just before beginning the attempt.
    const frozen = env.gate.closeAt((method, args) => method === 'update' && args.model === jobModel);
    const slowPass = slow.runDue();
    await frozen;
    env.clock.advance(leaseMs + 1);
    expect(await fast.runDue()).toMatchObject({ jobsDone: 1, jobsLost: 0 });
    env.gate.open();
    expect(await slowPass).toMatchObject({ jobsDone: 0, jobsFailed: 0, jobsLost: 1 });
    expect(env.calls).toEqual({ slow: [], fast: [1] });
    const [job] = await env.adapter.findMany({ model: jobModel, tenantId: 'acme', where: { instanceId: run.id } });
    expect(job).toMatchObject({ status: 'done', attempts: 1, lastError: null });
  });

  it('a worker whose attempt outlived its lease cannot overwrite the result of the attempt that took over', async () => {
    const env = await twoWorkers();
    close = () => env.crm.close();
    const slow = env.engine('slow', () => true);
    const fast = env.engine('fast');
    const run = await fast.start('acme', 'notice');
    // The slow worker runs its attempt (which fails), then freezes before recording the failure.
    const frozen = env.gate.closeAt((method) => method === 'transaction');
    const slowPass = slow.runDue();
    await frozen;
    env.clock.advance(leaseMs + 1);
    expect(await fast.runDue()).toMatchObject({ jobsDone: 1 });
    env.gate.open();
    expect(await slowPass).toMatchObject({ jobsFailed: 0, jobsLost: 1 });
    const [job] = await env.adapter.findMany({ model: jobModel, tenantId: 'acme', where: { instanceId: run.id } });
    // Unfenced, the late failure would have put the job back to pending and run the effect a third time.
    expect(job).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    env.clock.advance(hour);
    expect(await fast.runDue()).toMatchObject({ jobsDone: 0, jobsFailed: 0 });
    expect(await slow.runDue()).toMatchObject({ jobsDone: 0, jobsFailed: 0 });
    expect(env.calls).toEqual({ slow: [1], fast: [2] });
    expect(await fast.deadJobs('acme')).toEqual([]);
  });

  it('counts an attempt that never reported back, and dead-letters the job when it was the last', async () => {
    const env = await twoWorkers({ maxAttempts: 1 });
    close = () => env.crm.close();
    const slow = env.engine('slow');
    const fast = env.engine('fast');
    await fast.start('acme', 'notice');
    const frozen = env.gate.closeAt((method) => method === 'transaction');
    const slowPass = slow.runDue();
    await frozen;
    env.clock.advance(leaseMs + 1);
    expect(await fast.runDue()).toMatchObject({ jobsFailed: 1 });
    env.gate.open();
    expect(await slowPass).toMatchObject({ jobsLost: 1 });
    expect(env.calls).toEqual({ slow: [1], fast: [] });
    const [dead] = await fast.deadJobs('acme');
    expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^Attempt 1 of 1 began but never reported back/) });
  });

  it('retries with the retryBaseMs backoff and puts a dead job back with retryJob, only a dead one', async () => {
    let failing = true;
    const env = await twoWorkers({ maxAttempts: 2, retryBaseMs: 60_000 });
    close = () => env.crm.close();
    const fast = env.engine('fast', () => failing);
    await fast.start('acme', 'notice');
    expect(await fast.runDue()).toMatchObject({ jobsFailed: 1 });
    env.clock.advance(59_999);
    expect(await fast.runDue()).toMatchObject({ jobsFailed: 0 });
    env.clock.advance(1);
    expect(await fast.runDue()).toMatchObject({ jobsFailed: 1 });
    const [dead] = await fast.deadJobs('acme');
    expect(dead).toMatchObject({ attempts: 2, lastError: 'Error: fast timed out' });
    failing = false;
    await fast.retryJob('acme', dead!.id);
    await expect(fast.retryJob('acme', dead!.id)).rejects.toMatchObject({ name: 'StateError', code: 'INVALID_STATE' });
    expect(await fast.runDue()).toMatchObject({ jobsDone: 1 });
    expect(env.calls.fast).toEqual([1, 2, 1]);
    await expect(fast.retryJob('acme', 'nope')).rejects.toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND' });
  });
});
