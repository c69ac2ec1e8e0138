/**
 * The SQLite rows of the workflow benchmark: events per second through the
 * engine (against the same machine as an in-memory XState actor), and
 * restoring persisted instances (rate and heap per restored snapshot).
 */
import { type SqliteStorageAdapter, sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm, newId } from '@crmkit/core';
import {
  createWorkflowEngine, type FollowUpInput, followUpMachine, instanceModel, planTransition, stepModel, type WorkflowEngine, workflowMigrations,
} from '@crmkit/workflows';
import { type AnyMachineSnapshot, createActor } from 'xstate';
import type { Scratch } from './databases.js';
import { createRandom } from './fixtures.js';
import { collectGarbage, median } from './measure.js';
import { toggleMachine, toggleWorkflow } from './workflows-machines.js';
import { perSecond, type WorkflowRow } from './workflows-report.js';

const tenantId = 'bench';
/** Target of the persisted event rate, events per second. */
export const eventTarget = 10_000;
/** Target of the heap per restored instance, bytes. */
export const heapTarget = 10 * 1024;

/** Options of the SQLite phases. */
export interface WorkflowSqliteOptions {
  rounds: number;
  seed: number;
  files: Scratch;
  log: (line: string) => void;
}

/** Instances the events are spread over (round robin), and senders of the concurrent variant. */
const eventInstances = 1_000;
const senders = 8;
/** Each timed run sends events for this long and counts them (so a slow machine does not stretch the run). */
export const runMs = 2_000;
const warmupEvents = 2_000;

/** Sends `toggle` round robin over `ids` for about `ms`; returns events per second. */
async function sendFor(engine: WorkflowEngine, ids: readonly string[], lanes: number, ms: number): Promise<number> {
  const event = { type: 'toggle' } as const;
  const start = performance.now();
  const deadline = start + ms;
  const counts = await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      // Lane `lane` owns instances lane, lane + lanes, ...: senders never share an instance.
      let sent = 0;
      for (let i = lane; performance.now() < deadline; i += lanes) {
        await engine.send(tenantId, ids[i % ids.length]!, event);
        sent++;
      }
      return sent;
    }),
  );
  return (counts.reduce((a, b) => a + b, 0) * 1000) / (performance.now() - start);
}

/** The same workload on in-memory actors: `createActor(machine).start()`, then `actor.send`. */
function actorRate(events: number): number {
  const actors = Array.from({ length: eventInstances }, () => createActor(toggleMachine).start());
  const event = { type: 'toggle' } as const;
  const start = performance.now();
  for (let i = 0; i < events; i++) actors[i % eventInstances]!.send(event);
  const rate = (events * 1000) / (performance.now() - start);
  if (actors.reduce((sum, a) => sum + a.getSnapshot().context.count, 0) !== events) throw new Error('actors lost events');
  for (const actor of actors) actor.stop();
  return rate;
}

/**
 * What a hand-written better-sqlite3 version of one event writes, on the same
 * tables: `begin immediate`, read the instance, update the snapshot guarded by
 * the version, insert the history row, commit. The XState transition is a JSON
 * counter bump here, so this is the storage ceiling of one event, not a full
 * engine. Informational; undefined if the schema no longer matches.
 */
