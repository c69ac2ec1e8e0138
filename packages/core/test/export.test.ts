import { Writable } from 'node:stream';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, entities, type EntityName, ManualClock, NotFoundError, type StorageAdapter, type TenantScope, ValidationError } from '@crmkit/core';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const customFields = { contact: z.object({ tier: z.enum(['gold', 'silver']).optional(), note: z.string().optional() }) };

/** The whole export as one string. */
async function text(iterable: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += chunk;
  return out;
}

/** An export parsed back as records keyed by header. */
async function csvRecords(iterable: AsyncIterable<string>): Promise<Record<string, string>[]> {
  return parse(await text(iterable), { columns: true }) as Record<string, string>[];
}

const deals = {
  mapping: {
    columns: {
      Title: 'title', Amount: 'amount.minor', Currency: 'amount.currency', Company: 'company.domain', Owner: 'owner.email',
      Pipeline: 'pipeline.name', Stage: 'stage.key', Ignored: null, Region: 'custom.region',
    },
  },
};

/** A tenant with a pipeline, two owners, two companies and `n` deals spread over them. */
async function seedDeals(t: TenantScope, n: number) {
  const owners = [await t.members.create({ name: 'Ann', email: 'ann@x.io' }), await t.members.create({ name: 'Bob', email: 'bob@x.io' })];
  const companies = [await t.companies.create({ name: 'Acme', domain: 'acme.io' }), await t.companies.create({ name: 'Globex', domain: 'globex.io' })];
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  const created = [];
  for (let i = 0; i < n; i++) {
    created.push(
      await t.deals.create({
        title: `Deal ${i}`, pipelineId: pipeline.id, amount: { minor: 1000 * i, currency: 'EUR' },
        ...(i % 3 === 2 ? {} : { companyId: companies[i % 2]!.id, ownerId: owners[i % 2]!.id }),
        custom: { region: i % 2 === 0 ? 'north' : 'south' },
      }),
    );
  }
  return { owners, companies, pipeline, deals: created };
}

