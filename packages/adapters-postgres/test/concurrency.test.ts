import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type PostgresStorageAdapter, postgresAdapter } from '@crmkit/adapter-postgres';
import { ConflictError, type Row, withRetry } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations, note, noteRow } from './models.js';
import { noServer, serverUrl, useTestDatabase } from './pg-target.js';

const url = useTestDatabase();
const workers = 8;
const updatesPerWorker = 2000;
const sharedRows = 20;

async function seed(adapter: PostgresStorageAdapter, tenantId: string, count: number): Promise<void> {
  await adapter.createMany({ model: note, tenantId, rows: Array.from({ length: count }, (_, i) => noteRow(`r${i}`)) });
}

async function counterSum(adapter: PostgresStorageAdapter, tenantId: string): Promise<number> {
  const [row] = await adapter.aggregate({ model: note, tenantId, metrics: { total: { fn: 'sum', field: 'counter' } } });
  return Number(row?.total);
}

describe.skipIf(serverUrl === undefined)('concurrent writers on a PostgreSQL server', () => {
  let adapter: PostgresStorageAdapter;
  beforeAll(async () => {
    adapter = postgresAdapter({ connectionString: url(), poolSize: workers, schema: 'concurrency' });
    await adapter.migrate(migrations);
  });
  afterAll(async () => {
    await adapter?.close();
  });

  it(`loses no update when ${workers} connections each make ${updatesPerWorker} version-guarded read-modify-writes on ${sharedRows} rows`, async () => {
    const tenantId = 'rmw';
    await seed(adapter, tenantId, sharedRows);
    let successes = 0;
    let conflicts = 0;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; i < updatesPerWorker; i++) {
        const id = `r${(w * 7 + i) % sharedRows}`;
        await withRetry(
          async () => {
            const row = await adapter.findOne({ model: note, tenantId, id });
            try {
              await adapter.update({ model: note, tenantId, id, data: { counter: Number(row!.counter) + 1 }, expectedVersion: Number(row!.version) });
            } catch (error) {
              if (error instanceof ConflictError) conflicts++;
              throw error;
            }
          },
          { attempts: 1000, baseDelayMs: 1 },
        );
        successes++;
      }
    };
    await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
    expect(successes).toBe(workers * updatesPerWorker);
    expect(await counterSum(adapter, tenantId)).toBe(successes);
    // Every successful update also moved the version on by one.
    const rows = await adapter.findMany({ model: note, tenantId });
    expect(rows.reduce((sum, r) => sum + Number(r.version) - 1, 0)).toBe(successes);
    console.info(`[adapter-postgres] ${successes} updates, ${conflicts} conflicts retried`);
  }, 120_000);

  it('surfaces conflicts between two OS processes as ConflictError, never as a silent overwrite', async () => {
    const tenantId = 'processes';
    const rows = 5;
    const attempts = 1500;
    await seed(adapter, tenantId, rows);
    const script = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
    const cwd = fileURLToPath(new URL('../../..', import.meta.url));
    const run = () =>
      new Promise<{ ok: number; conflicts: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, url(), 'concurrency', tenantId, String(rows), String(attempts)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`writer exited with ${code}: ${err}`))));
      });
    const results = await Promise.all([run(), run()]);
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    expect(ok + conflicts).toBe(2 * attempts);
    expect(await counterSum(adapter, tenantId)).toBe(ok);
    console.info(`[adapter-postgres] two processes: ${ok} updates, ${conflicts} conflicts`);
  }, 120_000);

  it('never lets an operation read or change another tenant\'s rows under concurrent random operations', async () => {
    const tenants = ['ta', 'tb', 'tc', 'td', 'te'];
    type Op = { tenant: number; kind: 'create' | 'update' | 'delete' | 'updateMany' | 'deleteMany'; key: number; value: number };
    const op = fc.record({
      tenant: fc.integer({ min: 0, max: tenants.length - 1 }),
      kind: fc.constantFrom('create', 'update', 'delete', 'updateMany', 'deleteMany'),
      key: fc.integer({ min: 0, max: 5 }),
      value: fc.integer({ min: 0, max: 1000 }),
    }) as fc.Arbitrary<Op>;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        const prefix = `iso${run++}_`;
        // Every tenant starts with the same ids, so a leak would hit a row of the same id.
        const model = tenants.map(() => new Map<string, number>());
        for (const [t, tenant] of tenants.entries()) {
          await seed(adapter, prefix + tenant, 3);
          for (let i = 0; i < 3; i++) model[t]!.set(`r${i}`, 0);
        }
        // Operations of one tenant run in order; tenants run concurrently on several connections.
        await Promise.all(
          tenants.map(async (tenant, t) => {
            const tenantId = prefix + tenant;
            const rows = model[t]!;
            for (const o of ops.filter((x) => x.tenant === t)) {
              const id = `r${o.key}`;
              if (o.kind === 'create' && !rows.has(id)) {
                await adapter.create({ model: note, tenantId, data: noteRow(id, { counter: o.value }) });
                rows.set(id, o.value);
              } else if (o.kind === 'update' && rows.has(id)) {
                await adapter.update({ model: note, tenantId, id, data: { counter: o.value } });
                rows.set(id, o.value);
              } else if (o.kind === 'delete' && rows.has(id)) {
                await adapter.delete({ model: note, tenantId, id });
                rows.delete(id);
              } else if (o.kind === 'updateMany') {
                const n = await adapter.updateMany({ model: note, tenantId, where: { counter: { lte: o.value } }, data: { counter: o.value + 1 } });
                let expected = 0;
                for (const [k, v] of rows) if (v <= o.value) (rows.set(k, o.value + 1), expected++);
                expect(n).toBe(expected);
              } else if (o.kind === 'deleteMany') {
                const n = await adapter.deleteMany({ model: note, tenantId, where: { counter: { gt: o.value } } });
                let expected = 0;
                for (const [k, v] of rows) if (v > o.value) (rows.delete(k), expected++);
                expect(n).toBe(expected);
              }
              const seen = await adapter.findMany({ model: note, tenantId });
              expect(seen.every((r: Row) => r.tenantId === tenantId)).toBe(true);
            }
          }),
        );
        for (const [t, tenant] of tenants.entries()) {
          const rows = await adapter.findMany({ model: note, tenantId: prefix + tenant, orderBy: [{ field: 'id' }] });
          expect(rows.map((r) => [r.id, r.counter])).toEqual([...model[t]!.entries()].sort());
          const raw = await adapter.pool!.query('select count(*)::int as n from concurrency.pg_test_note where tenant_id = $1', [prefix + tenant]);
          expect(raw.rows[0].n).toBe(model[t]!.size);
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe.skipIf(serverUrl !== undefined)('concurrent writers', () => {
  it.skip(`8 connections, two processes and tenant isolation under concurrency: ${noServer}`, () => {});
});
