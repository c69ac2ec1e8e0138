import { coreModels, defaultLimits, type ModelDefinition, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesStages, testCrm } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
let env: CrmOnTarget;
let tenantSeq = 0;
let tenant: string;

/** Every row of the test's tenant in every core table, to prove a refused input changed nothing. */
async function snapshot(): Promise<string> {
  const rows = [];
  for (const model of Object.values(coreModels) as ModelDefinition[]) rows.push(await env.adapter.findMany({ model, tenantId: tenant, orderBy: [{ field: 'id' }] }));
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** `custom` values beyond one of the default limits. */
const oversized = fc.oneof(
  fc.integer({ min: defaultLimits.customStringLength + 1, max: defaultLimits.customStringLength + 50 }).map((n) => ({ note: 'x'.repeat(n) })),
  fc.integer({ min: defaultLimits.customArrayLength + 1, max: defaultLimits.customArrayLength + 20 }).map((n) => ({ list: Array.from({ length: n }, (_, i) => i) })),
  fc.integer({ min: defaultLimits.customDepth, max: defaultLimits.customDepth + 5 }).map((depth) => ({ deep: nested(depth) })),
  fc.integer({ min: defaultLimits.customKeys + 1, max: defaultLimits.customKeys + 10 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  fc.constant(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(2000)]))),
  fc.constant({ bad: NaN }),
  fc.constant({ when: new Date() }),
);

describe.each(targets)('input limits ($name)', (target) => {
  beforeEach(async () => {
    if (target.skip) return;
    env = await target.open();
    tenant = `limits-${process.pid}-${++tenantSeq}`;
  });
  afterEach(async () => {
    if (!target.skip) await env.crm.close();
  });

  it.skipIf(target.skip)('refuse custom fields beyond any limit with a short ValidationError, writing nothing', async () => {
    const t = env.crm.tenant(tenant);
    const contact = await t.contacts.create({ firstName: 'Ada' });
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(oversized, fc.boolean(), async (custom, onUpdate) => {
        const call = onUpdate ? t.contacts.update(contact.id, { custom: custom as never }) : t.contacts.create({ firstName: 'X', custom: custom as never });
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message.length).toBeLessThan(600);
        expect(await snapshot()).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  it.skipIf(target.skip)('refuse hostile shapes without a stack overflow or an echo of the input', async () => {
    const t = env.crm.tenant(tenant);
    const deep = await t.contacts.create({ firstName: 'D', custom: nested(100_000) as never }).catch((e: unknown) => e);
    expect(deep).toBeInstanceOf(ValidationError);
    const hugeKey = 'k'.repeat(50 * 1024 * 1024);
    const key = await t.contacts.create({ firstName: 'K', custom: { [hugeKey]: 1 } }).catch((e: unknown) => e);
    expect(key).toBeInstanceOf(ValidationError);
    expect(JSON.stringify((key as ValidationError).issues).length).toBeLessThan(2000);
    expect((key as Error).message.length).toBeLessThan(600);
    const big = await t.contacts.create({ firstName: 'B', custom: { s: 'x'.repeat(50 * 1024 * 1024) } }).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(ValidationError);
    const long = await t.interactions.log({ type: 'note', body: 'x'.repeat(defaultLimits.textLength + 1) }).catch((e: unknown) => e);
    expect(long).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['body'] })] });
    const description = await t.tasks.create({ title: 't', description: 'x'.repeat(defaultLimits.textLength + 1) }).catch((e: unknown) => e);
    expect(description).toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('are set per host', async () => {
    const strict = await testCrm({ limits: { customStringLength: 5, textLength: 10 } });
    const loose = await testCrm({ limits: { customStringLength: 50_000 } });
    try {
      await expect(strict.crm.tenant('a').contacts.create({ firstName: 'A', custom: { n: 'abcdef' } })).rejects.toBeInstanceOf(ValidationError);
      await expect(strict.crm.tenant('a').interactions.log({ type: 'note', body: 'eleven char' })).rejects.toBeInstanceOf(ValidationError);
      await expect(loose.crm.tenant('a').contacts.create({ firstName: 'A', custom: { n: 'x'.repeat(20_000) } })).resolves.toBeDefined();
      expect(strict.crm.limits).toMatchObject({ customStringLength: 5, textLength: 10, customDepth: defaultLimits.customDepth });
      await expect(testCrm({ limits: { customDepth: 0 } })).rejects.toBeInstanceOf(ValidationError);
    } finally {
      await strict.crm.close();
      await loose.crm.close();
    }
  });
});

describe.each(targets)('money ($name)', (target) => {
  beforeEach(async () => {
    if (target.skip) return;
    env = await target.open();
    tenant = `money-${process.pid}-${++tenantSeq}`;
  });
  afterEach(async () => {
    if (!target.skip) await env.crm.close();
  });

  it.skipIf(target.skip)('takes ISO 4217 currencies only, never a negative amount, and at most 2^63 - 1 minor units', async () => {
    const t = env.crm.tenant(tenant);
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const before = await snapshot();
    for (const amount of [
      { minor: 100, currency: 'XYZ' },
      { minor: 100, currency: 'usdd' },
      { minor: -1, currency: 'USD' },
      { minor: -5n, currency: 'USD' },
      { minor: 2n ** 63n, currency: 'USD' },
      { minor: 2n ** 70n, currency: 'USD' },
      { minor: 1.5, currency: 'USD' },
    ]) {
      await expect(t.deals.create({ title: 'x', pipelineId: p.id, amount })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(t.pipelines.create({ name: 'Other', currency: 'ABC', stages: salesStages })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.deals.create({ title: 'x', pipelineId: p.id, lines: [{ name: 'n', quantity: 1e9, unitPriceMinor: Number.MAX_SAFE_INTEGER }] })).rejects.toBeInstanceOf(ValidationError);
    expect(await snapshot()).toBe(before);
    const big = await t.deals.create({ title: 'ok', pipelineId: p.id, amount: { minor: 2n ** 63n - 1n, currency: 'eur' } });
    expect((await t.deals.get(big.id)).amount).toEqual({ minor: 2n ** 63n - 1n, currency: 'EUR' });
  });
});
