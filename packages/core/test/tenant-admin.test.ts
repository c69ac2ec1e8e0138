import { PGlite } from '@electric-sql/pglite';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import {
  type Crm, ManualClock, type ModelDefinition, type Row, StateError, type StorageAdapter, ValidationError, coreModels, createCrm,
} from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const models: ModelDefinition[] = Object.values(coreModels);
const big = 2n ** 60n + 7n; // beyond 2^53: a number would round it

/** A fresh database of another kind, to restore into. */
async function freshCrm(kind: 'sqlite' | 'pglite'): Promise<Crm> {
  const adapter = kind === 'sqlite' ? sqliteAdapter({ filename: ':memory:' }) : postgresAdapter({ pglite: new PGlite() });
  const crm = await createCrm({ adapter, clock: new ManualClock('2026-04-01T00:00:00.000Z') });
  await crm.migrate();
  return crm;
}

/** Every row of the tenant, by model name, in id order (tenantId left out). */
async function dump(adapter: StorageAdapter, tenantId: string): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const model of models) {
    const rows = await adapter.findMany({ model, tenantId, orderBy: [{ field: 'id' }] });
    out[model.name] = rows.map(({ tenantId: _, ...rest }) => rest);
  }
  return out;
}

function renamed(value: unknown, from: string, to: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, from, to));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'tenantId' && v === from ? to : renamed(v, from, to)]));
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** A tenant with a bit of everything: members, companies, contacts, deals with lines and history, orders, cases, tasks. */
async function seed(env: CrmOnTarget, tenantId: string): Promise<void> {
  const t = env.crm.tenant(tenantId);
  const rep = await t.members.create({ name: 'Rep', email: `rep@${tenantId}.io` });
  const acme = await t.companies.create({ name: 'Acme', domain: `${tenantId}.io`, annualRevenue: { minor: big, currency: 'USD' }, tags: ['vip'] });
  const ada = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', email: `ada@${tenantId}.io`, companyId: acme.id, ownerId: rep.id, tags: ['lead', 'é ✓'] });
  await t.contacts.create({ firstName: 'Bob', email: null });
  const printer = await t.products.create({ name: 'Printer', price: { minor: 30_000, currency: 'USD' }, warrantyMonths: 24 });
  const sales = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  const deal = await t.deals.create({
    title: 'Renewal', pipelineId: sales.id, companyId: acme.id, contactIds: [ada.id], amount: { minor: 30_001, currency: 'USD' },
    lines: [{ productId: printer.id, unitPriceMinor: 30_000 }, { productId: null, name: 'Fee', unitPriceMinor: 1 }],
  });
  env.clock.advance(60_000);
  await t.deals.moveToStage(deal.id, sales.stages[1]!.id);
  await t.orders.create({ contactId: ada.id, companyId: acme.id, currency: 'USD', placedAt: '2026-01-31T18:00:00Z', lines: [{ productId: printer.id, quantity: 2 }] });
  await t.cases.create({ subject: 'Printer jams', contactId: ada.id });
  await t.tasks.create({ title: 'Call back', assigneeId: rep.id, priority: 'high', dueAt: '2026-03-05T10:00:00Z' });
  await t.interactions.log({ type: 'call', direction: 'outbound', contactIds: [ada.id], dealId: deal.id, durationSeconds: 90 });
}

