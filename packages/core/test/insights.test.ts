import { type ChurnModel, NotFoundError, type TenantScope, ValidationError, auc, fitLogistic, isHeldOut, sigmoid } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChurnCustomer, type OfferCustomer, bruteAuc, bruteOffers, churnedAfter, expectedFeatures, purchases, seedChurn, seedOffers,
} from './insights-fixtures.js';
import { random } from './report-helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const logit = (p: number) => Math.log(p / (1 - p));

/** Mean log loss + l2/2 |w|^2 minimised by plain gradient descent on standardised data: the independent fit. */
function gradientDescent(z: number[][], y: number[], l2: number, steps: number, rate: number): number[] {
  const w = new Array<number>(z[0]!.length + 1).fill(0);
  for (let s = 0; s < steps; s++) {
    const g = new Array<number>(w.length).fill(0);
    z.forEach((row, i) => {
      const err = sigmoid(w[0]! + row.reduce((a, v, j) => a + v * w[j + 1]!, 0)) - y[i]!;
      g[0]! += err / z.length;
      row.forEach((v, j) => (g[j + 1]! += (err * v) / z.length));
    });
    for (let j = 0; j < w.length; j++) w[j] = w[j]! - rate * (g[j]! + (j > 0 ? l2 * w[j]! : 0));
  }
  return w;
}

describe('logistic regression', () => {
  it('recovers the closed-form maximum likelihood fit of one binary feature: the logits of the two group rates', () => {
    // 3 of 10 churn without the feature, 8 of 10 with it.
    const rows = [...Array.from({ length: 10 }, () => [0]), ...Array.from({ length: 10 }, () => [1])];
    const labels = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const fit = fitLogistic(rows, labels, { l2: 0 });
    const raw = fit.coefficients[0]! / fit.stds[0]!;
    expect(raw).toBeCloseTo(logit(0.8) - logit(0.3), 10);
    expect(fit.intercept - raw * fit.means[0]!).toBeCloseTo(logit(0.3), 10);
  });

  it('agrees with an independent gradient descent on the same L2 objective', () => {
    const r = random(4);
    const rows = Array.from({ length: 120 }, () => [r.next() * 10, r.next() - 0.5, r.int(0, 3)]);
    const labels = rows.map((x) => (r.next() < sigmoid(0.4 * x[0]! - 3 + 2 * x[1]! + 0.3 * x[2]!) ? 1 : 0));
    const fit = fitLogistic(rows, labels, { l2: 0.1 });
    const z = rows.map((x) => x.map((v, j) => (v - fit.means[j]!) / fit.stds[j]!));
    const w = gradientDescent(z, labels, 0.1, 4000, 1);
    expect(fit.intercept).toBeCloseTo(w[0]!, 6);
    fit.coefficients.forEach((c, j) => expect(c).toBeCloseTo(w[j + 1]!, 6));
  });

  it('stays finite on separable data under L2, ranks it perfectly and gives the same bits twice', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i, (i * 7) % 5]);
    const labels = rows.map((x) => (x[0]! >= 20 ? 1 : 0));
    const fit = fitLogistic(rows, labels, { l2: 0.01 });
    expect(fit.coefficients.every(Number.isFinite)).toBe(true);
    expect(fit.coefficients[0]).toBeGreaterThan(0);
    const scores = rows.map((x) => fit.intercept + x.reduce((s, v, j) => s + fit.coefficients[j]! * (v - fit.means[j]!) / fit.stds[j]!, 0));
    expect(auc(scores, labels as (0 | 1)[])).toBe(1);
    expect(fitLogistic(rows, labels, { l2: 0.01 })).toEqual(fit);
  });

  it('gives a constant feature a zero coefficient and refuses labels other than 0 / 1', () => {
    const fit = fitLogistic([[1, 5], [2, 5], [3, 5], [4, 5]], [0, 1, 0, 1]);
    expect(fit.stds[1]).toBe(0);
    expect(fit.coefficients[1]).toBe(0);
    expect(() => fitLogistic([[1]], [2])).toThrow(ValidationError);
    expect(() => auc([1, 2], [1])).toThrow(ValidationError);
  });
});