function rawEventRate(adapter: SqliteStorageAdapter, ids: readonly string[], ms: number, history: boolean): number | undefined {
  const db = adapter.database;
  try {
    const read = db.prepare('select * from crmkit_wf_instance where tenant_id = ? and id = ?');
    const update = db.prepare(
      'update crmkit_wf_instance set snapshot = ?, state = ?, updated_at = ?, last_event_at = ?, version = version + 1 ' +
        'where tenant_id = ? and id = ? and version = ? returning version',
    );
    const step = db.prepare(
      'insert into crmkit_wf_step (tenant_id, id, created_at, updated_at, instance_id, revision, event_type, event, from_state, to_state, at) ' +
        'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    const start = performance.now();
    let sent = 0;
    for (let i = 0; performance.now() < start + ms; i++) {
      begin.run();
      const row = read.get(tenantId, ids[i % ids.length]!) as { id: string; version: number; state: string; snapshot: string };
      const snapshot = JSON.parse(row.snapshot) as { value: string; context: { count: number } };
      snapshot.value = snapshot.value === 'on' ? 'off' : 'on';
      snapshot.context.count++;
      const at = new Date().toISOString();
      const { version } = update.get(JSON.stringify(snapshot), snapshot.value, at, at, tenantId, row.id, row.version) as { version: number };
      if (history) step.run(tenantId, newId(), at, at, row.id, version, 'toggle', '{"type":"toggle"}', row.state, snapshot.value, at);
      commit.run();
      sent++;
    }
    return (sent * 1000) / (performance.now() - start);
  } catch (error) {
    if (db.inTransaction) db.prepare('rollback').run();
    console.warn(`  raw baseline skipped (schema drift?): ${(error as Error).message}`);
    return undefined;
  }
}

/** Opens a CRM on a new file database (the adapter's defaults: WAL, synchronous=NORMAL) with the workflow tables. */
async function openCrm(file: string): Promise<{ crm: Crm; adapter: SqliteStorageAdapter }> {
  const adapter = sqliteAdapter({ filename: file });
  const crm = await createCrm({ adapter, migrations: workflowMigrations });
  await crm.migrate();
  return { crm, adapter };
}

/** Events per second through `engine.send` on SQLite, history on and off, sequential and concurrent. */
export async function eventRows(options: WorkflowSqliteOptions): Promise<WorkflowRow[]> {
  const { rounds, files, log } = options;
  const { crm, adapter } = await openCrm(files.file('events.db'));
  try {
    const engines = {
      on: createWorkflowEngine({ crm, workflows: [toggleWorkflow] }),
      off: createWorkflowEngine({ crm, workflows: [toggleWorkflow], history: false }),
    };
    log(`starting ${eventInstances.toLocaleString('en-US')} toggle instances (engine.start)`);
    const ids: string[] = [];
    const startedAt = performance.now();
    for (let i = 0; i < eventInstances; i++) ids.push((await engines.on.start(tenantId, toggleWorkflow.id)).id);
    const startRate = (eventInstances * 1000) / (performance.now() - startedAt);

    log('warming up');
    for (let i = 0; i < warmupEvents; i++) await engines.on.send(tenantId, ids[i % ids.length]!, { type: 'toggle' });
    for (let i = 0; i < warmupEvents; i++) await engines.off.send(tenantId, ids[i % ids.length]!, { type: 'toggle' });
    actorRate(100_000);
    rawEventRate(adapter, ids, 200, true);

    const runs = { seqOn: [] as number[], seqOff: [] as number[], concOn: [] as number[], concOff: [] as number[], actor: [] as number[], rawOn: [] as number[], rawOff: [] as number[] };
    log(`engine.send: ${rounds} rounds of ${runMs / 1000} s per variant (history on/off, 1 and ${senders} senders), in-memory actors, raw SQL`);
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so neither history setting always runs on the larger database.
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const history of order) {
        collectGarbage();
        runs[history === 'on' ? 'seqOn' : 'seqOff'].push(await sendFor(engines[history], ids, 1, runMs));
        collectGarbage();
        runs[history === 'on' ? 'concOn' : 'concOff'].push(await sendFor(engines[history], ids, senders, runMs));
      }
      collectGarbage();
      runs.actor.push(actorRate(500_000));
      for (const history of order) {
        const rate = rawEventRate(adapter, ids, runMs / 2, history === 'on');
        if (rate !== undefined) runs[history === 'on' ? 'rawOn' : 'rawOff'].push(rate);
      }
    }
    const steps = await adapter.count({ model: stepModel, tenantId });
    log(`${steps.toLocaleString('en-US')} history rows written`);

    const actor = median(runs.actor);
    const engineRow = (label: string, rates: number[], target: boolean): WorkflowRow => {
      const rate = median(rates);
      return {
        label, value: perSecond(rate), baseline: `${perSecond(actor)} actor`, ratio: rate / actor,
        ...(target ? { target: `>= ${perSecond(eventTarget)}`, result: rate >= eventTarget ? 'PASS' : 'FAIL' } : {}),
      } as WorkflowRow;
    };
    const rows: WorkflowRow[] = [
      engineRow('events/s, engine.send, SQLite, history on (default)', runs.seqOn, true),
      engineRow('events/s, engine.send, SQLite, history off', runs.seqOff, true),
      engineRow(`events/s, ${senders} concurrent senders, history on`, runs.concOn, false),
      engineRow(`events/s, ${senders} concurrent senders, history off`, runs.concOff, false),
    ];
    if (runs.rawOn.length > 0) rows.push({ label: 'events/s, hand-written better-sqlite3, same writes, history on', value: perSecond(median(runs.rawOn)) });
    if (runs.rawOff.length > 0) rows.push({ label: 'events/s, hand-written better-sqlite3, same writes, history off', value: perSecond(median(runs.rawOff)) });
    rows.push({ label: 'instances/s, engine.start (history on)', value: perSecond(startRate) });
    return rows;
  } finally {
    await crm.close();
  }
}

/** A follow-up workflow's input, varied per instance like real interactions. */
function followUpInput(i: number, random: ReturnType<typeof createRandom>): FollowUpInput {
  const type = ['meeting', 'call', 'demo', 'email'][random.int(4)]!;
  return {
    interaction: { id: newId(), type, subject: random.int(3) === 0 ? null : `${type} #${i} about the renewal` },
    afterDays: 1 + random.int(7),
    assigneeId: newId(),
  };
}

