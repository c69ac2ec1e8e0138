import { type DuplicateMatch, type TenantScope, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparisons } from '../src/duplicates/score.js';
import { companyWindow, maxCompanyBlock, walkWindow } from '../src/duplicates/phases.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

async function allMatches(t: TenantScope, entity: 'contact' | 'company', limit = 50, threshold?: number): Promise<DuplicateMatch[]> {
  const out: DuplicateMatch[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await t.duplicates.find({ entity, limit, ...(cursor ? { cursor } : {}), ...(threshold !== undefined ? { threshold } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('the walk did not end');
}

const pairKey = (m: DuplicateMatch) => m.ids.join('/');

describe.each(targets)('duplicates ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const tenant = () => env.crm.tenant(`dup-${process.pid}-${Date.now().toString(36)}-${++tenants}`);

  beforeAll(async () => {
    if (!target.skip) env = await target.open({ defaultCountry: 'US' });
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  describe('finding duplicate contacts', () => {
    it.skipIf(target.skip)('pairs contacts with the same normalised email and explains why', async () => {
      const t = tenant();
      const a = await t.contacts.create({ firstName: 'Ada', email: 'Ada@Acme.io' });
      const b = await t.contacts.create({ firstName: 'Augusta', email: 'ADA@acme.IO' });
      await t.contacts.create({ firstName: 'Grace', email: 'grace@navy.mil' });
      const matches = await allMatches(t, 'contact');
      expect(matches).toEqual([{ ids: [a.id, b.id], score: 0.9, reasons: [{ rule: 'email', detail: 'same email ada@acme.io', weight: 0.9 }] }]);
    });

    it.skipIf(target.skip)('pairs contacts with the same phone in E.164 and reports a pair once with every reason', async () => {
      const t = tenant();
      const a = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', phone: '(415) 555-0132' });
      const b = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', phone: '+1 415 555 0132' });
      const matches = await allMatches(t, 'contact');
      expect(matches).toHaveLength(1);
      expect(matches[0]!.ids).toEqual([a.id, b.id]);
      expect(matches[0]!.reasons.map((r) => r.rule)).toEqual(['phone', 'name']);
      expect(matches[0]!.reasons[0]!.detail).toBe('same phone +14155550132');
      expect(matches[0]!.score).toBeCloseTo(1 - 0.2 * 0.4, 3);
    });

    it.skipIf(target.skip)('finds similar names after normalising case, accents, punctuation and whitespace', async () => {
      const t = tenant();
      const acme = await t.companies.create({ name: 'Acme' });
      const zoe = await t.contacts.create({ firstName: 'Zoë', lastName: "O'Brien", companyId: acme.id });
      const copy = await t.contacts.create({ firstName: 'zoe', lastName: '  obrien ', companyId: acme.id });
      // Far apart in the name index (different case), but in one company block.
      const ada = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace' });
      const typo = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelase' });
      await t.contacts.create({ firstName: 'Alan', lastName: 'Turing' });
      const matches = await allMatches(t, 'contact', 50, 0.5);
      const byPair = new Map(matches.map((m) => [pairKey(m), m]));
      expect(byPair.size).toBe(2);
      const company = byPair.get([zoe.id, copy.id].join('/'))!;
      expect(company.reasons).toEqual([
        { rule: 'name', detail: 'names "zoe o brien" / "zoe obrien" 0.91 similar', weight: 0.545 },
        { rule: 'company', detail: `same company ${acme.id}`, weight: 0.2 },
      ]);
      const walk = byPair.get([ada.id, typo.id].join('/'))!;
      expect(walk.reasons).toEqual([{ rule: 'name', detail: 'names "ada lovelace" / "ada lovelase" 0.92 similar', weight: 0.55 }]);
      // The default threshold (0.6) wants more than a name alone (0.55 here); the company tips the scale.
      expect((await allMatches(t, 'contact')).map(pairKey)).toEqual([[zoe.id, copy.id].join('/')]);
    });

    it.skipIf(target.skip)('pages with a cursor: every pair once, pages no longer than the limit, the cursor bound to its walk', async () => {
      const t = tenant();
      const expected = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const [a, b, c] = await t.contacts.createMany([
          { firstName: `P${i}`, email: `p${i}@x.io` }, { firstName: `Q${i}`, email: `P${i}@X.io` }, { firstName: `R${i}`, email: `p${i}@x.io` },
        ]);
        expected.add([a!.id, b!.id].join('/')).add([a!.id, c!.id].join('/'));
      }
      const matches = await allMatches(t, 'contact', 5);
      expect(matches.map(pairKey).sort()).toEqual([...expected].sort());
      const first = await t.duplicates.find({ entity: 'contact', limit: 5 });
      await expect(tenant().duplicates.find({ entity: 'contact', cursor: first.nextCursor! })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.duplicates.find({ entity: 'contact', threshold: 0.7, cursor: first.nextCursor! })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.duplicates.find({ entity: 'deal' as never })).rejects.toBeInstanceOf(ValidationError);
    });

    it.skipIf(target.skip)('hands out the same pairs whatever the page size (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ email: fc.nat({ max: 4 }), last: fc.constantFrom('Smith', 'Smyth', 'Lee', 'Li') }), { minLength: 2, maxLength: 14 }),
          fc.integer({ min: 1, max: 6 }),
          async (people, limit) => {
            const t = tenant();
            await t.contacts.createMany(people.map((p, i) => ({ firstName: `Ann${i % 3}`, lastName: p.last, email: `e${p.email}@x.io` })));
            const whole = await allMatches(t, 'contact', 500, 0.5);
            const paged = await allMatches(t, 'contact', limit, 0.5);
            expect(paged).toEqual(whole);
            expect(new Set(paged.map(pairKey)).size).toBe(paged.length);
          },
        ),
        { numRuns: target.name === 'sqlite' ? 25 : 8 },
      );
    });

    it.skipIf(target.skip)('never sees another tenant', async () => {
      const t = tenant();
      const other = tenant();
      await t.contacts.create({ email: 'same@x.io' });
      await other.contacts.create({ email: 'same@x.io' });
      expect(await allMatches(t, 'contact')).toEqual([]);
    });
  });

  describe('blocking', () => {
    it.skipIf(target.skip)('keeps comparisons linear in the number of contacts', async () => {
      const t = tenant();
      const companies = await Promise.all(['A', 'B', 'C'].map((name) => t.companies.create({ name })));
      const names = ['Smith', 'Smyth', 'Jones', 'Brown', 'Lee', 'Garcia', 'Martin', 'Müller', 'Mueller', 'Nguyen'];
      const n = 600;
      await t.contacts.createMany(Array.from({ length: n }, (_, i) => ({
        firstName: `F${i % 37}`, lastName: names[i % names.length]!, companyId: i % 4 === 3 ? null : companies[i % 3]!.id,
      })));
      const before = comparisons.count;
      const matches = await allMatches(t, 'contact', 500, 0.5);
      const compared = comparisons.count - before;
      // The walk compares each contact with walkWindow - 1 others; a company block each with at most companyWindow - 1.
      expect(compared).toBeLessThanOrEqual(n * (walkWindow - 1) + n * (companyWindow - 1));
      expect(compared).toBeLessThan((n * (n - 1)) / 2 / 4);
      expect(matches.length).toBeGreaterThan(0);
      expect(new Set(matches.map(pairKey)).size).toBe(matches.length);
    });

    it.skipIf(target.skip)('bounds a company block however large the company is', async () => {
      const t = tenant();
      const big = await t.companies.create({ name: 'Big' });
      const n = maxCompanyBlock + 100;
      await t.contacts.createMany(Array.from({ length: n }, (_, i) => ({ firstName: `Person${i}`, lastName: `Same${i % 3}`, companyId: big.id })));
      const before = comparisons.count;
      await allMatches(t, 'contact', 500);
      const compared = comparisons.count - before;
      expect(compared).toBeLessThanOrEqual(maxCompanyBlock * (companyWindow - 1) + n * (walkWindow - 1));
    });
  });

  describe('finding duplicate companies', () => {
    it.skipIf(target.skip)('compares names without legal forms and scores the same domain name', async () => {
      const t = tenant();
      const acme = await t.companies.create({ name: 'Acme Inc.', domain: 'acme.io' });
      const copy = await t.companies.create({ name: 'ACME', domain: 'acme.de' });
      const globex = await t.companies.create({ name: 'Globex' });
      const globex2 = await t.companies.create({ name: 'Globex' });
      await t.companies.create({ name: 'Initech' });
      const matches = await allMatches(t, 'company');
      expect(matches.map(pairKey).sort()).toEqual([[acme.id, copy.id].join('/'), [globex.id, globex2.id].join('/')].sort());
      const acmePair = matches.find((m) => m.ids[0] === acme.id)!;
      expect(acmePair.reasons).toEqual([
        { rule: 'name', detail: 'names "acme" / "acme" 1.00 similar', weight: 0.8 },
        { rule: 'domain', detail: 'same domain name "acme" (acme.de, acme.io)', weight: 0.5 },
      ]);
      expect(acmePair.score).toBe(0.9);
    });
  });

  describe('checking an input before create', () => {
    it.skipIf(target.skip)('finds contacts by email, phone, name spellings and company, best first', async () => {
      const t = tenant();
      const acme = await t.companies.create({ name: 'Acme' });
      const ada = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.io' });
      const byPhone = await t.contacts.create({ firstName: 'Countess', phone: '415-555-0132' });
      const colleague = await t.contacts.create({ firstName: 'Ada', lastName: 'Lovelase', companyId: acme.id });
      await t.contacts.create({ firstName: 'Grace', lastName: 'Hopper' });
      const found = await t.duplicates.check('contact', { firstName: 'ada', lastName: 'LOVELACE', email: 'ADA@acme.io', companyId: acme.id });
      expect(found.map((c) => c.id)).toEqual([ada.id, colleague.id]);
      expect(found[0]!.reasons.map((r) => r.rule)).toEqual(['email', 'name']);
      expect(found[1]!.reasons.map((r) => r.rule)).toEqual(['name', 'company']);
      const phone = await t.duplicates.check('contact', { lastName: 'Nobody', phone: '+14155550132' });
      expect(phone).toEqual([{ id: byPhone.id, score: 0.8, reasons: [{ rule: 'phone', detail: 'same phone +14155550132', weight: 0.8 }] }]);
      expect(await t.duplicates.check('contact', { firstName: 'Ada', lastName: 'Lovelace' }, { threshold: 0.95 })).toEqual([]);
      await expect(t.duplicates.check('contact', { email: 'not an email' })).rejects.toBeInstanceOf(ValidationError);
    });

    it.skipIf(target.skip)('finds companies by domain and by name with or without the legal form', async () => {
      const t = tenant();
      const acme = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
      const found = await t.duplicates.check('company', { name: 'ACME, Inc.', domain: 'https://www.acme.io/about' });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ id: acme.id, reasons: [{ rule: 'domain', detail: 'same domain acme.io' }, { rule: 'name' }] });
      expect((await t.duplicates.check('company', { name: 'acme' }))[0]?.id).toBe(acme.id);
      expect(await tenant().duplicates.check('company', { name: 'Acme', domain: 'acme.io' })).toEqual([]);
    });
  });
});