describe('evaluation', () => {
  it('computes the AUC from ranks exactly as a count over every positive-negative pair, ties counting one half', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom<0 | 1>(0, 1)), { maxLength: 60 }), (pairs) => {
        const scores = pairs.map((p) => p[0]);
        const labels = pairs.map((p) => p[1]);
        const expected = bruteAuc(scores, labels);
        const actual = auc(scores, labels);
        if (expected === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(expected, 12);
      }),
    );
    expect(auc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBe(0.875);
  });

  it('splits customers 70/30 by a hash of the id: stable, near the share, and moved by the seed', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `01J${i.toString(36).padStart(8, '0')}`);
    const held = ids.filter((id) => isHeldOut(id, { seed: 1, testShare: 0.3 }));
    expect(held.length / ids.length).toBeGreaterThan(0.29);
    expect(held.length / ids.length).toBeLessThan(0.31);
    expect(ids.filter((id) => isHeldOut(id, { seed: 1, testShare: 0.3 }))).toEqual(held);
    const other = new Set(ids.filter((id) => isHeldOut(id, { seed: 2, testShare: 0.3 })));
    expect(held.filter((id) => other.has(id)).length / held.length).toBeLessThan(0.4);
  });
});

describe.each(targets)('insights ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const run = it.skipIf(target.skip);
  const tenant = (name: string) => env.crm.tenant(`ins-${name}-${process.pid}-${++tenants}`);
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());

  describe('churn risk', () => {
    const cutoff = Date.parse('2025-09-01T00:00:00.000Z');
    let t: TenantScope;
    let customers: ChurnCustomer[];
    let model: ChurnModel;

    beforeAll(async () => {
      if (target.skip) return;
      t = tenant('churn');
      env.clock.set('2025-01-01T00:00:00.000Z');
      customers = await seedChurn(t, 500, cutoff, 21);
      env.clock.set('2026-03-02T09:00:00.000Z');
      model = await t.insights.trainChurnModel({ cutoff: new Date(cutoff), horizonDays: 90, features: ['recencyDays', 'frequency', 'monetary', 'tenureDays', 'contractKind', 'openCases', 'recentCases', 'satisfaction', 'csat', 'custom.engagement'] });
    }, 300_000);

    run('computes every feature in SQL as the test recomputes it from the generated history', async () => {
      for (const c of customers.slice(0, 60)) {
        const risk = await t.insights.churnRisk(c.id, { model, at: new Date(cutoff) });
        const expected = expectedFeatures(c, cutoff);
        for (const part of risk.contributions) {
          if (expected[part.feature] === null) expect(part.value, part.feature).toBeNull();
          else expect(part.value, `${c.id} ${part.feature}`).toBeCloseTo(expected[part.feature]!, 6);
        }
      }
    });

    run('fits the model the test fits on its own features, split and labels, and reports its held-out AUC', () => {
      const population = customers.filter((c) => c.orders.some((o) => o.status === 'placed' && o.placedAt < cutoff));
      const names = model.features.map((f) => f.name);
      const rows = population.map((c) => ({ c, x: names.map((n) => expectedFeatures(c, cutoff)[n]!), y: churnedAfter(c, cutoff, 90) ? 1 : 0 }));
      const train = rows.filter((r) => !isHeldOut(r.c.id, { seed: 1, testShare: 0.3 }));
      const test = rows.filter((r) => isHeldOut(r.c.id, { seed: 1, testShare: 0.3 }));
      const fills = names.map((_, j) => {
        const known = train.map((r) => r.x[j]).filter((v): v is number => v !== null);
        return known.reduce((s, v) => s + v, 0) / known.length;
      });
      const fill = (x: (number | null)[]) => x.map((v, j) => v ?? fills[j]!);
      const fit = fitLogistic(train.map((r) => fill(r.x)), train.map((r) => r.y), { l2: 0.01 });
      expect(model.training).toMatchObject({ customers: rows.length, churned: rows.filter((r) => r.y).length, train: train.length, test: test.length });
      expect(names).not.toContain('csat');
      expect(model.intercept).toBeCloseTo(fit.intercept, 6);
      model.features.forEach((f, j) => {
        expect(f.mean).toBeCloseTo(fit.means[j]!, 6);
        expect(f.coefficient).toBeCloseTo(fit.coefficients[j]!, 6);
      });
      const scores = test.map((r) => fit.intercept + fill(r.x).reduce((s, v, j) => s + fit.coefficients[j]! * (v - fit.means[j]!) / fit.stds[j]!, 0));
      expect(model.heldOutAuc).toBeCloseTo(bruteAuc(scores, test.map((r) => r.y))!, 9);
      console.log(`[insights ${target.name}] churn held-out AUC (known signal): ${model.heldOutAuc!.toFixed(3)} on ${test.length} customers`);
      expect(model.heldOutAuc).toBeGreaterThan(0.8);
      expect(model.features.find((f) => f.name === 'custom.engagement')!.coefficient).toBeLessThan(0);
    });

    run('ranks pure noise no better than chance', async () => {
      const noise = await t.insights.trainChurnModel({ cutoff: new Date(cutoff).toISOString(), horizonDays: 90, features: ['custom.noise'] });
      console.log(`[insights ${target.name}] churn held-out AUC (noise): ${noise.heldOutAuc!.toFixed(3)}`);
      expect(Math.abs(noise.heldOutAuc! - 0.5)).toBeLessThan(0.2);
    });

    run('explains each score: the contributions and the intercept add up to the logit, and the score is its sigmoid', async () => {
      const json = JSON.parse(JSON.stringify(model)) as ChurnModel;
      let scored = 0;
      let cursor: string | undefined;
      do {
        const page = await t.insights.churnRisk({ limit: 70, ...(cursor ? { cursor } : {}) }, { model: json });
        for (const risk of page.items) {
          const sum = risk.contributions.reduce((s, c) => s + c.contribution, risk.intercept);
          expect(risk.logit).toBeCloseTo(sum, 12);
          expect(risk.score).toBeCloseTo(1 / (1 + Math.exp(-risk.logit)), 12);
          for (const c of risk.contributions) {
            const f = model.features.find((x) => x.name === c.feature)!;
            expect(c.contribution).toBeCloseTo(f.coefficient * (c.value === null ? 0 : (c.value - f.mean) / f.std), 12);
          }
          scored += 1;
        }
        cursor = page.nextCursor;
      } while (cursor);
      expect(scored).toBe(customers.filter((c) => c.orders.some((o) => o.status === 'placed')).length);
    });

    run('refuses a label window that has not ended, a tampered model, a forged cursor and an unknown contact', async () => {
      await expect(t.insights.trainChurnModel({ cutoff: '2026-02-01', horizonDays: 90 })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.insights.churnRisk(customers[0]!.id, { model: { ...model, features: [{ name: 'drop table', mean: 0, std: 1, coefficient: 1 }] } as never })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.insights.churnRisk({ cursor: 'abc.def' }, { model })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.insights.churnRisk('nobody', { model })).rejects.toBeInstanceOf(NotFoundError);
      const other = tenant('churn-other');
      await expect(other.insights.churnRisk(customers[0]!.id, { model })).rejects.toBeInstanceOf(NotFoundError);
      // Another tenant sees none of these customers: nothing to train on.
      await expect(other.insights.trainChurnModel({ cutoff: new Date(cutoff), horizonDays: 90 })).rejects.toThrow(/0 training customers/);
      expect((await other.insights.churnRisk({}, { model })).items).toEqual([]);
    });
  });

  describe('contract renewal label', () => {
    run('labels the customers whose contracts ending in the window were not renewed', async () => {
      const t = tenant('renewals');
      const r = random(5);
      const expected = { customers: 0, churned: 0 };
      for (let i = 0; i < 60; i++) {
        const engagement = r.next() * 2 - 1;
        const c = await t.contacts.create({ firstName: `R${i}`, custom: { engagement } });
        const inWindow = r.next() < 0.8;
        const end = inWindow ? `2025-10-${String(r.int(1, 28)).padStart(2, '0')}` : '2026-06-30';
        const contract = await t.contracts.create({ name: 'Plan', kind: r.pick(['subscription', 'service'] as const), contactId: c.id, startDate: '2025-01-01', endDate: end, status: 'active' });
        if (!inWindow) continue;
        const renew = r.next() < sigmoid(3 * engagement);
        if (renew) await t.contracts.renew(contract.id);
        else await t.contracts.lapse(contract.id);
        expected.customers += 1;
        expected.churned += renew ? 0 : 1;
      }
      const model = await t.insights.trainChurnModel({ cutoff: '2025-10-01', horizonDays: 31, label: 'contractNotRenewed', features: ['contractKind', 'custom.engagement'] });
      expect(model.training).toMatchObject(expected);
      expect(model.features.find((f) => f.name === 'custom.engagement')!.coefficient).toBeLessThan(0);
    });
  });

  describe('next best offer', () => {
    let t: TenantScope;
    let data: { customers: OfferCustomer[]; products: string[]; ghost: string };

    beforeAll(async () => {
      if (target.skip) return;
      t = tenant('offers');
      data = await seedOffers(t, 300, 8);
    }, 300_000);

    run('suggests what customers who bought the same products bought, with the support the test counts by brute force', async () => {
      const histories = data.customers.map((c) => purchases(c));
      for (const c of data.customers.slice(0, 25)) {
        const owned = new Set(purchases(c).keys());
        const result = await t.insights.nextBestOffers(c.id, { limit: 3 });
        expect(result.owned).toEqual([...owned].sort());
        expect(result.suggestions).toEqual(bruteOffers(histories, owned, 3));
        expect(result.suggestions.some((s) => s.productId === data.ghost || owned.has(s.productId))).toBe(false);
      }
    });

    run('measures hit rate at 3 on held-out last orders as the test recomputes it, above the popularity baseline', async () => {
      const evaluation = await t.insights.evaluateOffers({ k: 3 });
      const split = { seed: 1, testShare: 0.3 };
      const counted = data.customers.filter((c) => purchases(c).size > 0);
      const tests = counted.filter((c) => isHeldOut(c.id, split)).map((c) => {
        const lastAt = Math.max(...c.orders.filter((o) => !o.cancelled).map((o) => o.placedAt));
        const all = purchases(c);
        return { history: purchases(c, lastAt), hidden: new Set([...all].filter(([, p]) => p.last === lastAt).map(([id]) => id)), fresh: [...all.values()].some((p) => p.first === lastAt) };
      });
      const histories = [...counted.filter((c) => !isHeldOut(c.id, split)).map((c) => purchases(c)), ...tests.map((x) => x.history).filter((h) => h.size > 0)];
      const evaluated = tests.filter((x) => x.history.size > 0 && x.fresh);
      const hits = evaluated.filter((x) => bruteOffers(histories, new Set(x.history.keys()), 3).some((s) => x.hidden.has(s.productId))).length;
      expect(evaluation).toMatchObject({ metric: 'hitRate@k', k: 3, testCustomers: tests.length, evaluated: evaluated.length, hits });
      console.log(`[insights ${target.name}] offers hit rate at 3: ${evaluation.hitRate!.toFixed(3)} (popularity ${evaluation.popularityHitRate!.toFixed(3)}) on ${evaluated.length} customers`);
      expect(evaluation.hitRate!).toBeGreaterThan(evaluation.popularityHitRate!);
    });

    run('offers nothing to a customer without purchases and refuses an unknown contact', async () => {
      const fresh = await t.contacts.create({ firstName: 'New' });
      expect(await t.insights.nextBestOffers(fresh.id)).toEqual({ contactId: fresh.id, owned: [], suggestions: [] });
      await expect(t.insights.nextBestOffers('nobody')).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