/** Instances written per `createMany` call (one transaction each). */
const createBatch = 10_000;

/**
 * Restoring persisted instances: `instances` follow-up instances (the
 * standard CRM machine) are written with `createMany` from real snapshots of
 * `planTransition`, then each is read with `findOne` and restored with
 * `machine.restoreSnapshot`, as `engine.send` does before every transition.
 */
export async function restoreRows(options: WorkflowSqliteOptions & { instances: number }): Promise<WorkflowRow[]> {
  const { instances, seed, files, log } = options;
  const { crm, adapter } = await openCrm(files.file('restore.db'));
  try {
    log(`writing ${instances.toLocaleString('en-US')} follow-up instances (planTransition snapshots, createMany in batches of ${createBatch.toLocaleString('en-US')})`);
    const random = createRandom(seed);
    const ids: string[] = [];
    let snapshotBytes = 0;
    const writeStart = performance.now();
    for (let from = 0; from < instances; from += createBatch) {
      const rows = [];
      for (let i = from; i < Math.min(instances, from + createBatch); i++) {
        const plan = planTransition(followUpMachine, { input: followUpInput(i, random) });
        const at = new Date().toISOString();
        const id = newId();
        ids.push(id);
        snapshotBytes += JSON.stringify(plan.snapshot).length;
        rows.push({
          id, createdAt: at, updatedAt: at, version: 1, workflowId: 'follow-up', workflowVersion: 1,
          subjectType: 'contact', subjectId: newId(), status: plan.status, state: plan.state, snapshot: plan.snapshot, lastEventAt: at,
        });
      }
      await adapter.createMany({ model: instanceModel, tenantId, rows });
    }
    const writeRate = (instances * 1000) / (performance.now() - writeStart);

    // Read in a shuffled order, like events arriving for random instances.
    for (let i = ids.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const restoreOne = async (id: string): Promise<AnyMachineSnapshot> => {
      const row = await adapter.findOne({ model: instanceModel, tenantId, id });
      if (row === undefined) throw new Error(`instance ${id} missing`);
      // What the engine does per event (runtime/plan.ts): durable machines have no children, so no actor scope.
      return followUpMachine.restoreSnapshot(row.snapshot as never, undefined as never) as AnyMachineSnapshot;
    };
    for (let i = 0; i < Math.min(2_000, ids.length); i++) await restoreOne(ids[i]!);

    log(`restoring ${instances.toLocaleString('en-US')} instances (findOne + restoreSnapshot), holding every snapshot`);
    const held: AnyMachineSnapshot[] = new Array(ids.length);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const restoreStart = performance.now();
    for (let i = 0; i < ids.length; i++) held[i] = await restoreOne(ids[i]!);
    const restoreRate = (ids.length * 1000) / (performance.now() - restoreStart);
    collectGarbage();
    const perInstance = (process.memoryUsage().heapUsed - heapBefore) / ids.length;
    if (held.some((s) => s.value !== 'waiting')) throw new Error('a restored snapshot is not in waiting');
    held.length = 0;

    // The rest of an event without the write: read, restore and transition (planTransition).
    const planned = Math.min(ids.length, 20_000);
    log(`planning one event on ${planned.toLocaleString('en-US')} instances (findOne + planTransition)`);
    const event = { type: 'interactionLogged', interactionId: 'another' } as const;
    const planStart = performance.now();
    for (let i = 0; i < planned; i++) {
      const row = await adapter.findOne({ model: instanceModel, tenantId, id: ids[i]! });
      if (planTransition(followUpMachine, { snapshot: row!.snapshot as Record<string, unknown> }, event).state !== 'followedUp') {
        throw new Error('unexpected transition');
      }
    }
    const planRate = (planned * 1000) / (performance.now() - planStart);

    const n = instances.toLocaleString('en-US');
    return [
      {
        label: `heap per restored instance, ${n} held (restoreSnapshot)`,
        value: `${(perInstance / 1024).toFixed(2)} KiB`, target: '< 10 KiB', result: perInstance < heapTarget ? 'PASS' : 'FAIL',
      },
      { label: `restore ${n}: findOne + restoreSnapshot, instances/s`, value: perSecond(restoreRate) },
      { label: `findOne + planTransition (an event, not written), instances/s`, value: perSecond(planRate) },
      { label: `write ${n} instances (createMany, planTransition snapshots), rows/s`, value: perSecond(writeRate) },
      { label: 'stored snapshot JSON, mean size', value: `${Math.round(snapshotBytes / instances)} B` },
    ];
  } finally {
    await crm.close();
  }
}
