import { type TenantScope, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const secret = 'a shared secret of the test servers';

/** Awaits a call that must fail with a ValidationError about its cursor, never another error nor a page. */
async function refusesCursor(call: Promise<unknown>, cursor: string): Promise<void> {
  const outcome = await call.then((page) => ({ page }), (error: unknown) => ({ error }));
  expect('error' in outcome, `accepted ${JSON.stringify(cursor)}`).toBe(true);
  const { error } = outcome as { error: unknown };
  expect(error, String(error)).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues[0]?.path).toEqual(['cursor']);
}

const base64url = (value: string) => Buffer.from(value, 'utf8').toString('base64url');

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`page cursors (${target.name})`, () => {
    let env: CrmOnTarget;
    let t: TenantScope;
    let contactId: string;
    /** Every cursor the lists below handed out, by list. */
    const issued = { byName: [] as string[], byCreated: [] as string[], deals: [] as string[], timeline: [] as string[], otherTenant: [] as string[] };

    beforeAll(async () => {
      env = await target.open({ cursorSecret: secret });
      t = env.crm.tenant('acme');
      await t.contacts.createMany(['Lovelace', 'Turing', 'Hopper', 'Hamilton', 'Liskov', 'Knuth', 'Ritchie'].map((lastName) => ({ lastName })));
      contactId = (await t.contacts.list({ limit: 1 })).items[0]!.id;
      const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
      for (let i = 0; i < 4; i++) {
        env.clock.advance(60_000);
        await t.deals.create({ title: `Deal ${i}`, pipelineId: pipeline.id, contactIds: [contactId] });
      }
      const other = env.crm.tenant('globex');
      await other.contacts.createMany([{ lastName: 'A' }, { lastName: 'B' }, { lastName: 'C' }]);
      const collect = async (into: string[], next: (cursor?: string) => Promise<{ nextCursor?: string }>) => {
        let cursor: string | undefined;
        do {
          cursor = (await next(cursor)).nextCursor;
          if (cursor) into.push(cursor);
        } while (cursor);
      };
      await collect(issued.byName, (cursor) => t.contacts.list({ orderBy: { lastName: 'asc' }, limit: 2, ...(cursor ? { cursor } : {}) }));
      await collect(issued.byCreated, (cursor) => t.contacts.list({ orderBy: { createdAt: 'desc' }, limit: 2, ...(cursor ? { cursor } : {}) }));
      await collect(issued.deals, (cursor) => t.deals.list({ orderBy: { createdAt: 'desc' }, limit: 1, ...(cursor ? { cursor } : {}) }));
      await collect(issued.timeline, (cursor) => t.timeline.forContact(contactId, { limit: 2, ...(cursor ? { cursor } : {}) }));
      await collect(issued.otherTenant, (cursor) => other.contacts.list({ orderBy: { lastName: 'asc' }, limit: 1, ...(cursor ? { cursor } : {}) }));
    }, 60_000);
    afterAll(() => env?.crm.close());

    const byName = (cursor: string) => t.contacts.list({ orderBy: { lastName: 'asc' }, limit: 2, cursor });

    it('hands out cursors that continue their own list', async () => {
      expect(issued.byName).toHaveLength(3);
      const second = await byName(issued.byName[0]!);
      expect(second.items.map((c) => c.lastName)).toEqual(['Knuth', 'Liskov']);
      expect(issued.timeline.length).toBeGreaterThan(0);
    });

    it("refuses every other list's cursors: another ordering, entity, tenant or kind of list", async () => {
      for (const cursor of [...issued.byCreated, ...issued.deals, ...issued.timeline, ...issued.otherTenant]) {
        await refusesCursor(byName(cursor), cursor);
      }
      for (const cursor of [...issued.byName, ...issued.deals]) {
        await refusesCursor(t.timeline.forContact(contactId, { cursor }), cursor);
        await refusesCursor(t.timeline.forCompany(contactId, { cursor }), cursor);
      }
    });

    it('accepts a cursor on another Crm with the same cursorSecret and refuses it with another one', async () => {
      const same = await target.open({ cursorSecret: secret });
      const other = await target.open({ cursorSecret: 'another secret of sixteen bytes' });
      const defaults = await target.open();
      try {
        // SQLite opens a fresh database, Postgres the same one: the cursor is accepted either way.
        const page = await same.crm.tenant('acme').contacts.list({ orderBy: { lastName: 'asc' }, limit: 2, cursor: issued.byName[0]! });
        expect(page.items.map((c) => c.lastName)).toEqual(target.name === 'sqlite' ? [] : ['Knuth', 'Liskov']);
        await refusesCursor(other.crm.tenant('acme').contacts.list({ orderBy: { lastName: 'asc' }, cursor: issued.byName[0]! }), issued.byName[0]!);
        await refusesCursor(defaults.crm.tenant('acme').contacts.list({ orderBy: { lastName: 'asc' }, cursor: issued.byName[0]! }), issued.byName[0]!);
      } finally {
        await Promise.all([same.crm.close(), other.crm.close(), defaults.crm.close()]);
      }
    });

    it('is a ValidationError for any string the list did not hand out: never a storage error, never a restart', async () => {
      const genuine = issued.byName[0]!;
      const mutated = fc.tuple(fc.nat(genuine.length - 1), fc.constantFrom(...'ABCabc019-_.=+/ \u0000')).map(([i, c]) => genuine.slice(0, i) + c + genuine.slice(i + 1));
      const candidates = fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary', maxLength: 64 }),
        fc.jsonValue().map((v) => base64url(JSON.stringify(v))),
        fc.constantFrom(base64url('{"id":null}'), base64url('{"lastName":null,"id":null}'), base64url('[null,null]'), '', '.', genuine.split('.')[0]!, `${genuine}.x`),
        fc.jsonValue().map((v) => `${base64url(JSON.stringify(v))}.${genuine.split('.')[1]}`),
        mutated,
        fc.nat(genuine.length - 1).map((n) => genuine.slice(0, n)),
        fc.string({ maxLength: 3 }).map((s) => genuine + s),
        fc.string({ minLength: 4097, maxLength: 5000 }),
      );
      const handedOut = new Set(issued.byName);
      await fc.assert(
        fc.asyncProperty(candidates.filter((c) => !handedOut.has(c)), async (cursor) => {
          await refusesCursor(byName(cursor), cursor);
          await refusesCursor(t.timeline.forContact(contactId, { cursor }), cursor);
          await refusesCursor(t.deals.ofContact(contactId, { cursor }), cursor);
        }),
        { numRuns: 300 },
      );
    }, 120_000);
  });
}

describe('createCrm({ cursorSecret })', () => {
  it('refuses a secret shorter than 16 bytes', async () => {
    const { sqliteAdapter } = await import('@crmkit/adapter-sqlite');
    const { createCrm } = await import('@crmkit/core');
    await expect(createCrm({ adapter: sqliteAdapter(), cursorSecret: 'short' })).rejects.toBeInstanceOf(ValidationError);
  });
});

