import type { Row } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { item, itemRow, newTenant, stored } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const unicode = [
  'emoji 👩‍👩‍👧‍👦 🇫🇷 😀',
  'مرحبا بالعالم עברית',
  'combining e\u0301 a\u0308 \u1100\u1161',
  '中文 日本語 한국어',
  'astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈',
  'quotes \' " ` \\ back\\slash',
  'line\nbreak\ttab\r\n',
  '\u200b\u200d\ufeff zero width',
];

/** Writes one row, reads it back by id and returns it after checking it equals what was written. */
async function roundTrip(ctx: ConformanceContext, overrides: Row): Promise<Row> {
  const t = newTenant();
  const data = itemRow(overrides);
  await ctx.adapter.create({ ...item(t), data });
  const row = await ctx.adapter.findOne({ ...item(t), id: String(data.id) });
  expect(row).toEqual(stored(conformanceItem, t, data));
  return row as Row;
}

/**
 * Values at their boundaries: unicode without normalisation, 1 MB text, safe
 * integer and 64-bit bounds, floats, instants of years 0001 and 9999 with their
 * milliseconds, calendar dates, booleans and JSON.
 */
export function describeValues(options: ConformanceOptions): void {
  describePart('values', options, (ctx, test) => {
    test('stores unicode text in string, text and JSON fields exactly as given', async () => {
      for (const text of unicode) {
        await roundTrip(ctx, { name: text, body: text, note: text, custom: { [text]: text, list: [text] }, tags: [text] });
      }
    });

    test('filters on unicode text with eq, contains and startsWith', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: unicode.map((name) => itemRow({ name })) });
      expect(await ctx.adapter.count({ ...item(t), where: { name: unicode[0] } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { name: { contains: '👧' } } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { name: { startsWith: 'مرحبا' } } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { tags: { has: '👩' } } })).toBe(0);
    });

    test('does not normalise unicode: precomposed and decomposed forms stay different values', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: '\u00e9' }), itemRow({ name: 'e\u0301' })] });
      const rows = await ctx.adapter.findMany({ ...item(t), where: { name: '\u00e9' } });
      expect(rows.map((row) => row.name)).toEqual(['\u00e9']);
    });

    test('stores 1 MB of multi-byte text and reads it back unchanged', async () => {
      const body = 'aé😀\n'.repeat(1024 * 128);
      const row = await roundTrip(ctx, { body, custom: { body } });
      expect(String(row.body).length).toBe(body.length);
    }, { timeout: 30_000 });

    test('stores integers up to plus and minus 2^53 - 1 and filters on them exactly', async () => {
      const t = newTenant();
      await roundTrip(ctx, { rank: Number.MAX_SAFE_INTEGER, quantity: Number.MIN_SAFE_INTEGER });
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ rank: Number.MAX_SAFE_INTEGER }), itemRow({ rank: Number.MAX_SAFE_INTEGER - 1 })] });
      expect(await ctx.adapter.count({ ...item(t), where: { rank: Number.MAX_SAFE_INTEGER } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { rank: { gt: Number.MAX_SAFE_INTEGER - 1 } } })).toBe(1);
    });

    test('reads a bigint field back as a number while it is safe', async () => {
      const row = await roundTrip(ctx, { amount: Number.MAX_SAFE_INTEGER, big: -Number.MAX_SAFE_INTEGER });
      expect(typeof row.amount).toBe('number');
      const t = newTenant();
      const data = itemRow({ amount: 5n });
      await ctx.adapter.create({ ...item(t), data });
      expect((await ctx.adapter.findOne({ ...item(t), id: String(data.id) }))?.amount).toBe(5);
    });

    test('stores a bigint up to 2^63 - 1 and reads it back as a bigint', async () => {
      const max = 2n ** 63n - 1n;
      const min = -(2n ** 63n);
      await roundTrip(ctx, { amount: max, big: min });
      await roundTrip(ctx, { amount: 2n ** 53n + 1n, big: -(2n ** 53n) - 1n });
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ amount: max }), itemRow({ amount: max - 1n })] });
      expect(await ctx.adapter.count({ ...item(t), where: { amount: max } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { amount: { gte: max - 1n } } })).toBe(2);
    });

    test('stores floats at their extremes exactly', async () => {
      for (const ratio of [0.1 + 0.2, -123.456, 1e308, -1e-308, Number.MAX_VALUE, Number.MIN_VALUE, 1 / 3]) {
        await roundTrip(ctx, { ratio, score: ratio });
      }
    });

    test('stores negative zero as a zero', async () => {
      const t = newTenant();
      const data = itemRow({ ratio: -0 });
      await ctx.adapter.create({ ...item(t), data });
      const row = await ctx.adapter.findOne({ ...item(t), id: String(data.id) });
      expect(row?.ratio === 0).toBe(true);
    });

    test('stores instants from year 0001 to 9999 with their milliseconds', async () => {
      for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-02-29T12:34:56.789Z', '1969-12-31T23:59:59.999Z']) {
        await roundTrip(ctx, { occurredAt: at, closedAt: at, createdAt: at });
      }
    });

    test('compares instants in time order across years 0001 to 9999 and within a millisecond', async () => {
      const t = newTenant();
      const instants = ['0001-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.001Z', '9999-12-31T23:59:59.999Z'];
      await ctx.adapter.createMany({ ...item(t), rows: instants.map((at) => itemRow({ occurredAt: at, name: at })) });
      const rows = await ctx.adapter.findMany({ ...item(t), orderBy: [{ field: 'occurredAt', direction: 'desc' }] });
      expect(rows.map((row) => row.occurredAt)).toEqual([...instants].reverse());
      expect(await ctx.adapter.count({ ...item(t), where: { occurredAt: { gt: '2024-01-01T00:00:00.000Z' } } })).toBe(2);
    });

    test('stores calendar dates from 0001-01-01 to 9999-12-31, leap days included', async () => {
      for (const day of ['0001-01-01', '9999-12-31', '2024-02-29', '1970-01-01']) {
        await roundTrip(ctx, { startsOn: day, endsOn: day });
      }
    });

    test('reads booleans back as booleans', async () => {
      const row = await roundTrip(ctx, { done: true, active: false });
      expect(row.done).toBe(true);
      expect(row.active).toBe(false);
    });

    test('stores JSON values of every shape, keeping strings that look like numbers as strings', async () => {
      await roundTrip(ctx, {
        custom: { s: '1', n: 1, f: -2.5, t: true, f2: false, z: null, a: [1, '1', null, { b: [] }], o: { deep: { deeper: {} } }, 'key with "quotes"': "it's" },
        tags: [],
        extra: [1, 2, 3],
      });
      await roundTrip(ctx, { extra: 'a JSON string' });
      await roundTrip(ctx, { extra: 42 });
    });

    test('stores SQL-looking text verbatim and finds it by equality', async () => {
      const t = newTenant();
      const name = "Robert'); DROP TABLE conformance_item; --";
      await ctx.adapter.create({ ...item(t), data: itemRow({ name, note: '%_\\' }) });
      expect(await ctx.adapter.count({ ...item(t), where: { name } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { note: { startsWith: '%_\\' } } })).toBe(1);
    });
  });
}
