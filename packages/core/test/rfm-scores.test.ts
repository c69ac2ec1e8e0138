import {
  createCrm, type CrmEvent, type Storage, type StorageAdapter, type RfmCondition, type RfmCustomer, type RfmOptions, rfmSegments, type SegmentRule, type StoredRfmScore, type TenantScope, NotFoundError, ValidationError,
} from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Seeded, seedPurchases } from './customer-value-fixture.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

/** An adapter that records the rows of each write to crm_rfm_score and of each per-customer aggregate (grouped by contact, not regrouped) read through it. */
function recordingAdapter(adapter: StorageAdapter) {
  const seen = { written: [] as number[], read: [] as number[] };
  const wrap = <S extends Storage>(storage: S): S =>
    new Proxy(storage, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'constructor' || prop === 'compileMigrations') return value;
        if (prop === 'transaction') return (fn: (tx: Storage) => Promise<unknown>) => target.transaction((tx) => fn(wrap(tx)));
        return async (...args: unknown[]) => {
          const arg = args[0] as { model?: { table: string }; rows?: unknown[]; groupBy?: unknown[]; regroup?: unknown };
          if (prop === 'createMany' && arg.model?.table === 'crm_rfm_score') seen.written.push(arg.rows!.length);
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (prop === 'aggregate' && arg.groupBy?.includes('contactId') && !arg.regroup) seen.read.push((result as unknown[]).length);
          return result;
        };
      },
    });
  return { adapter: wrap(adapter), seen };
}
const sorted = (ids: Iterable<string>) => [...ids].sort();

/** Every customer of the report, paged with small pages. */
async function reportRows(t: TenantScope, options: RfmOptions) {
  const items: RfmCustomer[] = [];
  let cursor: string | undefined;
  for (;;) {
    const report = await t.reports.rfm({ ...options, limit: 9, ...(cursor ? { cursor } : {}) });
    items.push(...report.list.items);
    cursor = report.list.nextCursor;
    if (!cursor) return { report, items };
  }
}

/** The stored scores of every contact, read through the customer view. */
async function storedScores(t: TenantScope, seeded: Seeded): Promise<Map<string, StoredRfmScore | null>> {
  const out = new Map<string, StoredRfmScore | null>();
  for (const c of seeded.contacts) out.set(c.id, (await t.customers.view(c.id, { orders: 0, deals: 0, assets: 0, cases: 0, timeline: 1 })).rfm);
  return out;
}

/** The report's rows as the stored scores must read. */
function expectedScores(items: readonly RfmCustomer[], referenceDate: string, computedAt: string) {
  return items.map((c) => ({ ...c, referenceDate, computedAt }));
}

/** The members of a segment after a refresh, with the events it emitted. */
async function refreshed(t: TenantScope, id: string) {
  const entered: string[] = [];
  const left: string[] = [];
  const off = [
    t.events.on('segment.entered', (e: CrmEvent<'segment.entered'>) => void entered.push(e.data.contactId)),
    t.events.on('segment.left', (e: CrmEvent<'segment.left'>) => void left.push(e.data.contactId)),
  ];
  try {
    await t.segments.refresh(id);
  } finally {
    for (const stop of off) stop();
  }
  const members = await t.segments.members(id, { limit: 1000 });
  return { members: sorted(members.items.map((c) => c.id)), entered: sorted(entered), left: sorted(left) };
}

/** Whether a report row satisfies an rfm condition, by the rule's definition. */
function satisfies(c: RfmCustomer | undefined, cond: RfmCondition): boolean {
  if (cond.isNull !== undefined && cond.isNull !== (c === undefined)) return false;
  const parts = cond.segment !== undefined || cond.cell !== undefined || cond.r !== undefined || cond.f !== undefined || cond.m !== undefined;
  if (!parts) return true;
  if (c === undefined) return false;
  if (cond.segment && !cond.segment.includes(c.segment)) return false;
  if (cond.cell && !cond.cell.includes(c.cell)) return false;
  for (const key of ['r', 'f', 'm'] as const) {
    const cmp = cond[key];
    const v = c[key];
    if (!cmp) continue;
    if ((cmp.eq !== undefined && v !== cmp.eq) || (cmp.gte !== undefined && v < cmp.gte) || (cmp.gt !== undefined && v <= cmp.gt)) return false;
    if ((cmp.lt !== undefined && v >= cmp.lt) || (cmp.lte !== undefined && v > cmp.lte)) return false;
  }
  return true;
}