describe.each(targets)('exports ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const tenant = () => env.crm.tenant(`exp-${process.pid}-${Date.now().toString(36)}-${++tenants}`);

  beforeAll(async () => {
    if (!target.skip) env = await target.open({ customFields });
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('exports every field by default, custom fields as custom.x columns, with a header row', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io', tags: ['vip'], birthDate: '1990-05-01', custom: { tier: 'gold' } });
    const [row, ...rest] = await csvRecords(t.exports.stream('contact'));
    expect(rest).toEqual([]);
    expect(Object.keys(row!)).toEqual(expect.arrayContaining(['id', 'createdAt', 'firstName', 'email', 'custom.tier', 'custom.note', 'tags']));
    expect(Object.keys(row!)).not.toContain('tenantId');
    expect(row).toMatchObject({ id: ada.id, firstName: 'Ada', email: 'ada@acme.io', 'custom.tier': 'gold', 'custom.note': '', birthDate: '1990-05-01' });
    expect(row!.createdAt).toBe(ada.createdAt);
    expect(JSON.parse(row!.tags!)).toEqual(['vip']);
    // An empty export is still a header row.
    expect(await text(tenant().exports.stream('contact', { fields: ['id', 'email'] }))).toBe('id,email\n');
  });

  it.skipIf(target.skip)('exports every entity of the registry with a header of its fields', async () => {
    const t = tenant();
    await seedDeals(t, 2);
    for (const name of Object.keys(entities) as EntityName[]) {
      const csv = await text(t.exports.stream(name));
      const [header, ...rows] = parse(csv) as string[][];
      expect(header, name).toContain('id');
      expect(rows.length, name).toBe(await t.exports.count(name));
    }
  });

  it.skipIf(target.skip)('maps columns like an import, with references as natural keys and money in minor units', async () => {
    const t = tenant();
    const seeded = await seedDeals(t, 7);
    const rows = await csvRecords(t.exports.stream('deal', { ...deals, pageSize: 3 }));
    expect(rows.map((r) => Object.keys(r))[0]).toEqual(['Title', 'Amount', 'Currency', 'Company', 'Owner', 'Pipeline', 'Stage', 'Region']);
    expect(rows).toEqual(
      seeded.deals.map((d, i) => ({
        Title: d.title, Amount: String(1000 * i), Currency: 'EUR',
        Company: i % 3 === 2 ? '' : ['acme.io', 'globex.io'][i % 2], Owner: i % 3 === 2 ? '' : ['ann@x.io', 'bob@x.io'][i % 2],
        Pipeline: 'Sales', Stage: 'qualification', Region: i % 2 === 0 ? 'north' : 'south',
      })),
    );
  });

  it.skipIf(target.skip)('writes NDJSON keyed by the same headers, with typed values', async () => {
    const t = tenant();
    await seedDeals(t, 2);
    const big = await t.companies.create({ name: 'Huge', annualRevenue: { minor: 2n ** 60n, currency: 'USD' } });
    const lines = (await text(t.exports.stream('deal', { ...deals, format: 'ndjson' }))).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toEqual({
      Title: 'Deal 1', Amount: 1000, Currency: 'EUR', Company: 'globex.io', Owner: 'bob@x.io', Pipeline: 'Sales', Stage: 'qualification', Region: 'south',
    });
    const companies = (await text(t.exports.stream('company', { format: 'ndjson', fields: ['name', 'annualRevenue.minor'], where: { id: big.id } })))
      .trimEnd().split('\n').map((l) => JSON.parse(l));
    // Past 2^53 a JSON number would be read back rounded: the minor units come as a decimal string.
    expect(companies).toEqual([{ name: 'Huge', 'annualRevenue.minor': (2n ** 60n).toString() }]);
    const csv = await csvRecords(t.exports.stream('company', { fields: ['annualRevenue.minor'], where: { id: big.id } }));
    expect(csv).toEqual([{ 'annualRevenue.minor': (2n ** 60n).toString() }]);
  });

  it.skipIf(target.skip)('filters with where and chooses columns with fields, also out of a mapping', async () => {
    const t = tenant();
    await seedDeals(t, 6);
    const north = await csvRecords(t.exports.stream('deal', { ...deals, fields: ['title', 'company.domain'], where: { 'custom.region': 'north' } }));
    expect(north).toEqual([
      { Title: 'Deal 0', Company: 'acme.io' },
      { Title: 'Deal 2', Company: '' },
      { Title: 'Deal 4', Company: 'acme.io' },
    ]);
    const big = await csvRecords(t.exports.stream('deal', { fields: ['title', 'amount.minor'], where: { amountMinor: { gte: 4000 } } }));
    expect(big).toEqual([{ title: 'Deal 4', 'amount.minor': '4000' }, { title: 'Deal 5', 'amount.minor': '5000' }]);
  });

  it.skipIf(target.skip)("exports a segment's members as contacts, and only this tenant's", async () => {
    const t = tenant();
    const other = tenant();
    const contacts = [];
    for (let i = 0; i < 9; i++) contacts.push(await t.contacts.create({ firstName: `P${i}`, lifecycleStage: i % 2 ? 'customer' : 'lead' }));
    await other.contacts.create({ firstName: 'Elsewhere' });
    const list = await t.segments.create({ name: 'List', kind: 'static' });
    const chosen = [contacts[1]!, contacts[4]!, contacts[5]!, contacts[8]!];
    await t.segments.addMembers(list.id, chosen.map((c) => c.id));
    const rows = await csvRecords(t.exports.stream({ segmentId: list.id }, { fields: ['id', 'firstName'], pageSize: 2 }));
    expect(rows).toEqual(chosen.map((c) => ({ id: c.id, firstName: c.firstName })));
    const customers = await csvRecords(t.exports.stream({ segmentId: list.id }, { fields: ['firstName'], where: { lifecycleStage: 'customer' } }));
    expect(customers.map((r) => r.firstName)).toEqual(['P1', 'P5']);
    expect(await t.exports.count({ segmentId: list.id })).toBe(4);
    // The segment belongs to t: from another tenant it does not exist.
    await expect(text(other.exports.stream({ segmentId: list.id }))).rejects.toBeInstanceOf(NotFoundError);
    const everyone = await csvRecords(other.exports.stream('contact', { fields: ['firstName'] }));
    expect(everyone).toEqual([{ firstName: 'Elsewhere' }]);
  });

  it.skipIf(target.skip)('writes into a stream no faster than it drains', async () => {
    const t = tenant();
    await t.contacts.create({ firstName: 'First' });
    for (let i = 0; i < 120; i++) await t.contacts.create({ firstName: `Contact number ${i}`, custom: { note: 'x'.repeat(50) } });
    const highWaterMark = 256;
    let received = '';
    let waitedFor = 0;
    const slow = new Writable({
      highWaterMark, decodeStrings: false,
      write(chunk: string, _encoding, done) {
        received += chunk;
        setImmediate(done);
      },
    });
    const write = slow.write.bind(slow);
    slow.write = ((chunk: string) => {
      // The exporter only writes again once what it wrote before has drained below the mark.
      expect(slow.writableLength).toBeLessThan(highWaterMark);
      const ok = write(chunk);
      if (!ok) waitedFor++;
      return ok;
    }) as typeof slow.write;
    const progress: number[] = [];
    const { rows } = await t.exports.toWritable('contact', slow, { fields: ['firstName', 'custom.note'], pageSize: 10, onProgress: (p) => progress.push(p.rows) });
    expect(rows).toBe(121);
    expect(waitedFor).toBeGreaterThan(5);
    expect(progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 121]);
    expect(received).toBe(await text(t.exports.stream('contact', { fields: ['firstName', 'custom.note'] })));
  });

  it.skipIf(target.skip)('refuses unknown entities, field paths and filters before reading', async () => {
    const t = tenant();
    expect(() => t.exports.stream('nope' as 'contact')).toThrow(ValidationError);
    expect(() => t.exports.stream('contact', { fields: ['shoeSize'] })).toThrow(/shoeSize/);
    expect(() => t.exports.stream('contact', { fields: ['company.logo'] })).toThrow(ValidationError);
    expect(() => t.exports.stream('deal', { mapping: { columns: { A: null } } })).toThrow(ValidationError);
    expect(() => t.exports.stream('contact', { pageSize: 0 })).toThrow(ValidationError);
    expect(() => t.exports.stream('contact', { where: { id: { inQuery: { model: {} as never, field: 'id' } } } })).toThrow(ValidationError);
    await expect(text(t.exports.stream('contact', { where: { shoeSize: 44 } }))).rejects.toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('quotes commas, quotes and line breaks so that every value parses back identical', async () => {
    const t = tenant();
    const tricky = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', ';', '"', "'", '\n', '\r', '\t', '=', '\\'), maxLength: 12 });
    const value = fc.oneof(tricky, fc.string({ maxLength: 20 }));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 4 }), async (notes) => {
        const tier = `run-${++run}`;
        for (const note of notes) await t.contacts.create({ firstName: 'Q', custom: { note, tier: 'gold' }, tags: [tier] });
        const rows = await csvRecords(t.exports.stream('contact', { fields: ['custom.note', 'tags'], where: { tags: { has: tier } } }));
        expect(rows.map((r) => r['custom.note'])).toEqual(notes);
      }),
      { numRuns: 30 },
    );
  });
});

describe('exports read references once per page', () => {
  it('issues one query per page for the records and one per reference kind', async () => {
    const adapter = sqliteAdapter({ filename: ':memory:' });
    const reads = new Map<string, number>();
    const counting = new Proxy(adapter, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (property === 'findMany') {
          return (args: { model: { name: string } }) => {
            reads.set(args.model.name, (reads.get(args.model.name) ?? 0) + 1);
            return adapter.findMany(args as never);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as StorageAdapter;
    const crm = await createCrm({ adapter: counting, clock: new ManualClock('2026-03-02T09:00:00.000Z') });
    await crm.migrate();
    const t = crm.tenant('refs');
    await seedDeals(t, 25);
    reads.clear();
    const rows = await csvRecords(t.exports.stream('deal', { fields: ['title', 'company.domain', 'company.name', 'owner.email', 'stage.key'], pageSize: 10 }));
    expect(rows).toHaveLength(25);
    // 3 pages of deals; per page one query for companies (domain and name together), members and stages.
    expect(Object.fromEntries(reads)).toEqual({ deal: 3, company: 3, member: 3, stage: 3 });
    await crm.close();
  });
});
