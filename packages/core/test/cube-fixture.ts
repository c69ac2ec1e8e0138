import type { Case, CubeKey, CubeRow, CubeValue, Deal, Interaction, Money, Order, TenantScope } from '@crmkit/core';
import { expect } from 'vitest';
import { at, percentile, random } from './report-helpers.js';

/** Everything seeded into one tenant, read back through the public lists. */
export interface CubeSeed {
  /** Member id -> the ids of their teams. */
  teamsOf: Map<string, string[]>;
  teamIds: string[];
  deals: Deal[];
  orders: Order[];
  cases: Case[];
  interactions: Interaction[];
}

async function all<T>(list: (o: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Four members (Ann in North, Bob in North and South, Cid in South, Dee in
 * none), a pipeline, and deals, orders, cases and interactions at random
 * times over a quarter, with a `region` custom field on some of them.
 */
export async function seedCube(t: TenantScope, seed: number): Promise<CubeSeed> {
  const r = random(seed);
  const [north, south] = [await t.teams.create({ name: 'North' }), await t.teams.create({ name: 'South' })];
  const members = [
    await t.members.create({ name: 'Ann', teamIds: [north.id] }),
    await t.members.create({ name: 'Bob', teamIds: [north.id, south.id] }),
    await t.members.create({ name: 'Cid', teamIds: [south.id] }),
    await t.members.create({ name: 'Dee' }),
  ];
  const owner = () => (r.next() < 0.12 ? null : r.pick(members).id);
  const region = () => (r.next() < 0.2 ? {} : { custom: { region: r.pick(['east', 'west', 'north']) } });
  const when = () => at('2026-01-01T00:00:00.000Z', r.int(0, 60 * 24 * 90));
  const pipeline = await t.pipelines.create({
    name: 'Sales',
    stages: [{ name: 'Lead', probability: 10 }, { name: 'Offer', probability: 60 }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
  const contact = await t.contacts.create({ firstName: 'Ada' });
  for (let i = 0; i < 70; i++) {
    const stage = r.pick(['lead', 'offer', 'won', 'lost']);
    const enteredAt = when();
    await t.deals.create({
      title: `Deal ${i}`, pipelineId: pipeline.id, stage, amount: { minor: r.int(1, 900) * 50 + r.int(0, 1), currency: r.pick(['USD', 'USD', 'EUR']) },
      ownerId: owner(), enteredAt, ...(stage === 'won' || stage === 'lost' ? { closedAt: at(enteredAt, r.int(60, 60 * 24 * 40)) } : {}),
      ...(r.next() < 0.5 ? { source: r.pick(['web', 'event']) } : {}), ...region(),
    });
  }
  for (let i = 0; i < 60; i++) {
    await t.orders.create({
      contactId: contact.id, currency: r.pick(['USD', 'EUR']), placedAt: when(), channel: r.pick(['web', 'store', null]), ownerId: owner(),
      status: r.pick(['placed', 'paid', 'fulfilled', 'cancelled'] as const),
      lines: [{ name: 'Item', quantity: r.int(1, 3), unitPriceMinor: r.int(100, 9000) }], ...region(),
    });
  }
  for (let i = 0; i < 40; i++) {
    const openedAt = when();
    const answered = r.next() < 0.85;
    await t.cases.import({
      externalId: `t-${i}`, subject: `Ticket ${i}`, openedAt, priority: r.pick(['low', 'normal', 'high'] as const), ownerId: owner(),
      teamId: r.next() < 0.8 ? r.pick([north.id, south.id]) : null,
      messages: [{ from: 'customer', at: openedAt }, ...(answered ? [{ from: 'agent' as const, at: at(openedAt, r.int(1, 600)) }] : [])],
      ...(answered && r.next() < 0.8 ? { resolvedAt: at(openedAt, r.int(700, 5000)) } : {}), ...region(),
    });
  }
  for (let i = 0; i < 90; i++) {
    await t.interactions.log({
      type: r.pick(['call', 'email', 'meeting'] as const), occurredAt: when(), ownerId: owner(),
      durationSeconds: r.next() < 0.2 ? null : r.int(30, 3600), ...region(),
    });
  }
  return {
    teamsOf: new Map(members.map((m) => [m.id, m.teamIds])),
    teamIds: [north.id, south.id].sort(),
    deals: await all((o) => t.deals.list(o)),
    orders: await all((o) => t.orders.list(o)),
    cases: await all((o) => t.cases.list(o)),
    interactions: await all((o) => t.interactions.list(o)),
  };
}

/** The first day of the bucket holding an instant in a zone (a `YYYY-MM-DD` date as it is). */
export function bucketOf(value: string, bucket: 'day' | 'week' | 'month' | 'quarter' | 'year', timeZone: string): string {
  const day = value.length === 10 ? value : new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(value));
  const [y, m] = [day.slice(0, 4), Number(day.slice(5, 7))];
  if (bucket === 'day') return day;
  if (bucket === 'month') return `${day.slice(0, 7)}-01`;
  if (bucket === 'quarter') return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  if (bucket === 'year') return `${y}-01-01`;
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return new Date(ms - ((new Date(ms).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
}

/** A measure computed in the test: a function over the records of a cell, and its currency when it is money. */
export type Reference<R> = (records: R[], currency: string | undefined) => CubeValue | { raw: number; currency: string };

/** The numeric reference functions over a value of each record (nulls ignored, null without values). */
export function fnOf<R>(fn: string, value: (r: R) => number | null, money: boolean): Reference<R> {
  return (records, currency) => {
    const values = records.map(value).filter((v): v is number => v !== null);
    const compute = (): number | null => {
      if (values.length === 0) return null;
      if (fn === 'sum') return values.reduce((a, b) => a + b, 0);
      if (fn === 'avg') return values.reduce((a, b) => a + b, 0) / values.length;
      if (fn === 'min') return Math.min(...values);
      if (fn === 'max') return Math.max(...values);
      return percentile(values, fn === 'median' ? 0.5 : 0.9);
    };
    const raw = compute();
    if (!money || raw === null) return raw;
    // Sums and extremes of minor units are exact; averages and percentiles are rounded by the cube.
    return fn === 'sum' || fn === 'min' || fn === 'max' ? { minor: raw, currency: currency! } : { raw, currency: currency! };
  };
}

/**
 * The cube computed in JavaScript: each record lands in the cell of every
 * combination of its keys (several for an owner in two teams), cells are
 * ordered by their keys (null first, `team` last), measures computed per cell.
 */
export function referenceCube<R>(records: R[], keys: Record<string, (r: R) => CubeKey[]>, measures: Record<string, Reference<R>>) {
  const cells = new Map<string, { dimensions: Record<string, CubeKey>; records: R[] }>();
  const names = Object.keys(keys);
  for (const record of records) {
    let combos: Record<string, CubeKey>[] = [{}];
    for (const name of names) combos = combos.flatMap((c) => keys[name]!(record).map((v) => ({ ...c, [name]: v })));
    for (const dimensions of combos) {
      const id = JSON.stringify(names.map((n) => dimensions[n]));
      const cell = cells.get(id) ?? { dimensions, records: [] };
      cell.records.push(record);
      cells.set(id, cell);
    }
  }
  const order = [...names.filter((n) => n !== 'team'), ...names.filter((n) => n === 'team')];
  const compare = (a: CubeKey, b: CubeKey) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  return [...cells.values()]
    .sort((a, b) => order.reduce((c, n) => c || compare(a.dimensions[n]!, b.dimensions[n]!), 0))
    .map((cell) => ({
      dimensions: cell.dimensions,
      measures: Object.fromEntries(Object.entries(measures).map(([name, m]) => [name, m(cell.records, cell.dimensions.currency as string | undefined)])),
    }));
}

/** Checks cube rows against the reference: keys and order exactly, numbers to float precision, rounded money within half a unit. */
export function expectCube(actual: CubeRow[], expected: ReturnType<typeof referenceCube>, label: string): void {
  expect(actual.map((r) => r.dimensions), label).toEqual(expected.map((r) => r.dimensions));
  actual.forEach((row, i) => {
    for (const [name, want] of Object.entries(expected[i]!.measures)) {
      const got = row.measures[name];
      const where = `${label} ${JSON.stringify(row.dimensions)} ${name}`;
      if (want === null || typeof want === 'number') {
        if (want === null) expect(got, where).toBeNull();
        else expect(got as number, where).toBeCloseTo(want, 6);
      } else if ('raw' in want) {
        const money = got as Money;
        expect(money.currency, where).toBe(want.currency);
        expect(Number.isInteger(Number(money.minor)), where).toBe(true);
        expect(Math.abs(Number(money.minor) - want.raw), where).toBeLessThanOrEqual(0.5 + 1e-9);
      } else {
        expect(got, where).toEqual(want);
      }
    }
  });
}
