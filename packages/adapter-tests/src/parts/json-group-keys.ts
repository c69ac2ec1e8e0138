import type { Row } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';
import { valueAt } from '../reference.js';

const planArb = fc.constantFrom<unknown>('pro', 'free', 'Pro', '', 3, 0, -2.5, true, false, null, undefined, { tier: 1 }, ['a']);

/** Groups rows by the JSON value at `key` (missing and JSON null as one null group), sorted by its JSON text. */
function referenceGroups(rows: readonly Row[], key: string): Row[] {
  const groups = new Map<string, { value: unknown; n: number }>();
  for (const row of rows) {
    const value = valueAt(row, key);
    const text = JSON.stringify(value);
    groups.set(text, { value, n: (groups.get(text)?.n ?? 0) + 1 });
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => ({ [key]: g.value, n: g.n }));
}

const byJson = (rows: Row[], key: string) => [...rows].sort((a, b) => (JSON.stringify(a[key]) < JSON.stringify(b[key]) ? -1 : 1));

/**
 * `aggregate` grouped by a JSON path (`custom.plan`): one group per JSON
 * value, each key read back as that value (strings, numbers, booleans,
 * objects, arrays), missing keys and JSON null as one `null` group; nested
 * paths; against a JavaScript reference.
 */
export function describeJsonGroupKeys(options: ConformanceOptions): void {
  describePart('jsonGroupKeys', options, (ctx, test) => {
    test('groups by the JSON value at a path, as the reference does, for random values', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(planArb, planArb), { maxLength: 20 }), fc.constantFrom('custom.plan', 'custom.address.city'), async (values, key) => {
          const t = newTenant();
          const rows = values.map(([plan, city]) => {
            const custom: Record<string, unknown> = {};
            if (plan !== undefined) custom.plan = plan;
            if (city !== undefined) custom.address = { city };
            return itemRow({ custom });
          });
          if (rows.length > 0) await ctx.adapter.createMany({ ...item(t), rows });
          const result = await ctx.adapter.aggregate({ ...item(t), groupBy: [key], metrics: { n: { fn: 'count' } } });
          expect(byJson(result, key)).toEqual(referenceGroups(rows, key));
        }),
        { numRuns: 40 },
      );
    }, { timeout: 120_000, requires: (c) => c.jsonPaths });

    test('keeps true apart from 1 and "1", and combines with a field key and a where on the path', async () => {
      const t = newTenant();
      const plans: unknown[] = [true, 1, '1', true, 'pro'];
      await ctx.adapter.createMany({ ...item(t), rows: plans.map((plan, i) => itemRow({ name: i % 2 === 0 ? 'a' : 'b', custom: { plan } })) });
      const rows = await ctx.adapter.aggregate({ ...item(t), groupBy: ['custom.plan'], metrics: { n: { fn: 'count' } } });
      expect(byJson(rows, 'custom.plan')).toEqual([{ 'custom.plan': '1', n: 1 }, { 'custom.plan': 'pro', n: 1 }, { 'custom.plan': 1, n: 1 }, { 'custom.plan': true, n: 2 }]);
      const named = await ctx.adapter.aggregate({
        ...item(t), where: { 'custom.plan': { ne: 'pro' } }, groupBy: ['name', 'custom.plan'], metrics: { n: { fn: 'count' } }, orderBy: [{ key: 'name' }, { key: 'n' }],
      });
      // a holds true, '1' and 'pro' (filtered out); b holds 1 and true.
      expect(byJson(named.filter((r) => r.name === 'a'), 'custom.plan')).toEqual([{ name: 'a', 'custom.plan': '1', n: 1 }, { name: 'a', 'custom.plan': true, n: 1 }]);
      expect(byJson(named.filter((r) => r.name === 'b'), 'custom.plan')).toEqual([{ name: 'b', 'custom.plan': 1, n: 1 }, { name: 'b', 'custom.plan': true, n: 1 }]);
    }, { requires: (c) => c.jsonPaths });
  });
}
