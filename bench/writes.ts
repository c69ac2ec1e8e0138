/**
 * The write-path suite of `npm run bench -- --writes`: single service writes,
 * each its own transaction with its record, audit entry and outbox event, on a
 * SQLite file and (when a server answers) on PostgreSQL, sequentially and with
 * several writes in flight, into one tenant or spread over several. It has no
 * baseline and no targets: it exists to compare the event insert of one build
 * with another's (the events insert runs on every service write).
 */
import { availableParallelism } from 'node:os';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import { type StorageAdapter, coreMigrations, createCrm } from '@crmkit/core';
import type { BenchOptions } from './index.js';
import { openMigrated, scratch } from './databases.js';
import { median } from './measure.js';
import { createBenchDatabase, serverUrl } from './pg-server.js';
import { renderTable } from './report.js';

/** One way of writing: how many writes, how many at once, over how many tenants. */
interface Load {
  label: string;
  writes: number;
  inFlight: number;
  tenants: number;
}

/** Runs so far: each run writes into tenants of its own, so unique domains never collide. */
let runs = 0;

/** Writes/s of `companies.create` under `load`: `inFlight` loops share one counter. */
async function writesPerSecond(adapter: StorageAdapter, load: Load): Promise<number> {
  const crm = await createCrm({ adapter });
  const run = runs++;
  const scopes = Array.from({ length: load.tenants }, (_, i) => crm.tenant(`bench-${run}-${i}`));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: load.inFlight }, async () => {
      for (let i = next++; i < load.writes; i = next++) await scopes[i % scopes.length]!.companies.create({ name: `Company ${i}`, domain: `c${i}.example` });
    }),
  );
  return load.writes / ((performance.now() - started) / 1000);
}

async function suite(name: string, adapter: StorageAdapter, loads: readonly Load[], rounds: number): Promise<string[][]> {
  const lines: string[][] = [];
  for (const load of loads) {
    await writesPerSecond(adapter, { ...load, writes: Math.min(200, load.writes) });
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++) samples.push(await writesPerSecond(adapter, load));
    lines.push([`${name}: ${load.label}`, Math.round(median(samples)).toLocaleString('en-US'), samples.map((s) => Math.round(s)).join(' / ')]);
    console.log(`  ${lines.at(-1)!.join('  ')}`);
  }
  return lines;
}

/** Runs the suite and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  const { rounds } = options;
  const lines: string[][] = [];
  const files = scratch();
  try {
    const sqlite = await openMigrated(files.file('writes.db'));
    lines.push(...(await suite('sqlite file', sqlite, [{ label: 'companies.create, 1 at a time', writes: 5_000, inFlight: 1, tenants: 1 }], rounds)));
    await sqlite.close();
  } finally {
    files.remove();
  }
  const database = await createBenchDatabase(serverUrl()).catch((error: unknown) => {
    console.error(`PostgreSQL part skipped: ${(error as Error).message}`);
    return undefined;
  });
  if (database !== undefined) {
    const adapter = postgresAdapter({ connectionString: database.url, poolSize: 10 });
    try {
      await adapter.migrate(coreMigrations);
      lines.push(...(await suite('postgres', adapter, [
        { label: 'companies.create, 1 at a time', writes: 2_000, inFlight: 1, tenants: 1 },
        { label: 'companies.create, 8 in flight, 8 tenants', writes: 4_000, inFlight: 8, tenants: 8 },
        { label: 'companies.create, 8 in flight, 1 tenant', writes: 4_000, inFlight: 8, tenants: 1 },
      ], rounds)));
    } finally {
      await adapter.close();
      await database.drop();
    }
  }
  console.log(`\nsingle service writes (record + audit + outbox event per transaction); node ${process.version}, ${availableParallelism()} cores; median of ${rounds} rounds\n`);
  console.log(renderTable(['operation', 'writes/s', 'rounds'], [], lines));
}
