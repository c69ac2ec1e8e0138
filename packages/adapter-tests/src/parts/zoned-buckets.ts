import { type DateBucket, type Row, dateBuckets } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';

/** Zones with DST both ways, half- and quarter-hour offsets, a 30-minute DST shift and the date line. */
const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Kiritimati', 'America/Sao_Paulo'];

/**
 * The reference: the local calendar date from Intl's own formatting (no offset
 * arithmetic), then the bucket's first day on that calendar, weeks from Monday.
 */
export function referenceBucket(timestamp: string, bucket: DateBucket, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(timestamp));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  let [y, m, d] = [get('year'), get('month'), get('day')];
  if (bucket === 'week') {
    const weekday = new Date(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`).getUTCDay();
    const monday = new Date(Date.UTC(y, m - 1, d) - ((weekday + 6) % 7) * 86_400_000);
    [y, m, d] = [monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()];
  }
  if (bucket === 'month' || bucket === 'quarter' || bucket === 'year') d = 1;
  if (bucket === 'quarter') m -= (m - 1) % 3;
  if (bucket === 'year') m = 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const instantArb = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 11, 31) })
  .map((ms) => new Date(ms).toISOString());

/** Instants within two hours of a DST change or a year / month end somewhere, where off-by-an-offset bugs show. */
const edgeArb = fc
  .tuple(fc.constantFrom('2024-03-10T07:00:00.000Z', '2024-03-31T01:00:00.000Z', '2024-10-27T01:00:00.000Z', '2024-11-03T06:00:00.000Z', '2023-12-31T23:00:00.000Z', '2024-04-06T15:00:00.000Z'), fc.integer({ min: -7_200_000, max: 7_200_000 }))
  .map(([at, delta]) => new Date(Date.parse(at) + delta).toISOString());

/**
 * `aggregate` with `{ field, bucket, as, timeZone }` group keys: a timestamp is
 * bucketed by its local date in the IANA zone (DST, half- and quarter-hour
 * offsets, weeks from the local Monday), against Intl's calendar as the
 * reference; dates are not shifted; zone names are validated.
 */
export function describeZonedBuckets(options: ConformanceOptions): void {
  describePart('zonedBuckets', options, (ctx, test) => {
    test('buckets random instants by their local date in the zone, for every bucket, as the reference does', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(instantArb, edgeArb), { minLength: 1, maxLength: 25 }), fc.constantFrom(...zones), fc.constantFrom(...dateBuckets), async (instants, timeZone, bucket) => {
          const t = newTenant();
          await ctx.adapter.createMany({ ...item(t), rows: instants.map((occurredAt) => itemRow({ occurredAt })) });
          const rows = await ctx.adapter.aggregate({
            ...item(t), groupBy: [{ field: 'occurredAt', bucket, as: 'period', timeZone }], metrics: { n: { fn: 'count' } }, orderBy: [{ key: 'period' }],
          });
          const expected = new Map<string, number>();
          for (const at of instants) {
            const key = referenceBucket(at, bucket, timeZone);
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          expect(rows).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([period, n]) => ({ period, n })));
        }),
        { numRuns: 60 },
      );
    }, { timeout: 120_000 });

    test('starts local days at local midnight, weeks on the local Monday and months on the local first', async () => {
      const t = newTenant();
      const at = ['2024-03-31T22:30:00.000Z', '2024-04-01T03:00:00.000Z', '2024-03-01T03:00:00.000Z'];
      await ctx.adapter.createMany({ ...item(t), rows: at.map((occurredAt, rank) => itemRow({ occurredAt, rank })) });
      const keys = async (bucket: DateBucket, timeZone: string) =>
        (await ctx.adapter.aggregate({ ...item(t), groupBy: ['rank', { field: 'occurredAt', bucket, as: 'k', timeZone }], metrics: {}, orderBy: [{ key: 'rank' }] })).map((r: Row) => r.k);
      // 22:30Z on Sunday 31 March is 00:30 on Monday 1 April in Paris (UTC+2 since that morning).
      expect(await keys('day', 'Europe/Paris')).toEqual(['2024-04-01', '2024-04-01', '2024-03-01']);
      expect(await keys('week', 'Europe/Paris')).toEqual(['2024-04-01', '2024-04-01', '2024-02-26']);
      expect(await keys('week', 'UTC')).toEqual(['2024-03-25', '2024-04-01', '2024-02-26']);
      // 03:00Z on 1 March is still 29 February in New York: February, first quarter.
      expect(await keys('month', 'America/New_York')).toEqual(['2024-03-01', '2024-03-01', '2024-02-01']);
      expect(await keys('quarter', 'America/New_York')).toEqual(['2024-01-01', '2024-01-01', '2024-01-01']);
      expect(await keys('quarter', 'Asia/Kolkata')).toEqual(['2024-04-01', '2024-04-01', '2024-01-01']);
      // Chatham is UTC+13:45 until 7 April 2024: 03:00Z on 1 March is already the afternoon there.
      expect(await keys('day', 'Pacific/Chatham')).toEqual(['2024-04-01', '2024-04-01', '2024-03-01']);
    });

    test('leaves date fields unshifted and refuses names that are not IANA zones', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ startsOn: '2024-03-31' })] });
      const [row] = await ctx.adapter.aggregate({ ...item(t), groupBy: [{ field: 'startsOn', bucket: 'day', as: 'd', timeZone: 'Pacific/Kiritimati' }], metrics: {} });
      expect(row).toEqual({ d: '2024-03-31' });
      for (const timeZone of ['Mars/Olympus_Mons', '', '+01:00', 'CET', "UTC'; drop table conformance_item; --", 'Europe/Paris ', 42 as unknown as string]) {
        await expectError(ctx.adapter.aggregate({ ...item(t), groupBy: [{ field: 'occurredAt', bucket: 'day', as: 'd', timeZone }], metrics: {} }), 'VALIDATION_FAILED');
      }
    });
  });
}
