/**
 * The import suite of `npm run bench -- --import [--pg] [--scale 1] [--rounds 1]`:
 * a generated CSV of 1,000,000 contacts (times `--scale`) imported with
 * `t.imports.run('contact', fs.createReadStream(file), { mapping })` against a
 * hand-written driver loader of the same file (bench/import-raw.ts), then the
 * imported contacts exported with `t.exports.toWritable` against a
 * hand-written export (bench/export-raw.ts). Fresh databases every round; the
 * process's absolute RSS is watched throughout, since an import must run in
 * flat memory whatever the file's size.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { type ImportReport, type TenantScope, coreMigrations, createCrm } from '@crmkit/core';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import pg from 'pg';
import { type Scratch, countRows, openMigrated, scratch } from './databases.js';
import { rawPostgresExport, rawSqliteExport } from './export-raw.js';
import { importMapping, writeImportCsv } from './import-data.js';
import { rawPostgresImport, rawSqliteImport } from './import-raw.js';
import type { BenchOptions } from './index.js';
import { MemoryProbe, type Sample, interleave, measure } from './measure.js';
import { createBenchDatabase, serverUrl } from './pg-server.js';
import { type ResultRow, formatTable } from './report.js';

const tenantId = 'bench-tenant';
/** The import's default batch, used by the baseline too: one transaction per 500 rows on both sides. */
const batch = 500;
/** The bound issue 11 sets on the process's RSS during an import or export, at any size. */
const rssBound = 300 * 1_048_576;
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);

/** One fresh database for one side of one round. */
interface Db {
  t: TenantScope;
  /** Imports the CSV by hand; returns the rows written. */
  rawImport(file: string): Promise<number>;
  rawExport(file: string): Promise<number>;
  /** Rows in crm_contact and crm_event. */
  counts(): Promise<{ contacts: number; events: number }>;
  close(): Promise<void>;
}

async function sqliteDb(files: Scratch, name: string): Promise<Db> {
  const adapter = await openMigrated(files.file(`${name}.db`));
  const crm = await createCrm({ adapter });
  return {
    t: crm.tenant(tenantId),
    rawImport: (file) => rawSqliteImport(adapter.database, file, tenantId, batch),
    rawExport: (file) => rawSqliteExport(adapter.database, tenantId, file),
    counts: async () => ({ contacts: countRows(adapter, 'crm_contact'), events: countRows(adapter, 'crm_event') }),
    close: () => adapter.close(),
  };
}

async function postgresDb(): Promise<Db> {
  const database = await createBenchDatabase(serverUrl());
  const adapter = postgresAdapter({ connectionString: database.url, poolSize: 2 });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {});
  const close = async () => {
    await adapter.close().catch(() => {});
    await pool.end().catch(() => {});
    await database.drop();
  };
  try {
    await adapter.migrate(coreMigrations);
  } catch (error) {
    await close();
    throw error;
  }
  const count = async (table: string) => Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
  return {
    t: (await createCrm({ adapter })).tenant(tenantId),
    rawImport: (file) => rawPostgresImport(pool, file, tenantId, batch),
    rawExport: (file) => rawPostgresExport(pool, tenantId, file),
    counts: async () => ({ contacts: await count('crm_contact'), events: await count('crm_event') }),
    close,
  };
}

/** Absolute RSS peaks (bytes) seen by each side's runs. */
interface Peaks {
  crmkit: number;
  raw: number;
  /** The lowest RSS at the start of a run (after GC): what the process holds before any row. */
  base: number;
}

/**
 * Times `body` with the probe and records the process's absolute RSS peak:
 * the RSS at the run's start (after GC) plus the peak above it.
 */
async function timed(probe: MemoryProbe, ops: number, peaks: Peaks, side: 'crmkit' | 'raw', body: () => Promise<void>): Promise<Sample> {
  let base = 0;
  const sample = await measure(probe, ops, async () => {
    base = process.memoryUsage.rss();
    await body();
  });
  peaks[side] = Math.max(peaks[side], base + sample.rssPeak);
  peaks.base = Math.min(peaks.base || base, base);
  return sample;
}

async function expectRows(db: Db, n: number, what: string): Promise<void> {
  const { contacts, events } = await db.counts();
  if (contacts !== n || events !== n) throw new Error(`${what}: ${contacts} contacts and ${events} events for ${n} rows`);
}