const scoreArb = fc.integer({ min: 1, max: 5 });
const opArb = fc.constantFrom('eq', 'gte', 'gt', 'lt', 'lte');
/** One comparison or a range: conditions narrow enough that most match some customers but not all. */
const comparisonArb = fc.oneof(
  fc.tuple(opArb, scoreArb).map(([op, v]) => ({ [op]: v })),
  fc.tuple(scoreArb, scoreArb).map(([a, b]) => ({ gte: Math.min(a, b), lte: Math.max(a, b) })),
);
/** Conditions of one or two parts; cells mostly those the customers have. */
function conditionArb(cells: readonly string[]): fc.Arbitrary<RfmCondition> {
  const cellArb = fc.oneof(fc.constantFrom(...cells), fc.tuple(scoreArb, scoreArb, scoreArb).map(([r, f, m]) => `${r}${f}${m}`));
  const parts = {
    segment: fc.uniqueArray(fc.constantFrom(...rfmSegments), { minLength: 1, maxLength: 3 }),
    cell: fc.uniqueArray(cellArb, { minLength: 1, maxLength: 4 }),
    r: comparisonArb, f: comparisonArb, m: comparisonArb, isNull: fc.boolean(),
  };
  return fc
    .uniqueArray(fc.constantFrom(...(Object.keys(parts) as (keyof typeof parts)[])), { minLength: 1, maxLength: 2 })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, parts[k]])) as { [K in keyof typeof parts]: (typeof parts)[K] }))
    .map((c) => ({ metric: 'rfm' as const, ...c }) as RfmCondition);
}

