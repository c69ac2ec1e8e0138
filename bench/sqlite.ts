import { type ModelDefinition, type Row, coreModels } from '@crmkit/core';
import type { SqliteStorageAdapter } from '@crmkit/adapter-sqlite';
import { type Scratch, countRows, openMigrated, scratch } from './databases.js';
import { contactRows, createRandom } from './fixtures.js';
import { type MemoryProbe, interleave, measure, sampleEvery } from './measure.js';
import { rawContacts } from './raw-sqlite.js';
import type { ResultRow } from './report.js';
import { serviceImport } from './service.js';

/** Options of {@link runSqliteSuite}. */
export interface SqliteSuiteOptions {
  /** Contacts imported per round. */
  n: number;
  /** Timed rounds per operation; the report shows the median. */
  rounds: number;
  /** Seed of the rows and of the query sequences. */
  seed: number;
  /** Memory sampler shared by every phase. */
  probe: MemoryProbe;
  /** Progress output. */
  log: (line: string) => void;
}

// The raw rows of the fixtures are untyped: the adapter checks them field by field like any row.
const model: ModelDefinition = coreModels.contact;
const tenantId = 'bench-tenant';
const pageSize = 50;
const pointReads = 50_000;
const pages = 2_000;
const keysetPages = 500;
const warmupOps = 2_000;

/** Imports `rows` into a fresh database on each side; returns the timing and the crmkit database of the last round. */
async function bulkImport(options: SqliteSuiteOptions, rows: readonly Row[], files: Scratch, name: string) {
  const { probe, rounds } = options;
  let kept: SqliteStorageAdapter | undefined;
  const result = await interleave(
    rounds,
    async (round) => {
      const adapter = await openMigrated(files.file(`${name}-crmkit-${round}.db`));
      const sample = await measure(probe, rows.length, async () => void (await adapter.createMany({ model, tenantId, rows })));
      if (countRows(adapter, 'crm_contact') !== rows.length) throw new Error('crmkit import lost rows');
      if (round === rounds - 1) kept = adapter;
      else await adapter.close();
      return sample;
    },
    async (round) => {
      const adapter = await openMigrated(files.file(`${name}-raw-${round}.db`));
      const raw = rawContacts(adapter.database, pageSize);
      const sample = await measure(probe, rows.length, () => raw.importRows(rows));
      if (countRows(adapter, 'crm_contact') !== rows.length) throw new Error('raw import lost rows');
      await adapter.close();
      return sample;
    },
  );
  return { result, adapter: kept! };
}

/** The read workload: point reads by random id, a first page and keyset pages, same sequences on both sides. */
export function readWorkload(rows: readonly Row[], seed: number) {
  const random = createRandom(seed + 1);
  const ids = Array.from({ length: pointReads }, () => rows[random.int(rows.length)]!.id as string);
  const leads = rows
    .filter((r) => r.lifecycleStage === 'lead')
    .sort((a, b) => (a.createdAt! < b.createdAt! ? 1 : a.createdAt! > b.createdAt! ? -1 : a.id! < b.id! ? 1 : -1));
  const cursors = Array.from({ length: keysetPages }, () => {
    const row = leads[random.int(Math.max(1, leads.length - pageSize))]!;
    return { createdAt: row.createdAt as string, id: row.id as string };
  });
  return { ids, cursors };
}

/**
 * Runs the SQLite suite: bulk import, point read, first page and keyset page
 * (the targeted rows), then the service-level import (informational).
 * Database files live in a temporary directory removed at the end, also on failure.
 */
