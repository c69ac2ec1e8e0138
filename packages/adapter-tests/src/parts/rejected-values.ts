import type { Row, Where } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { expectError, item, itemRow, newTenant, rawRows } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const nul = 'before\u0000after';
const loneHigh = 'before\ud800after';
const loneLow = '\udc00';
const badTexts = [nul, loneHigh, loneLow, 'a\ud83d', '\u0000'];
const badNumbers = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Values no field of its type may hold, by field of the conformance item. */
const badValues: Record<string, unknown[]> = {
  name: [...badTexts, 5, true, {}, ['a'], new Date('2024-01-01T00:00:00.000Z')],
  body: [...badTexts, 1n],
  rank: [1.5, -0.25, 2 ** 53, -(2 ** 60), 2n ** 53n, ...badNumbers, '5', true],
  amount: [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 70n, -(2n ** 70n), 2.5, 1e20, ...badNumbers, '10'],
  ratio: [...badNumbers, 1n, '0.5'],
  done: [0, 1, 'true', null],
  occurredAt: ['yesterday', '2024-02-30T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '0000-01-01T00:00:00.000Z', new Date(Number.NaN), {}, true],
  startsOn: ['2024-02-30', '2023-02-29', '2024-1-5', 'tomorrow', '0000-01-01', '2024-01-01T00:00:00.000Z', 20240101],
  custom: [
    { a: nul }, { [nul]: 1 }, { a: loneHigh }, { [loneLow]: true }, { deep: { deeper: [1, 2, { x: Number.NaN }] } }, { n: Number.POSITIVE_INFINITY },
    { big: 2n ** 70n }, { big: 1n }, { f: () => 1 }, [Symbol('s')], { d: new Date(Number.NaN) }, deepJson(101),
  ],
  tags: [[nul], [1, loneHigh], [Number.NaN]],
};

function deepJson(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { v: value };
  return value;
}

/** A cyclic object: JSON cannot hold it. */
function cyclic(): Row {
  const o: Row = { a: 1 };
  o.self = o;
  return o;
}

/** Expects a ValidationError whose first issue path starts with `field`. */
async function refused(promise: Promise<unknown>, field: string): Promise<void> {
  const error = await expectError(promise, 'VALIDATION_FAILED');
  const issues = error.issues as { path: PropertyKey[] }[];
  expect(issues[0]?.path[0], String(error.message)).toBe(field);
}

/** One stored row in a fresh tenant, and a check that the tenant's rows are byte for byte as they were. */
async function guarded(ctx: ConformanceContext): Promise<{ t: string; id: string; unchanged(): Promise<void> }> {
  const t = newTenant();
  const data = itemRow({ name: 'kept', custom: { a: 1 } });
  await ctx.adapter.create({ ...item(t), data });
  const before = await rawRows(ctx, conformanceItem, t);
  return { t, id: String(data.id), unchanged: async () => expect(await rawRows(ctx, conformanceItem, t)).toEqual(before) };
}

const badTextArb = fc.oneof(
  fc.tuple(fc.string(), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'), fc.string()).map(([a, bad, b]) => `${a}${bad}${b}`),
);

/** A JSON value with one unrepresentable value somewhere inside it, at any depth. */
const badJsonArb: fc.Arbitrary<unknown> = fc.letrec<{ bad: unknown }>((tie) => ({
  bad: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    badTextArb,
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2n ** 70n, 7n),
    fc.tuple(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), tie('bad')).map(([list, bad]) => [...list, bad]),
    fc.tuple(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), fc.string(), tie('bad')).map(([o, k, bad]) => ({ ...o, [`k${k}`]: bad })),
    fc.tuple(badTextArb, fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ [k]: v })),
  ),
})).bad;

const badFieldValueArb: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constantFrom('name', 'code', 'body', 'note'), badTextArb),
  fc.tuple(fc.constantFrom('custom', 'tags', 'extra'), badJsonArb),
  fc.tuple(fc.constantFrom('rank', 'quantity'), fc.oneof(fc.double({ noInteger: true }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }), fc.integer({ min: 1, max: 2 ** 20 }).map((k) => 2 ** 53 + k * 2))),
  fc.tuple(fc.constantFrom('amount', 'big'), fc.oneof(fc.bigInt({ min: 2n ** 63n, max: 2n ** 90n }), fc.bigInt({ min: -(2n ** 90n), max: -(2n ** 63n) - 1n }), fc.double({ noInteger: true }))),
  fc.tuple(fc.constantFrom('ratio', 'score'), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
);

/**
 * Values a database cannot hold exactly (NUL, which Postgres refuses and
 * SQLite keeps; lone UTF-16 surrogates, which SQLite rewrites and Postgres
 * refuses; integers beyond their range; floats in integer fields; NaN and
 * Infinity; impossible dates; unserialisable JSON, at any depth) are a
 * `ValidationError` naming the field, before anything is written, on every
 * adapter alike, in written data and in where operands.
 */