/** Runs the suite and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const n = Math.max(1, Math.round(1_000_000 * options.scale));
  const files = scratch();
  const probe = new MemoryProbe();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const open = (name: string) => (options.pg ? postgresDb() : sqliteDb(files, name));
  const kept: Db[] = [];
  try {
    const csv = files.file('contacts.csv');
    const bytes = await writeImportCsv(csv, n, options.seed);
    log(`wrote ${n.toLocaleString('en-US')} contacts as CSV (${mb(bytes)} MB); load average ${load}`);

    const importPeaks: Peaks = { crmkit: 0, raw: 0, base: 0 };
    const last: { crmkit?: Db; raw?: Db } = {};
    const keep = async (side: 'crmkit' | 'raw', db: Db, round: number) => {
      if (round === options.rounds - 1) kept.push((last[side] = db));
      else await db.close();
    };
    let report: ImportReport | undefined;
    log(`import: ${options.rounds} round(s) per side`);
    const imports = await interleave(
      options.rounds,
      async (round) => {
        const db = await open(`crmkit-${round}`);
        const sample = await timed(probe, n, importPeaks, 'crmkit', async () => {
          report = await db.t.imports.run('contact', createReadStream(csv), { mapping: importMapping });
        });
        if (report!.created !== n || report!.rejected !== 0) throw new Error(`import: ${JSON.stringify({ ...report, issues: report!.issues.slice(0, 3) })}`);
        await expectRows(db, n, 'crmkit import');
        log(`  crmkit round ${round}: ${Math.round(sample.opsPerSec).toLocaleString('en-US')} rows/s, RSS peak ${mb(importPeaks.crmkit)} MB`);
        await keep('crmkit', db, round);
        return sample;
      },
      async (round) => {
        const db = await open(`raw-${round}`);
        const sample = await timed(probe, n, importPeaks, 'raw', async () => {
          if ((await db.rawImport(csv)) !== n) throw new Error('raw import lost rows');
        });
        await expectRows(db, n, 'raw import');
        log(`  raw round ${round}: ${Math.round(sample.opsPerSec).toLocaleString('en-US')} rows/s`);
        await keep('raw', db, round);
        return sample;
      },
    );

    const exportPeaks: Peaks = { crmkit: 0, raw: 0, base: 0 };
    const out = files.file('export.csv');
    log(`export: ${options.rounds} round(s) per side`);
    const exports = await interleave(
      options.rounds,
      () => timed(probe, n, exportPeaks, 'crmkit', async () => {
        const { rows } = await last.crmkit!.t.exports.toWritable('contact', createWriteStream(out), { mapping: importMapping });
        if (rows !== n) throw new Error(`export wrote ${rows} rows of ${n}`);
      }),
      () => timed(probe, n, exportPeaks, 'raw', async () => {
        if ((await last.raw!.rawExport(out)) !== n) throw new Error('raw export lost rows');
      }),
    );
    const exported = (await stat(out)).size;

    const results: ResultRow[] = [
      { label: `import ${n.toLocaleString('en-US')} contacts from CSV (imports.run), rows/s`, ...imports, target: 0.6 },
      { label: `export ${n.toLocaleString('en-US')} contacts to CSV (exports.toWritable), rows/s`, ...exports },
    ];
    console.log(
      `\ncrmkit import / export vs the driver by hand, on ${options.pg ? 'PostgreSQL' : 'SQLite (file, WAL)'}; ${n.toLocaleString('en-US')} contacts ` +
        `(scale ${options.scale}), batches of ${batch} rows per transaction on both sides\nnode ${process.version}, ${availableParallelism()} cores; ` +
        `load average at start ${load}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; median of ${options.rounds} round(s); ` +
        `ratio = crmkit rows/s / hand-written rows/s; baseline rows get no validation and no audit entry\n`,
    );
    console.log(formatTable(results));
    const verdict = (peak: number) => `${mb(peak)} MB ${peak < rssBound ? '(under 300 MB)' : '(OVER 300 MB)'}`;
    console.log(
      `\nabsolute RSS peak of the process: import crmkit ${verdict(importPeaks.crmkit)}, raw ${mb(importPeaks.raw)} MB; ` +
        `export crmkit ${verdict(exportPeaks.crmkit)}, raw ${mb(exportPeaks.raw)} MB; RSS at the start of a run ${mb(importPeaks.base)} MB ` +
        `(node, tsx, the modules); CSV in ${mb(bytes)} MB, out ${mb(exported)} MB`,
    );
  } finally {
    for (const db of kept) await db.close().catch(() => {});
    await probe.close();
    files.remove();
  }
}
