/**
 * The access-control suite of `npm run bench -- --access [--pg] [--scale 1]`:
 * the same contact list, first page and keyset pages, through a member's
 * scope whose read level is `own` or `team` against the system scope (no
 * access checks), at 10,000 and 100,000 contacts (times `--scale`). The
 * tenants are seeded so that both sides return the same rows (bench/access-data.ts):
 * the restricted side pays for the predicate access control adds to the SQL
 * (owner in the team's members, or shared), not for reading fewer rows.
 * Both sides go through the service (`t.contacts.list`), on one database.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type Contact, type ListOptions, type StorageAdapter, type TenantScope, coreMigrations, createCrm } from '@crmkit/core';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import { type Scenario, type SeededTenant, benchRoles, seedTenant } from './access-data.js';
import { openMigrated, scratch } from './databases.js';
import { createRandom } from './fixtures.js';
import type { BenchOptions } from './index.js';
import { collectGarbage, median } from './measure.js';
import { createBenchDatabase, serverUrl } from './pg-server.js';
import { renderTable } from './report.js';

const sizes = [10_000, 100_000];
const pageSize = 50;
const target = 0.8;
const list = { where: { lifecycleStage: 'lead' }, orderBy: { createdAt: 'desc' }, limit: pageSize } as const;

/** One line of the table: actor scope against system scope. */
interface Line {
  label: string;
  actorOps: number;
  systemOps: number;
  /** Median over the blocks of system time / actor time. */
  ratio: number;
  target?: number;
}

/** Walks the system list to its end and keeps every cursor: the keyset pages both sides read. */
async function cursorsOf(t: TenantScope, options: ListOptions, count: number, seed: number): Promise<string[]> {
  const all: string[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await t.contacts.list({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    if (page.nextCursor === undefined) break;
    all.push((cursor = page.nextCursor));
  }
  const random = createRandom(seed);
  return Array.from({ length: count }, () => all[random.int(all.length)]!);
}

const ids = (items: readonly Contact[]) => items.map((c) => c.id).join();
/** Operations per block: both sides alternate every few tens of milliseconds. */
const block = 50;

/**
 * Times both sides in alternating blocks of {@link block} operations (which
 * side goes first alternates too), `rounds` times over `count` operations.
 * Other processes on a shared machine then slow both sides alike: whole
 * rounds one after the other (bench/measure.ts `interleave`) gave ratios
 * from 0.44 to 1.08 for the same code under a varying load.
 */
async function paired(rounds: number, count: number, actor: (i: number) => Promise<unknown>, system: (i: number) => Promise<unknown>) {
  const run = async (op: (i: number) => Promise<unknown>, from: number) => {
    const started = performance.now();
    for (let i = from; i < Math.min(from + block, count); i++) await op(i);
    return performance.now() - started;
  };
  for (let i = 0; i < Math.min(count, 200); i++) {
    await actor(i);
    await system(i);
  }
  collectGarbage();
  let actorMs = 0;
  let systemMs = 0;
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let from = 0; from < count; from += block) {
      let a: number;
      let s: number;
      if ((from / block + round) % 2 === 0) {
        a = await run(actor, from);
        s = await run(system, from);
      } else {
        s = await run(system, from);
        a = await run(actor, from);
      }
      actorMs += a;
      systemMs += s;
      ratios.push(s / a);
    }
  }
  const ops = rounds * count * 1000;
  return { actorOps: ops / actorMs, systemOps: ops / systemMs, ratio: median(ratios) };
}

interface Pages {
  first: number;
  keyset: number;
}

