import { createModelsMigration, defineModel } from '@crmkit/core';
import type { LogPage, ReadLogArgs, Row } from '@crmkit/core';
import { expect } from 'vitest';
import { type ConformanceContext, describePart } from '../context.js';
import { expectError, item, itemRow, newId, newTenant, rawCount } from '../fixtures.js';
import { conformanceEntry } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const at = '2024-01-01T00:00:00.000Z';

/** A complete `conformance_entry` row. */
function entryRow(overrides: Row = {}): Row {
  return { id: newId(), createdAt: at, updatedAt: at, kind: 'k', seq: 0, payload: null, ...overrides };
}

const entry = (tenantId: string) => ({ model: conformanceEntry, tenantId });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows the log from `after` until a short page; returns every row read and the last position. */
async function readAll(ctx: ConformanceContext, after: string | undefined, extra: Partial<ReadLogArgs> = {}): Promise<LogPage> {
  const rows: Row[] = [];
  let position = after;
  for (;;) {
    const page = await ctx.adapter.readLog({ model: conformanceEntry, limit: 50, ...extra, ...(position === undefined ? {} : { after: position }) });
    rows.push(...page.rows);
    position = page.position;
    if (page.rows.length < (extra.limit ?? 50)) return { rows, position };
  }
}

/** `tenant:seq` of rows: what was written by whom, in read order. */
const keys = (rows: readonly Row[]) => rows.map((row) => `${String(row.tenantId)}:${String(row.seq)}`);

/**
 * `readLog` and `logPosition` on a model with `log: true`: rows of every
 * tenant in commit order, every row exactly once across pages and positions,
 * nothing from rolled-back transactions, filters that still move the
 * position on, positions never reused after a delete, positions for the rows
 * a table held when it became a log, and concurrent transactions committing
 * out of order without the reader skipping or repeating a row.
 */