export async function runSqliteSuite(options: SqliteSuiteOptions): Promise<ResultRow[]> {
  const { n, rounds, seed, probe, log } = options;
  const files = scratch();
  try {
    log(`generating ${n.toLocaleString('en-US')} contacts (seed ${seed})`);
    const rows = contactRows(n, { tenantId, seed });
    const { ids, cursors } = readWorkload(rows, seed);

    log('warming up');
    const warm = await bulkImport({ ...options, rounds: 2 }, rows.slice(0, Math.min(n, 5_000)), files, 'warmup');
    await warm.adapter.close();

    log(`bulk import: ${rounds} rounds of ${n.toLocaleString('en-US')} rows per side`);
    const imported = await bulkImport(options, rows, files, 'import');
    const adapter = imported.adapter;
    const raw = rawContacts(adapter.database, pageSize);
    const list = { model, tenantId, where: { lifecycleStage: 'lead' }, orderBy: [{ field: 'createdAt', direction: 'desc' as const }], limit: pageSize };

    // The baseline must return the same rows, or the comparison is of different work.
    const sameIds = (a: readonly Row[], b: readonly Record<string, unknown>[]) => a.map((r) => r.id).join() === b.map((r) => r.id).join();
    const c0 = cursors[0]!;
    if (!sameIds(await adapter.findMany(list), raw.firstPage(tenantId, 'lead'))) throw new Error('first pages differ');
    if (!sameIds(await adapter.findMany({ ...list, after: c0 }), raw.pageAfter(tenantId, 'lead', c0.createdAt, c0.id))) throw new Error('keyset pages differ');

    const reads = {
      point: {
        crmkit: async (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            if ((await adapter.findOne({ model, tenantId, id: ids[i]! })) === undefined) throw new Error('missing row');
            if (i % sampleEvery === 0) sample();
          }
        },
        raw: (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            if (raw.get(tenantId, ids[i]!) === undefined) throw new Error('missing row');
            if (i % sampleEvery === 0) sample();
          }
        },
      },
      page: {
        crmkit: async (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            await adapter.findMany(list);
            if (i % 64 === 0) sample();
          }
        },
        raw: (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            raw.firstPage(tenantId, 'lead');
            if (i % 64 === 0) sample();
          }
        },
      },
      keyset: {
        crmkit: async (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            await adapter.findMany({ ...list, after: cursors[i % cursors.length]! });
            if (i % 64 === 0) sample();
          }
        },
        raw: (count: number, sample: () => void) => {
          for (let i = 0; i < count; i++) {
            const c = cursors[i % cursors.length]!;
            raw.pageAfter(tenantId, 'lead', c.createdAt, c.id);
            if (i % 64 === 0) sample();
          }
        },
      },
    };
    for (const kind of Object.values(reads)) {
      await kind.crmkit(warmupOps, () => {});
      kind.raw(warmupOps, () => {});
    }
    const timed = async (label: string, kind: keyof typeof reads, count: number) => {
      log(`${label}: ${rounds} rounds of ${count.toLocaleString('en-US')} per side`);
      return interleave(
        rounds,
        () => measure(probe, count, (sample) => reads[kind].crmkit(count, sample)),
        () => measure(probe, count, (sample) => reads[kind].raw(count, sample)),
      );
    };
    const point = await timed('point read', 'point', pointReads);
    const page = await timed('list, first page', 'page', pages);
    const keyset = await timed('list, keyset page', 'keyset', keysetPages);
    await adapter.close();

    log(`service-level import: ${rounds} rounds of ${Math.min(n, 10_000).toLocaleString('en-US')} contacts per side`);
    const service = await serviceImport({ probe, rounds, rows: rows.slice(0, Math.min(n, 10_000)), tenantId, files });

    return [
      { label: `bulk import ${n.toLocaleString('en-US')} (createMany), rows/s`, ...imported.result, target: 0.7 },
      { label: 'point read by id (findOne)', ...point, target: 0.5 },
      { label: `list ${pageSize}, lead, createdAt desc (findMany)`, ...page, target: 0.8 },
      { label: `list ${pageSize}, keyset after (findMany)`, ...keyset, target: 0.8 },
      { label: `contacts.createMany ${Math.min(n, 10_000).toLocaleString('en-US')} (validate + outbox), rows/s`, ...service },
    ];
  } finally {
    files.remove();
  }
}