describe.each(targets)('tenant administration ($name)', (target) => {
  let env: CrmOnTarget;
  let n = 0;
  const tenant = (name: string) => `${name}-${process.pid}-${++n}`;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  const run = it.skipIf(target.skip);

  run('backs a tenant up and restores it into a fresh database of each kind, every row equal', async () => {
    const id = tenant('acme');
    await seed(env, id);
    const before = await dump(env.adapter, id);
    for (const name of ['member', 'company', 'contact', 'deal', 'dealLine', 'stageChange', 'order', 'orderLine', 'case', 'task', 'interaction', 'auditEntry', 'event']) {
      expect(before[name]!.length, name).toBeGreaterThan(0);
    }
    expect(before.company![0]!.annualRevenueMinor).toBe(big);
    const lines = await collect(env.crm.tenants.backup(id));
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'crmkit-tenant-backup', version: 1, tenantId: id });
    for (const kind of ['sqlite', 'pglite'] as const) {
      const other = await freshCrm(kind);
      try {
        // Chunks split anywhere, as a file stream's would.
        const bytes = new TextEncoder().encode(lines.join(''));
        const chunks = Array.from({ length: Math.ceil(bytes.length / 97) }, (_, i) => bytes.subarray(i * 97, (i + 1) * 97));
        const result = await other.tenants.restore(chunks);
        expect(result.tenantId).toBe(id);
        expect(result.rows.contact).toBe(2);
        expect(await dump(other.adapter, id), kind).toEqual(before);
        // The restored outbox is a log of the new database: its reader sees every restored event.
        const log = await other.adapter.readLog({ model: coreModels.event, limit: 10_000 });
        expect(log.rows.map((r) => r.id)).toEqual(before.event!.map((r) => r.id));
        // And the restored tenant works: the case sequence went on from the restored counter.
        expect((await other.tenant(id).cases.create({ subject: 'Again' })).number).toBe(2);
      } finally {
        await other.close();
      }
    }
  });

  run('restores under another tenant id next to the original, renaming tenant ids inside JSON', async () => {
    const id = tenant('src');
    const copy = tenant('copy');
    await seed(env, id);
    const lines = await collect(env.crm.tenants.backup(id));
    await env.crm.tenants.restore(lines.join(''), { tenantId: copy });
    const original = await dump(env.adapter, id);
    expect(await dump(env.adapter, copy)).toEqual(renamed(original, id, copy));
    const event = (await dump(env.adapter, copy)).event![0]!;
    expect((event.data as { record: { tenantId: string } }).record.tenantId).toBe(copy);
  });

  run('refuses to restore into a tenant that has rows, writing nothing', async () => {
    const id = tenant('full');
    await seed(env, id);
    const before = await dump(env.adapter, id);
    const lines = await collect(env.crm.tenants.backup(id));
    await expect(env.crm.tenants.restore(lines.join(''))).rejects.toBeInstanceOf(StateError);
    const busy = tenant('busy');
    await env.crm.tenant(busy).companies.create({ name: 'Already here' });
    await expect(env.crm.tenants.restore(lines.join(''), { tenantId: busy })).rejects.toBeInstanceOf(StateError);
    expect(await dump(env.adapter, id)).toEqual(before);
    expect((await dump(env.adapter, busy)).contact).toEqual([]);
  });

  run('refuses malformed, truncated and foreign backups, all or nothing', async () => {
    const id = tenant('bad');
    await seed(env, id);
    const lines = await collect(env.crm.tenants.backup(id));
    const target = tenant('target');
    const attempts: string[] = [
      '',
      'not json\n',
      lines.slice(0, -1).join(''), // no end line
      lines.slice(0, 3).concat(lines.at(-1)!).join(''), // end line counts more rows
      [lines[0], '{"model":"nope","row":{}}\n', lines.at(-1)].join(''),
      [lines[0], '{"model":"contact","row":{"unknownField":1}}\n', lines.at(-1)].join(''),
      lines.join('').replace('"version":1', '"version":99'),
      lines.join('').replace(/"migrations":\["[^"]+"/, '"migrations":["9999_future"'),
      lines.join('') + lines[1],
    ];
    for (const text of attempts) {
      await expect(env.crm.tenants.restore(text, { tenantId: target }), text.slice(0, 80)).rejects.toBeInstanceOf(ValidationError);
      expect(Object.values(await dump(env.adapter, target)).flat()).toEqual([]);
    }
    await expect(env.crm.tenants.restore(42 as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(env.crm.tenants.restore('', { batchSize: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  run('deletes every row of a tenant, leaves other tenants alone, and is idempotent', async () => {
    const gone = tenant('gone');
    const kept = tenant('kept');
    await seed(env, gone);
    await seed(env, kept);
    const keptBefore = await dump(env.adapter, kept);
    const deleted = await env.crm.tenants.delete(gone);
    expect(deleted.contact).toBe(2);
    expect(deleted.event).toBeGreaterThan(0);
    expect(Object.values(await dump(env.adapter, gone)).flat()).toEqual([]);
    expect(await dump(env.adapter, kept)).toEqual(keptBefore);
    expect(await env.crm.tenants.delete(gone)).toEqual({});
    await expect(env.crm.tenants.delete('')).rejects.toBeInstanceOf(ValidationError);
    expect(() => env.crm.tenants.backup('has space')).toThrow(ValidationError);
  });
});

describe('tenant backup memory', () => {
  it('reads keyset pages of pageSize rows, one page ahead of what it yields', async () => {
    const inner = sqliteAdapter({ filename: ':memory:' });
    const calls: { model: string; limit: number | undefined }[] = [];
    const adapter = new Proxy(inner, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'findMany') {
          return (args: { model: ModelDefinition; limit?: number }) => {
            calls.push({ model: args.model.name, limit: args.limit });
            return target.findMany(args as never);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const crm = await createCrm({ adapter, clock: new ManualClock('2026-03-02T09:00:00.000Z') });
    await crm.migrate();
    const t = crm.tenant('paged');
    await t.contacts.createMany(Array.from({ length: 25 }, (_, i) => ({ firstName: `C${i}` })));
    calls.length = 0;
    const lines = crm.tenants.backup('paged', { pageSize: 10 })[Symbol.asyncIterator]();
    let seen = 0;
    let next = await lines.next();
    while (!next.done) {
      if (next.value.includes('"model":"contact"') && ++seen === 1) {
        // The first contact line came from the first page: nothing more was read.
        expect(calls.filter((c) => c.model === 'contact')).toHaveLength(1);
      }
      next = await lines.next();
    }
    expect(seen).toBe(25);
    expect(calls.filter((c) => c.model === 'contact')).toHaveLength(3); // 10 + 10 + 5
    expect(new Set(calls.map((c) => c.limit))).toEqual(new Set([10]));
    await crm.close();
  });
});
