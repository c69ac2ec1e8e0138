import { type AggregateArgs, type AggregateMetric, type DerivedValue, type Row, type Where, differenceUnits } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';
import { aggregateValue, compareRows, compareValues, matchesWhere, percentileCont, valueAt } from '../reference.js';

/** Epoch milliseconds of a timestamp, or of a date's midnight UTC. */
const epoch = (value: unknown) => Date.parse(String(value).length === 10 ? `${String(value)}T00:00:00.000Z` : String(value));

/**
 * The reference of `AggregateArgs.derive`: each row with its derived values,
 * computed naively: partitions by value, sorted with `compareRows` (id last),
 * the row `offset` places before or after, and differences of epoch milliseconds.
 */
export function deriveRows(rows: readonly Row[], derive: Readonly<Record<string, DerivedValue>>): Row[] {
  const out = rows.map((row) => ({ ...row }));
  for (const [name, value] of Object.entries(derive)) {
    if (value.fn === 'difference') {
      for (const row of out) {
        const from = valueAt(row, value.from);
        const to = valueAt(row, value.to);
        row[name] = from === null || to === null ? null : (epoch(to) - epoch(from)) / differenceUnits[value.unit];
      }
      continue;
    }
    const partitionKey = (row: Row) => JSON.stringify((value.partitionBy ?? []).map((f) => valueAt(row, f)));
    const partitions = new Map<string, Row[]>();
    for (const row of out) partitions.set(partitionKey(row), [...(partitions.get(partitionKey(row)) ?? []), row]);
    for (const members of partitions.values()) {
      members.sort((a, b) => compareRows(a, b, value.orderBy));
      members.forEach((row, i) => {
        const j = value.fn === 'first' ? 0 : value.fn === 'lag' ? i - (value.offset ?? 1) : i + (value.offset ?? 1);
        row[name] = value.fn === 'rowNumber' ? i + 1 : j >= 0 && j < members.length ? valueAt(members[j]!, value.field!) : null;
      });
    }
  }
  return out;
}

/** The reference of a whole derived aggregate grouped by one key, groups in key order. */
function referenceAggregate(rows: readonly Row[], args: Omit<AggregateArgs, 'model' | 'tenantId'>, key: string): Row[] {
  const derived = deriveRows(rows.filter((r) => matchesWhere(r, args.where)), args.derive!).filter((r) => matchesWhere(r, args.derivedWhere));
  const groups = new Map<string, Row[]>();
  for (const row of derived) groups.set(JSON.stringify(valueAt(row, key)), [...(groups.get(JSON.stringify(valueAt(row, key))) ?? []), row]);
  return [...groups.values()]
    .map((members) => {
      const out: Row = { [key]: valueAt(members[0]!, key) };
      for (const [alias, metric] of Object.entries(args.metrics)) out[alias] = aggregateValue(members, metric);
      return out;
    })
    .sort((a, b) => (a[key] === null ? -1 : b[key] === null ? 1 : compareValues(a[key], b[key])));
}

const instants = ['2024-01-01T00:00:00.000Z', '2024-01-01T06:30:00.125Z', '2024-01-03T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '2024-03-31T01:00:00.000Z'];

const rowArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  rank: fc.integer({ min: 0, max: 3 }),
  done: fc.boolean(),
  occurredAt: fc.oneof(fc.constantFrom(...instants), fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2025, 0, 1) }).map((ms) => new Date(ms).toISOString())),
  closedAt: fc.option(fc.constantFrom(...instants), { nil: null }),
  startsOn: fc.constantFrom('2024-01-01', '2024-02-28', '2024-03-01'),
  endsOn: fc.option(fc.constantFrom('2024-01-01', '2024-03-31'), { nil: null }),
});

const windowArb = fc.record({
  fn: fc.constantFrom('lag', 'lead', 'first') as fc.Arbitrary<'lag' | 'lead' | 'first'>,
  partitionBy: fc.constantFrom(['name'], [], ['name', 'done']),
  orderBy: fc.constantFrom([{ field: 'occurredAt' }], [{ field: 'occurredAt', direction: 'desc' as const }], [{ field: 'rank' }, { field: 'closedAt', direction: 'desc' as const }]),
  offset: fc.constantFrom(1, 2),
});