async function scenarioLines(adapter: StorageAdapter, seeded: SeededTenant, scenario: Scenario, options: BenchOptions, pages: Pages, note = '') {
  const crm = await createCrm({ adapter, access: { roles: benchRoles } });
  const { tenantId, actorId, visibleOwners } = seeded;
  const asActor = crm.tenant(tenantId, { actorId });
  const asSystem = crm.system(tenantId);
  // The system side lists the rows the actor may read: all of them, except in team-share.
  const systemList: ListOptions = scenario === 'team-share' ? { ...list, where: { ...list.where, ownerId: { in: visibleOwners } } } : list;
  const cursors = await cursorsOf(asSystem, systemList, pages.keyset, options.seed);
  const first = [await asActor.contacts.list(list), await asSystem.contacts.list(systemList)];
  const after = [await asActor.contacts.list({ ...list, cursor: cursors[0]! }), await asSystem.contacts.list({ ...systemList, cursor: cursors[0]! })];
  if (first[0]!.items.length !== pageSize || ids(first[0]!.items) !== ids(first[1]!.items)) throw new Error(`${scenario}: first pages differ`);
  if (ids(after[0]!.items) !== ids(after[1]!.items)) throw new Error(`${scenario}: keyset pages differ`);

  const size = seeded.contacts.toLocaleString('en-US');
  const info = scenario === 'team-share' || note !== '';
  const what = scenario === 'own' ? 'own' : scenario === 'team' ? 'team' : `team owning 1 in 5${note} (system: where ownerId in team)`;
  const lines: Line[] = [];
  const timed = async (label: string, count: number, actor: (i: number) => Promise<unknown>, system: (i: number) => Promise<unknown>, targeted: boolean) => {
    const result = await paired(options.rounds, count, actor, system);
    lines.push({ label, ...result, ...(targeted ? { target } : {}) });
    console.log(`  ${label}: ${result.ratio.toFixed(2)}`);
  };
  await timed(`${size}, ${what}: first page`, pages.first, () => asActor.contacts.list(list), () => asSystem.contacts.list(systemList), !info);
  await timed(`${size}, ${what}: keyset page`, pages.keyset, (i) => asActor.contacts.list({ ...list, cursor: cursors[i]! }), (i) => asSystem.contacts.list({ ...systemList, cursor: cursors[i]! }), !info);
  if (scenario === 'team' && note === '') {
    // One scope per request, as a server makes them: the actor's side reads its policy (member, roles, teams, team members, shares) every time.
    await timed(`${size}, ${what}: first page, new scope per request`, pages.first, () => crm.tenant(tenantId, { actorId }).contacts.list(list), () => crm.system(tenantId).contacts.list(systemList), false);
  }
  return lines;
}

async function runOn(adapter: StorageAdapter, options: BenchOptions, pages: Pages): Promise<Line[]> {
  await adapter.migrate(coreMigrations);
  const lines: Line[] = [];
  const seed = async (scenario: Scenario, n: number, shares?: number) => {
    const started = performance.now();
    const seeded = await seedTenant(adapter, scenario, n, options.seed, shares);
    // Planner statistics as autovacuum (PostgreSQL) or a host's `analyze` leave them, like the other suites.
    await adapter.executeSql!`analyze`;
    console.log(`  seeded ${n.toLocaleString('en-US')} contacts (${scenario}, ${(shares ?? 500).toLocaleString('en-US')} shares) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return seeded;
  };
  for (const base of sizes) {
    const n = Math.max(1_000, Math.round(base * options.scale));
    for (const scenario of ['own', 'team', 'team-share'] as const) lines.push(...(await scenarioLines(adapter, await seed(scenario, n), scenario, options, pages)));
  }
  // Many shares in the tenant (each contact shared with another member): the share semi-join runs for the
  // rows the actor's team does not own, and its cost grows with the tenant's shares (docs/performance.md).
  const n = Math.max(1_000, Math.round(sizes.at(-1)! * options.scale));
  lines.push(...(await scenarioLines(adapter, await seed('team-share', n, n), 'team-share', options, { first: 100, keyset: 100 }, `, ${n.toLocaleString('en-US')} shares`)));
  return lines;
}

function cells(line: Line): string[] {
  const r = line.ratio;
  return [
    line.label,
    Math.round(line.actorOps).toLocaleString('en-US'),
    Math.round(line.systemOps).toLocaleString('en-US'),
    r.toFixed(2),
    line.target === undefined ? 'info' : `>= ${line.target.toFixed(2)}`,
    line.target === undefined ? '-' : r >= line.target ? 'PASS' : 'FAIL',
  ];
}

/** Runs the suite on SQLite, or PostgreSQL with `--pg`, and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  const files = scratch();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  let lines: Line[];
  let where: string;
  try {
    if (options.pg) {
      const database = await createBenchDatabase(serverUrl());
      const adapter = postgresAdapter({ connectionString: database.url, poolSize: 4 });
      try {
        where = `PostgreSQL ${database.version}`;
        lines = await runOn(adapter, options, { first: 600, keyset: 600 });
      } finally {
        await adapter.close();
        await database.drop();
      }
    } else {
      const adapter = await openMigrated(files.file('access.db'));
      try {
        where = `SQLite file ${(adapter.database.prepare('select sqlite_version() as v').get() as { v: string }).v}`;
        lines = await runOn(adapter, options, { first: 2_000, keyset: 1_000 });
      } finally {
        await adapter.close();
      }
    }
  } finally {
    files.remove();
  }
  console.log(
    `\nrestricted list (member scope, read level own / team) vs system scope, same rows, through t.contacts.list\n` +
      `${where}, node ${process.version}, ${availableParallelism()} cores, load average ${load} at start; ` +
      `${options.rounds} rounds in alternating blocks of ${block}; list ${pageSize}, lead, createdAt desc; ratio = median over the blocks of system time / actor time\n`,
  );
  const header = ['operation', 'actor ops/s', 'system ops/s', 'ratio', 'target', 'result'];
  console.log(renderTable(header, lines.filter((l) => l.target !== undefined).map(cells), lines.filter((l) => l.target === undefined).map(cells)));
}