export function describeLog(options: ConformanceOptions): void {
  describePart('log', options, (ctx, test) => {
    test('reads the rows of every tenant in commit order, from a position or from the beginning', async () => {
      const [a, b] = [newTenant(), newTenant()];
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      await ctx.adapter.create({ ...entry(a), data: entryRow({ seq: 1 }) });
      await ctx.adapter.createMany({ ...entry(b), rows: [entryRow({ seq: 2 }), entryRow({ seq: 3 })] });
      await ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...entry(a), data: entryRow({ seq: 4 }) });
        await tx.createMany({ ...entry(b), rows: [entryRow({ seq: 5 })] });
        await tx.create({ ...entry(a), data: entryRow({ seq: 6 }) });
      });
      await ctx.adapter.create({ ...entry(b), data: entryRow({ seq: 7, payload: { deep: [1, 'two'] } }) });
      const expected = [`${a}:1`, `${b}:2`, `${b}:3`, `${a}:4`, `${b}:5`, `${a}:6`, `${b}:7`];
      const read = await readAll(ctx, start);
      expect(keys(read.rows)).toEqual(expected);
      expect(read.rows.at(-1)).toEqual({ tenantId: b, ...entryRow({ id: read.rows.at(-1)!.id, seq: 7, payload: { deep: [1, 'two'] } }) });
      const all = await readAll(ctx, undefined);
      expect(keys(all.rows.filter((row) => row.tenantId === a || row.tenantId === b))).toEqual(expected);
    });

    test('pages through the log with every row exactly once, a short page meaning the end', async () => {
      const t = newTenant();
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      await ctx.adapter.createMany({ ...entry(t), rows: Array.from({ length: 23 }, (_, i) => entryRow({ seq: i })) });
      const sizes: number[] = [];
      const rows: Row[] = [];
      let position = start;
      for (let page = 0; page < 10; page++) {
        const read = await ctx.adapter.readLog({ model: conformanceEntry, after: position, limit: 5 });
        sizes.push(read.rows.length);
        rows.push(...read.rows);
        position = read.position;
        if (read.rows.length < 5) break;
      }
      expect(sizes).toEqual([5, 5, 5, 5, 3]);
      expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i));
      expect((await ctx.adapter.readLog({ model: conformanceEntry, after: position, limit: 5 })).rows).toEqual([]);
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 23 }) });
      expect(keys((await ctx.adapter.readLog({ model: conformanceEntry, after: position, limit: 5 })).rows)).toEqual([`${t}:23`]);
    });

    test('reads from logPosition only the rows committed after it', async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 1 }) });
      const now = await ctx.adapter.logPosition({ model: conformanceEntry });
      expect((await ctx.adapter.readLog({ model: conformanceEntry, after: now, limit: 10 })).rows).toEqual([]);
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 2 }) });
      expect(keys((await readAll(ctx, now)).rows)).toEqual([`${t}:2`]);
    });

    test('leaves nothing in the log from a transaction that rolled back', async () => {
      const t = newTenant();
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      await expect(
        ctx.adapter.transaction(async (tx) => {
          await tx.createMany({ ...entry(t), rows: [entryRow({ seq: 1 }), entryRow({ seq: 2 })] });
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 3 }) });
      expect(keys((await readAll(ctx, start)).rows)).toEqual([`${t}:3`]);
      expect(await rawCount(ctx, conformanceEntry, t)).toBe(1);
    });

    test('keeps the rows of a log tenant-local for every other call', async () => {
      const [a, b] = [newTenant(), newTenant()];
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      const data = entryRow({ seq: 1 });
      await ctx.adapter.create({ ...entry(a), data });
      expect(await ctx.adapter.findMany(entry(b))).toEqual([]);
      expect(await ctx.adapter.count(entry(b))).toBe(0);
      expect(await ctx.adapter.findOne({ ...entry(b), id: String(data.id) })).toBeUndefined();
      expect(await ctx.adapter.deleteMany({ ...entry(b), where: {} })).toBe(0);
      expect((await readAll(ctx, start)).rows).toEqual([{ tenantId: a, ...data }]);
    });

    test('returns only rows matching where, with the selected fields, and moves the position past the others', async () => {
      const t = newTenant();
      const [wanted, other] = [`w${newId()}`, `o${newId()}`];
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      await ctx.adapter.createMany({ ...entry(t), rows: Array.from({ length: 6 }, (_, i) => entryRow({ seq: i, kind: i % 2 === 0 ? wanted : other, payload: { i } })) });
      const filtered = await ctx.adapter.readLog({ model: conformanceEntry, after: start, limit: 10, where: { kind: wanted }, select: ['seq'] });
      expect(filtered.rows).toEqual([0, 2, 4].map((seq) => ({ tenantId: t, id: expect.any(String), seq })));
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 6, kind: other }) });
      expect((await ctx.adapter.readLog({ model: conformanceEntry, after: filtered.position, limit: 10, where: { kind: wanted } })).rows).toEqual([]);
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 7, kind: wanted }) });
      const next = await ctx.adapter.readLog({ model: conformanceEntry, after: filtered.position, limit: 10, where: { kind: wanted } });
      expect(keys(next.rows)).toEqual([`${t}:7`]);
      expect(keys((await readAll(ctx, start)).rows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((seq) => `${t}:${seq}`));
    });

    test('never gives the position of a deleted row to a row written later', async () => {
      const t = newTenant();
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      const newest = entryRow({ seq: 1 });
      await ctx.adapter.create({ ...entry(t), data: newest });
      const read = await readAll(ctx, start);
      expect(keys(read.rows)).toEqual([`${t}:1`]);
      await ctx.adapter.delete({ ...entry(t), id: String(newest.id) });
      await ctx.adapter.create({ ...entry(t), data: entryRow({ seq: 2 }) });
      expect(keys((await readAll(ctx, read.position)).rows)).toEqual([`${t}:2`]);
    });

    test('gives the rows a table holds when it becomes a log positions in id order, before later rows', async () => {
      const suffix = newId();
      const plain = defineModel({ name: 'conformance_backlog', table: `conformance_backlog_${suffix}`, versioned: false, fields: { seq: { type: 'integer' } } });
      const logged = defineModel({ ...plain, log: true });
      const create = createModelsMigration(`conformance_backlog_${suffix}_1`, [plain]);
      await ctx.adapter.migrate([create]);
      const [a, b] = [newTenant(), newTenant()];
      const ids = Array.from({ length: 6 }, () => newId());
      // Written in reverse id order, across two tenants: the positions must follow the ids, not the writes.
      for (let i = 5; i >= 0; i--) await ctx.adapter.create({ model: plain, tenantId: i % 2 ? a : b, data: { id: ids[i]!, createdAt: at, updatedAt: at, seq: i } });
      await ctx.adapter.migrate([create, { id: `conformance_backlog_${suffix}_2`, operations: [{ kind: 'addLog', table: plain.table }] }]);
      await ctx.adapter.create({ model: logged, tenantId: a, data: { id: newId(), createdAt: at, updatedAt: at, seq: 6 } });
      const page = await ctx.adapter.readLog({ model: logged, limit: 100 });
      expect(page.rows.map((row) => row.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    test('rejects a position it did not make, a model that is not a log, a limit below one, and calls on a transaction', async () => {
      await expectError(ctx.adapter.readLog({ model: conformanceEntry, after: 'not a position', limit: 10 }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.readLog({ model: conformanceEntry, after: "1; drop table conformance_entry; --", limit: 10 }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.readLog({ model: item(newTenant()).model, limit: 10 }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.logPosition({ model: item(newTenant()).model }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.readLog({ model: conformanceEntry, limit: 0 }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.readLog({ model: conformanceEntry, limit: 10, where: { nope: 1 } }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.transaction((tx) => tx.readLog({ model: conformanceEntry, limit: 10 })), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.transaction((tx) => tx.logPosition({ model: conformanceEntry })), 'VALIDATION_FAILED');
      // The row model still works as ever next to the log.
      await ctx.adapter.create({ ...item(newTenant()), data: itemRow() });
    });

    test('reads every row exactly once, in commit order, while concurrent transactions commit out of order', async () => {
      const tenants = [newTenant(), newTenant(), newTenant()];
      const writers = 36;
      const start = await ctx.adapter.logPosition({ model: conformanceEntry });
      /** Per writer: when it began its insert, when its callback returned (commit asked), when the commit resolved. */
      const times: { insert: number; body: number; committed: number }[] = [];
      const writes = Array.from({ length: writers }, async (_, i) => {
        await pause((i * 7) % 11);
        const time = { insert: 0, body: 0, committed: 0 };
        await ctx.adapter.transaction(async (tx) => {
          time.insert = performance.now();
          await tx.create({ ...entry(tenants[i % 3]!), data: entryRow({ seq: i }) });
          // Long and short holds, so that later writers commit before earlier ones.
          await pause((i * 13) % 17);
          time.body = performance.now();
        });
        time.committed = performance.now();
        times[i] = time;
      });
      const read: Row[] = [];
      let position = start;
      let done = false;
      const all = Promise.all(writes).then(() => (done = true));
      while (!done) {
        const page = await ctx.adapter.readLog({ model: conformanceEntry, after: position, limit: 4 });
        read.push(...page.rows);
        position = page.position;
        await pause(1);
      }
      await all;
      read.push(...(await readAll(ctx, position, { limit: 4 })).rows);
      const order = read.map((row) => Number(row.seq));
      expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: writers }, (_, i) => i));
      const index = new Map(order.map((seq, i) => [seq, i]));
      // Where the order of two commits is certain, the log must have it: one committed before the other
      // asked to commit (same tenant), or before the other even wrote its row (any tenants).
      const misordered: string[] = [];
      for (let x = 0; x < writers; x++) {
        for (let y = 0; y < writers; y++) {
          const sameTenant = x % 3 === y % 3;
          const before = times[x]!.committed < (sameTenant ? times[y]!.body : times[y]!.insert);
          if (before && index.get(x)! > index.get(y)!) misordered.push(`${x} committed before ${y} but came after it`);
        }
      }
      expect(misordered).toEqual([]);
    }, { timeout: 60_000 });
  });
}