const argsArb = fc.record({
  window: windowArb,
  unit: fc.constantFrom('days', 'hours', 'minutes', 'seconds') as fc.Arbitrary<'days' | 'hours' | 'minutes' | 'seconds'>,
  p: fc.constantFrom(0, 0.5, 0.9, 1),
  where: fc.constantFrom<Where | undefined>(undefined, { done: false }, { rank: { gte: 1 } }),
  derivedWhere: fc.constantFrom<Where | undefined>(undefined, { gap: { gte: 0 } }, { n: { lte: 2 } }, { or: [{ gap: { isNull: true } }, { cycle: { lt: 24 } }] }),
  key: fc.constantFrom('name', 'n', 'rank'),
});

/**
 * `aggregate` with `derive` (lag / lead / rowNumber windows and time
 * differences) and `derivedWhere`: derived values as metric fields, metric
 * filters, group keys and filters, against {@link deriveRows}; windows see
 * exactly the rows of `where`; validation.
 */
export function describeDerivedValues(options: ConformanceOptions): void {
  describePart('derivedValues', options, (ctx, test) => {
    const run = (args: Omit<AggregateArgs, 'model' | 'tenantId'>, t: string) => ctx.adapter.aggregate({ ...item(t), ...args });

    test('equals the reference on random rows, windows, units, filters and group keys', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 20 }), argsArb, async (values, a) => {
          const t = newTenant();
          const rows = values.map((v) => itemRow(v));
          if (rows.length > 0) await ctx.adapter.createMany({ ...item(t), rows });
          const pct = (field: string): AggregateMetric => ({ fn: 'percentile', field, p: a.p });
          const args: Omit<AggregateArgs, 'model' | 'tenantId'> = {
            ...(a.where ? { where: a.where } : {}),
            derive: {
              other: { fn: a.window.fn, field: 'occurredAt', partitionBy: a.window.partitionBy, orderBy: a.window.orderBy, ...(a.window.fn === 'first' ? {} : { offset: a.window.offset }) },
              gap: { fn: 'difference', from: 'other', to: 'occurredAt', unit: a.unit },
              n: { fn: 'rowNumber', partitionBy: a.window.partitionBy, orderBy: a.window.orderBy },
              cycle: { fn: 'difference', from: 'occurredAt', to: 'closedAt', unit: 'hours' },
              span: { fn: 'difference', from: 'startsOn', to: 'endsOn', unit: 'days' },
            },
            ...(a.derivedWhere ? { derivedWhere: a.derivedWhere } : {}),
            groupBy: [a.key],
            metrics: {
              rows: { fn: 'count' },
              gaps: { fn: 'count', field: 'gap' },
              gap: pct('gap'),
              minGap: { fn: 'min', field: 'gap' },
              last: { fn: 'max', field: 'other' },
              cycle: pct('cycle'),
              span: { fn: 'max', field: 'span' },
              firstTwo: { fn: 'count', filter: { n: { lte: 2 } } },
              positions: { fn: 'sum', field: 'n' },
            },
            orderBy: [{ key: a.key }],
          };
          expect(await run(args, t)).toEqual(referenceAggregate(rows, args, a.key));
        }),
        { numRuns: 60 },
      );
    }, { timeout: 120_000 });

    test('gives the median of all gaps between consecutive orders of each customer', async () => {
      const t = newTenant();
      const orders: [string, string][] = [
        ['a', '2024-01-01T00:00:00.000Z'], ['a', '2024-01-02T00:00:00.000Z'], ['a', '2024-01-12T00:00:00.000Z'],
        ['b', '2024-01-01T00:00:00.000Z'], ['b', '2024-01-04T12:00:00.000Z'],
        ['c', '2024-03-01T00:00:00.000Z'],
      ];
      await ctx.adapter.createMany({ ...item(t), rows: orders.map(([name, occurredAt]) => itemRow({ name, occurredAt })) });
      const [row] = await run({
        derive: {
          previous: { fn: 'lag', field: 'occurredAt', partitionBy: ['name'], orderBy: [{ field: 'occurredAt' }] },
          gap: { fn: 'difference', from: 'previous', to: 'occurredAt', unit: 'days' },
        },
        metrics: { gaps: { fn: 'count', field: 'gap' }, median: { fn: 'percentile', field: 'gap', p: 0.5 }, p90: { fn: 'percentile', field: 'gap', p: 0.9 } },
      }, t);
      // Gaps 1, 10 (a) and 3.5 (b): the median is 3.5, not the median of per-customer means (5.5, 3.5).
      expect(row).toEqual({ gaps: 3, median: 3.5, p90: percentileCont([1, 3.5, 10], 0.9) });
    });

    test('measures time in each stage from the next change of the same deal, only among the rows of where', async () => {
      const t = newTenant();
      const changes: [string, string, string, boolean][] = [
        ['d1', 'lead', '2024-01-01T00:00:00.000Z', false], ['d1', 'won', '2024-01-01T12:00:00.000Z', false],
        ['d2', 'lead', '2024-01-01T00:00:00.000Z', false], ['d2', 'demo', '2024-01-02T00:00:00.000Z', true], ['d2', 'won', '2024-01-03T00:00:00.000Z', false],
      ];
      await ctx.adapter.createMany({ ...item(t), rows: changes.map(([name, note, occurredAt, done]) => itemRow({ name, note, occurredAt, done })) });
      const args = (where?: Where): Omit<AggregateArgs, 'model' | 'tenantId'> => ({
        ...(where ? { where } : {}),
        derive: {
          next: { fn: 'lead', field: 'occurredAt', partitionBy: ['name'], orderBy: [{ field: 'occurredAt' }] },
          hours: { fn: 'difference', from: 'occurredAt', to: 'next', unit: 'hours' },
        },
        derivedWhere: { next: { isNull: false } },
        groupBy: ['note'],
        metrics: { n: { fn: 'count' }, total: { fn: 'sum', field: 'hours' } },
        orderBy: [{ key: 'note' }],
      });
      expect(await run(args(), t)).toEqual([{ note: 'demo', n: 1, total: 24 }, { note: 'lead', n: 2, total: 36 }]);
      // Without the demo row, d2's lead runs to its won change.
      expect(await run(args({ done: false }), t)).toEqual([{ note: 'lead', n: 2, total: 60 }]);
    });

    test('refuses bad derived values and derivedWhere without derive', async () => {
      const t = newTenant();
      const bad = (derive: unknown, extra: object = {}) =>
        expectError(run({ derive: derive as Record<string, DerivedValue>, metrics: { n: { fn: 'count' } }, ...extra }, t), 'VALIDATION_FAILED');
      const order = [{ field: 'occurredAt' }];
      await bad({ rank: { fn: 'rowNumber', orderBy: order } });
      await bad({ 'a.b': { fn: 'rowNumber', orderBy: order } });
      await bad({ x: { fn: 'rank', orderBy: order } });
      await bad({ x: { fn: 'lag', field: 'nope', orderBy: order } });
      await bad({ x: { fn: 'lag', field: 'custom.a', orderBy: order } });
      await bad({ x: { fn: 'lag', field: 'rank', orderBy: [] } });
      await bad({ x: { fn: 'lag', field: 'rank', orderBy: order, offset: 0 } });
      await bad({ x: { fn: 'lag', field: 'rank', orderBy: order, offset: 1.5 } });
      await bad({ x: { fn: 'rowNumber', field: 'rank', orderBy: order } });
      await bad({ x: { fn: 'first', field: 'rank', orderBy: order, offset: 1 } });
      await bad({ x: { fn: 'lag', field: 'rank', orderBy: [{ field: 'rank', direction: 'up' }] } });
      await bad({ x: { fn: 'difference', from: 'rank', to: 'occurredAt', unit: 'days' } });
      await bad({ x: { fn: 'difference', from: 'occurredAt', to: 'closedAt', unit: 'weeks' } });
      await bad({ x: { fn: 'difference', from: 'y', to: 'closedAt', unit: 'days' }, y: { fn: 'lag', field: 'occurredAt', orderBy: order } });
      await bad({ x: { fn: 'lag', field: 'rank', orderBy: order } }, { derivedWhere: { nope: 1 } });
      await expectError(run({ derivedWhere: { rank: 1 }, metrics: { n: { fn: 'count' } } }, t), 'VALIDATION_FAILED');
      expect(await run({ derive: {}, metrics: { n: { fn: 'count' } } }, t)).toEqual([{ n: 0 }]);
      await expectError(run({ where: { x: 1 }, derive: { x: { fn: 'rowNumber', orderBy: order } }, metrics: {} }, t), 'VALIDATION_FAILED');
    });
  });
}