describe.each(targets)('materialised RFM scores ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const tenant = () => env.crm.tenant(`rfm-${process.pid}-${Date.now().toString(36)}-${++tenants}`);
  let t: TenantScope;
  let seeded: Seeded;

  beforeAll(async () => {
    if (target.skip) return;
    env = await target.open();
    t = tenant();
    seeded = await seedPurchases(t, 19);
  }, 60_000);
  afterAll(async () => {
    await env?.crm.close();
  });

  describe.skipIf(target.skip)('refreshRfmScores', () => {
    it('stores exactly the rows of reports.rfm, page by page, and shows them in the customer view', async () => {
      const done = await t.customers.refreshRfmScores({ currency: 'USD', batchSize: 4 });
      const { report, items } = await reportRows(t, { currency: 'USD' });
      expect(done).toEqual({ referenceDate: report.referenceDate, currency: 'USD', scored: report.customers, replaced: 0, computedAt: env.clock.now().toISOString() });
      expect(items.length).toBeGreaterThan(10);
      const stored = await storedScores(t, seeded);
      const byContact = new Map(expectedScores(items, report.referenceDate, done.computedAt).map((c) => [c.contactId, c]));
      for (const [contactId, score] of stored) expect(score, contactId).toEqual(byContact.get(contactId) ?? null);
      // Two contacts never ordered: no row.
      expect([...stored.values()].filter((s) => s === null).length).toBe(seeded.contacts.length - items.length);
    });

    it('reads and writes a page of customers at a time, whatever their number', async () => {
      const { adapter, seen } = recordingAdapter(env.adapter);
      const done = await (await createCrm({ adapter, clock: env.clock })).tenant(t.tenantId).customers.refreshRfmScores({ currency: 'USD', batchSize: 5 });
      expect(seen.written.reduce((a, b) => a + b, 0)).toBe(done.scored);
      expect(seen.written.length).toBe(Math.ceil(done.scored / 5));
      // A page and one more row (which tells whether another page follows), never every customer.
      expect(seen.read.length).toBe(seen.written.length);
      expect(Math.max(...seen.read)).toBe(6);
      expect(Math.max(...seen.written)).toBe(5);
    });

    it('replaces the previous scores: customers who no longer qualify lose their row', async () => {
      await t.customers.refreshRfmScores({ currency: 'USD' });
      const before = await reportRows(t, { currency: 'USD' });
      env.clock.advance(60_000);
      const options = { currency: 'USD', referenceDate: '2025-06-01', statuses: ['paid', 'fulfilled'] as ('paid' | 'fulfilled')[] } satisfies RfmOptions;
      const done = await t.customers.refreshRfmScores({ ...options, batchSize: 3 });
      const { report, items } = await reportRows(t, options);
      expect(done).toMatchObject({ referenceDate: '2025-06-01', scored: items.length, replaced: before.items.length });
      expect(items.length).toBeLessThan(before.items.length);
      const stored = await storedScores(t, seeded);
      const byContact = new Map(expectedScores(items, report.referenceDate, done.computedAt).map((c) => [c.contactId, c]));
      for (const [contactId, score] of stored) expect(score, contactId).toEqual(byContact.get(contactId) ?? null);
      await t.customers.refreshRfmScores({ currency: 'USD' });
    });

    it('stores nothing for a tenant without orders, and leaves other tenants alone', async () => {
      const other = tenant();
      const ada = await other.contacts.create({ firstName: 'Ada' });
      const done = await other.customers.refreshRfmScores();
      expect(done).toEqual({ referenceDate: env.clock.now().toISOString().slice(0, 10), currency: null, scored: 0, replaced: 0, computedAt: env.clock.now().toISOString() });
      expect((await other.customers.view(ada.id)).rfm).toBeNull();
      // The first tenant's contacts are invisible to the other's rule, and its scores stay.
      const all = await other.segments.create({ name: 'Scored', rule: { $metric: { metric: 'rfm', isNull: false } } });
      expect((await refreshed(other, all.id)).members).toEqual([]);
      const { items } = await reportRows(t, { currency: 'USD' });
      const mine = await t.segments.create({ name: `Scored ${tenants}`, rule: { $metric: { metric: 'rfm', isNull: false } } });
      expect(await t.segments.count(mine.id, { live: true })).toBe(items.length);
      await expect(other.customers.view(seeded.contacts[5]!.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('joins a host transaction and rolls back with it', async () => {
      const { items } = await reportRows(t, { currency: 'USD' });
      const scored = await t.segments.create({ name: `All scored ${tenants}`, rule: { $metric: { metric: 'rfm', isNull: false } } });
      await expect(env.crm.transaction(async (tx) => {
        const inside = tx.tenant(t.tenantId);
        const done = await inside.customers.refreshRfmScores({ currency: 'USD', referenceDate: '2025-02-01' });
        expect(done.replaced).toBe(items.length);
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
      expect(await t.segments.count(scored.id, { live: true })).toBe(items.length);
    });

    it.skipIf(target.name === 'sqlite')('runs two refreshes of one tenant at once one after the other, the later winning', async () => {
      const [a, b] = await Promise.all([t.customers.refreshRfmScores({ currency: 'USD' }), t.customers.refreshRfmScores({ currency: 'USD', batchSize: 5 })]);
      expect(a.scored).toBe(b.scored);
      const { report, items } = await reportRows(t, { currency: 'USD' });
      const stored = await storedScores(t, seeded);
      const byContact = new Map(expectedScores(items, report.referenceDate, b.computedAt).map((c) => [c.contactId, c]));
      for (const [contactId, score] of stored) expect(score, contactId).toEqual(byContact.get(contactId) ?? null);
    });

    it('refuses invalid options', async () => {
      for (const bad of [{ batchSize: 0 }, { batchSize: 1001 }, { currency: 'US' }, { referenceDate: '2026-02-30' }, { statuses: ['gone'] }, { cell: '555' }, { limit: 5 }]) {
        await expect(t.customers.refreshRfmScores(bad as never), JSON.stringify(bad)).rejects.toBeInstanceOf(ValidationError);
      }
      // Orders in USD and EUR: M needs a currency.
      await expect(t.customers.refreshRfmScores()).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe.skipIf(target.skip)('segments on the rfm metric', () => {
    it("has exactly the report's champions, announces them, and follows the next refresh of the scores", async () => {
      await t.customers.refreshRfmScores({ currency: 'USD' });
      const champions = await t.segments.create({ name: 'Champions', rule: { $metric: { metric: 'rfm', segment: ['champions'] } } });
      const expected = sorted((await reportRows(t, { currency: 'USD', segment: 'champions' })).items.map((c) => c.contactId));
      expect(expected.length).toBeGreaterThan(0);
      expect(await refreshed(t, champions.id)).toEqual({ members: expected, entered: expected, left: [] });

      await t.customers.refreshRfmScores({ currency: 'USD', referenceDate: '2025-09-01' });
      const later = sorted((await reportRows(t, { currency: 'USD', referenceDate: '2025-09-01', segment: 'champions' })).items.map((c) => c.contactId));
      expect(await refreshed(t, champions.id)).toEqual({
        members: later, entered: later.filter((id) => !expected.includes(id)), left: expected.filter((id) => !later.includes(id)),
      });
      await t.customers.refreshRfmScores({ currency: 'USD' });
    });

    it('matches what the rule says for any condition, contacts without scores only where it says so', async () => {
      await t.customers.refreshRfmScores({ currency: 'USD' });
      const { items } = await reportRows(t, { currency: 'USD' });
      const byContact = new Map(items.map((c) => [c.contactId, c]));
      let n = 0;
      let varied = 0;
      await fc.assert(
        fc.asyncProperty(conditionArb([...new Set(items.map((c) => c.cell))]), fc.boolean(), async (cond, negate) => {
          const rule: SegmentRule = negate ? { not: { $metric: cond } } : { $metric: cond };
          const segment = await t.segments.create({ name: `Property ${++n}`, rule });
          const want = seeded.contacts.filter((c) => satisfies(byContact.get(c.id), cond) !== negate).length;
          expect(await t.segments.count(segment.id, { live: true }), JSON.stringify(rule)).toBe(want);
          if (want > 0 && want < seeded.contacts.length) varied++;
          await t.segments.delete(segment.id);
        }),
        { numRuns: target.name === 'sqlite' ? 60 : 25 },
      );
      // Most conditions split the contacts: the property is not met by "everyone" and "no one" alone.
      expect(varied).toBeGreaterThan(target.name === 'sqlite' ? 20 : 8);
    });

    it('combines with contact fields and the other metrics', async () => {
      const { items } = await reportRows(t, { currency: 'USD' });
      const atRisk = new Set(items.filter((c) => c.r <= 2 && c.m >= 4).map((c) => c.contactId));
      const withCompany = new Set(seeded.contacts.filter((c) => c.companyId !== null).map((c) => c.id));
      const segment = await t.segments.create({
        name: 'Slipping big spenders at companies',
        rule: { companyId: { ne: null }, $metric: { metric: 'rfm', r: { lte: 2 }, m: { gte: 4 } } },
      });
      const { members } = await refreshed(t, segment.id);
      expect(members).toEqual(sorted([...atRisk].filter((id) => withCompany.has(id))));
    });

    it('refuses malformed rfm conditions', async () => {
      const poisons: unknown[] = [
        { metric: 'rfm' }, { metric: 'rfm', segment: [] }, { metric: 'rfm', segment: ['vip'] }, { metric: 'rfm', cell: ['556'] },
        { metric: 'rfm', cell: ['55'] }, { metric: 'rfm', cell: [555] }, { metric: 'rfm', r: {} }, { metric: 'rfm', r: { gte: 0 } },
        { metric: 'rfm', f: { lte: 6 } }, { metric: 'rfm', m: { gte: 2.5 } }, { metric: 'rfm', m: { ne: 2 } }, { metric: 'rfm', r: 3 },
        { metric: 'rfm', segment: 'champions' }, { metric: 'rfm', isNull: 'yes' }, { metric: 'rfm', segment: ['champions'], currency: 'USD' },
        { metric: 'rfm', cell: Array.from({ length: 126 }, () => '111') },
      ];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...poisons), fc.constantFrom<unknown>({}, { lifecycleStage: 'lead' }), fc.boolean(), async (bad, beside, nested) => {
          const rule = nested ? { or: [beside, { not: { $metric: bad } }] } : { ...(beside as object), $metric: bad };
          await expect(t.segments.create({ name: 'Bad', rule: rule as SegmentRule })).rejects.toBeInstanceOf(ValidationError);
        }),
        { numRuns: 40 },
      );
      expect((await t.segments.list({ where: { name: 'Bad' } })).items).toEqual([]);
    });
  });
});
