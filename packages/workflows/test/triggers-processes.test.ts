import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { coreModels } from '@crmkit/core';
import { instanceModel, triggerFireModel } from '@crmkit/workflows';
import { describe, expect, it } from 'vitest';
import { noServer, serverUrl, useTestDatabase } from '../../adapters-postgres/test/pg-target.js';
import { companiesPerTenant, matchingSector, openScenario, type ScenarioBackend, scenarioTenants } from './fixtures/trigger-scenario.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/trigger-process.ts', import.meta.url));
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const writers = 2;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** A scenario process; `ready` resolves once a runner's first pass ran (writers are never ready). */
function spawnProcess(backend: ScenarioBackend, env: Record<string, string>): Child & { ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', tsx, script], {
    env: { ...process.env, ...env, SCENARIO_BACKEND: JSON.stringify(backend), TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`process exited before ready (${code ?? signal})`)));
  });
  ready.catch(() => {});
  return { child, exited, ready };
}

/**
 * Starts `runners` trigger runner processes on a fresh database (no tenant
 * exists), then two writer processes that create companies in 50 new tenants
 * at once, half of them matching the trigger; optionally SIGKILLs a runner
 * while they write. Then proves from the database that every matching event
 * started exactly one instance and no other event started any.
 */
async function scenario(backend: ScenarioBackend, runners: number, killRunner: boolean): Promise<void> {
  const { adapter, crm } = await openScenario(backend);
  const children: Child[] = [];
  try {
    await crm.migrate();
    const started = Date.now();
    const runnerProcesses = Array.from({ length: runners }, () => spawnProcess(backend, { SCENARIO_ROLE: 'runner' }));
    children.push(...runnerProcesses);
    await Promise.all(runnerProcesses.map((r) => r.ready));
    const writing = Array.from({ length: writers }, (_, w) => spawnProcess(backend, { SCENARIO_ROLE: 'writer', SCENARIO_WRITER: String(w) }));
    children.push(...writing);
    const matching = writers * scenarioTenants.length * Math.ceil(companiesPerTenant / 2);
    const firings = async () => {
      let n = 0;
      for (const tenantId of scenarioTenants) n += await adapter.count({ model: triggerFireModel, tenantId });
      return n;
    };
    let kills = 0;
    if (killRunner) {
      // Each runner in turn is SIGKILLed mid-way and replaced, so that whichever holds the feed's lease loses it.
      for (const [slot, share] of [[0, 0.25], [1, 0.6]] as const) {
        while ((await firings()) < matching * share && writing.some((w) => w.child.exitCode === null)) await pause(20);
        runnerProcesses[slot]!.child.kill('SIGKILL');
        await runnerProcesses[slot]!.exited;
        kills++;
        runnerProcesses[slot] = spawnProcess(backend, { SCENARIO_ROLE: 'runner' });
        children.push(runnerProcesses[slot]!);
      }
    }
    expect(await Promise.all(writing.map((w) => w.exited))).toEqual(writing.map(() => 0));
    const written = Date.now() - started;

    const deadline = Date.now() + 60_000;
    let fired = 0;
    while ((fired = await firings()) < matching && Date.now() < deadline) await pause(100);
    const caughtUp = Date.now() - started;
    // A last moment for a straggler to show up as a second firing, then the runners stop.
    await pause(300);
    for (const r of runnerProcesses) r.child.kill('SIGTERM');
    await Promise.all(runnerProcesses.map((r) => Promise.race([r.exited, pause(5000).then(() => r.child.kill('SIGKILL'))])));

    let events = 0;
    for (const tenantId of scenarioTenants) {
      const companies = await adapter.findMany({ model: coreModels.company, tenantId, select: ['sector'] });
      events += await adapter.count({ model: coreModels.event, tenantId, where: { type: 'company.created' } });
      expect(companies).toHaveLength(writers * companiesPerTenant);
      const instances = await adapter.findMany({ model: instanceModel, tenantId, select: ['subjectId', 'workflowId'] });
      const bySubject = new Map<string, number>();
      for (const instance of instances) bySubject.set(instance.subjectId as string, (bySubject.get(instance.subjectId as string) ?? 0) + 1);
      for (const company of companies) {
        expect(bySubject.get(company.id as string) ?? 0, `${tenantId} ${company.id as string} (${company.sector as string})`).toBe(company.sector === matchingSector ? 1 : 0);
      }
      const fires = await adapter.findMany({ model: triggerFireModel, tenantId, select: ['status'] });
      expect(fires.map((f) => f.status)).toEqual(fires.map(() => 'started'));
    }
    expect(events).toBe(writers * scenarioTenants.length * companiesPerTenant);
    expect(fired).toBe(matching);
    console.info(`[triggers ${backend.kind}] ${runners} runner(s), ${kills} SIGKILLed and replaced, ${writers} writers, ${events} events in ${scenarioTenants.length} new tenants, ${matching} firings: written ${written} ms, all fired ${caughtUp} ms`);
  } finally {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await adapter.close();
  }
}

describe('triggers across processes', () => {
  it('on a SQLite file, two writer processes and a runner process: every matching event of 50 new tenants starts exactly one instance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crmkit-triggers-'));
    try {
      await scenario({ kind: 'sqlite', filename: join(dir, 'crm.db') }, 1, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  const database = useTestDatabase();
  it.skipIf(serverUrl === undefined)(`on PostgreSQL, two writer processes and two runner processes, each SIGKILLed once and replaced: every matching event of 50 new tenants starts exactly one instance${serverUrl === undefined ? ` (${noServer})` : ''}`, async () => {
    await scenario({ kind: 'postgres', url: database() }, 2, true);
  }, 120_000);
});