export function describeRejectedValues(options: ConformanceOptions): void {
  describePart('rejectedValues', options, (ctx, test) => {
    test('refuses in every write method a value its field cannot hold, naming the field, and writes nothing', async () => {
      const g = await guarded(ctx);
      for (const [field, values] of Object.entries(badValues)) {
        for (const value of [...values, ...(field === 'custom' ? [cyclic()] : [])]) {
          await refused(ctx.adapter.create({ ...item(g.t), data: itemRow({ [field]: value }) }), field);
          await refused(ctx.adapter.createMany({ ...item(g.t), rows: [itemRow(), itemRow({ [field]: value })] }), field);
          await refused(ctx.adapter.update({ ...item(g.t), id: g.id, data: { [field]: value } }), field);
          await refused(ctx.adapter.updateMany({ ...item(g.t), where: {}, data: { [field]: value } }), field);
        }
      }
      await g.unchanged();
    });

    test('refuses generated rows with one unrepresentable value at any depth and writes none of them', async () => {
      const g = await guarded(ctx);
      await fc.assert(
        fc.asyncProperty(badFieldValueArb, fc.integer({ min: 0, max: 3 }), async ([field, value], position) => {
          const rows = Array.from({ length: 4 }, (_, i) => itemRow(i === position ? { [field]: value } : {}));
          await refused(ctx.adapter.createMany({ ...item(g.t), rows }), field);
          await refused(ctx.adapter.create({ ...item(g.t), data: rows[position]! }), field);
          await refused(ctx.adapter.update({ ...item(g.t), id: g.id, data: { [field]: value } }), field);
        }),
        { numRuns: 150 },
      );
      await g.unchanged();
    }, { timeout: 120_000 });

    test('still stores the extremes that every database holds exactly', async () => {
      const t = newTenant();
      const data = itemRow({
        name: '\ud83d\ude00 \uffff \u{10ffff}', body: 'tab\there', rank: -(2 ** 53 - 1), quantity: -0, amount: -(2n ** 63n), big: 2n ** 63n - 1n,
        ratio: Number.MIN_VALUE, occurredAt: '2024-02-29T23:59:59.999Z', startsOn: '2000-02-29', custom: { d: deepJson(99), when: new Date('2024-01-01T00:00:00.000Z'), gone: undefined },
      });
      await ctx.adapter.create({ ...item(t), data });
      const row = await ctx.adapter.findOne({ ...item(t), id: String(data.id) });
      expect(row?.name).toBe(data.name);
      expect(row?.big).toBe(2n ** 63n - 1n);
      expect((row?.custom as Row).when).toBe('2024-01-01T00:00:00.000Z');
      expect(Object.keys(row?.custom as Row)).toEqual(['d', 'when']);
    });

    test('refuses where operands the field cannot be compared with, in every method that filters', async () => {
      const g = await guarded(ctx);
      const operands: [string, unknown][] = [
        ['name', nul], ['name', loneHigh], ['name', 5], ['body', { contains: nul }], ['name', { startsWith: loneLow }],
        ['rank', 1.5], ['rank', { gt: 2n ** 64n }], ['rank', { in: [1, 2, Number.NaN] }], ['amount', { lt: 2n ** 63n }], ['amount', { in: [1n, 2n ** 70n] }],
        ['ratio', { gte: Number.POSITIVE_INFINITY }], ['done', 1], ['occurredAt', { gt: '2024-02-30T00:00:00.000Z' }], ['startsOn', 'tomorrow'],
        ['custom.a', nul], ['custom.a', { in: ['ok', loneHigh] }], ['custom.n', { gt: 2n ** 64n }], ['tags', { has: nul }], ['extra', 2n],
        ['id', { in: ['a', nul] }], ['id', nul],
      ];
      for (const [key, operand] of operands) {
        const where = { [key]: operand } as Where;
        const calls = [
          () => ctx.adapter.findMany({ ...item(g.t), where }),
          () => ctx.adapter.count({ ...item(g.t), where }),
          () => ctx.adapter.updateMany({ ...item(g.t), where, data: { name: 'hacked' } }),
          () => ctx.adapter.deleteMany({ ...item(g.t), where }),
          () => ctx.adapter.aggregate({ ...item(g.t), metrics: { n: { fn: 'count', filter: where } } }),
        ];
        for (const call of calls) await refused(call(), key);
      }
      await g.unchanged();
    });

    test('refuses ids and tenant ids no row can have instead of looking them up', async () => {
      const g = await guarded(ctx);
      for (const id of [nul, loneHigh, 5 as unknown as string]) {
        await refused(ctx.adapter.findOne({ ...item(g.t), id }), 'id');
        await refused(ctx.adapter.update({ ...item(g.t), id, data: { name: 'x' } }), 'id');
        await refused(ctx.adapter.delete({ ...item(g.t), id }), 'id');
      }
      for (const tenantId of [nul, loneLow]) {
        await refused(ctx.adapter.findMany({ ...item(tenantId) }), 'tenantId');
        await refused(ctx.adapter.create({ ...item(tenantId), data: itemRow() }), 'tenantId');
        await refused(ctx.adapter.deleteMany({ ...item(tenantId), where: {} }), 'tenantId');
      }
      await g.unchanged();
    });
  });
}
