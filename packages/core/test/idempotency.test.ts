import { type CrmEvent, entitiesWhere, ValidationError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

describe('idempotent creates', () => {
  it('are offered by every entity the registry marks', () => {
    expect(entitiesWhere('idempotentCreate').sort()).toEqual(['campaign', 'case', 'company', 'contact', 'deal', 'interaction', 'order', 'task']);
  });

  it('return the record the first create with the key made, unchanged, and emit nothing more', async () => {
    const t = env.crm.tenant('acme');
    const created: CrmEvent[] = [];
    t.events.on('*', (e) => void created.push(e));
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const first = {
      task: await t.tasks.create({ title: 'Call Ada' }, { idempotencyKey: 'job-1' }),
      contact: await t.contacts.create({ firstName: 'Ada' }, { idempotencyKey: 'job-1' }),
      company: await t.companies.create({ name: 'Acme' }, { idempotencyKey: 'job-1' }),
      deal: await t.deals.create({ title: 'Big', pipelineId: p.id }, { idempotencyKey: 'job-1' }),
      interaction: await t.interactions.log({ type: 'note', body: 'hi' }, { idempotencyKey: 'job-1' }),
    };
    const count = created.length;
    expect(await t.tasks.create({ title: 'Something else' }, { idempotencyKey: 'job-1' })).toEqual(first.task);
    expect(await t.contacts.create({ firstName: 'Bob' }, { idempotencyKey: 'job-1' })).toEqual(first.contact);
    expect(await t.companies.create({ name: 'Other' }, { idempotencyKey: 'job-1' })).toEqual(first.company);
    expect(await t.deals.create({ title: 'Other', pipelineId: p.id }, { idempotencyKey: 'job-1' })).toEqual(first.deal);
    expect(await t.interactions.log({ type: 'call' }, { idempotencyKey: 'job-1' })).toEqual(first.interaction);
    expect(created).toHaveLength(count);
    expect(first.task.idempotencyKey).toBe('job-1');
    expect((await t.tasks.list()).items).toHaveLength(1);
  });

  it('keep keys per tenant and leave custom fields to the host', async () => {
    const a = await env.crm.tenant('acme').tasks.create({ title: 'A' }, { idempotencyKey: 'k' });
    const b = await env.crm.tenant('globex').tasks.create({ title: 'B' }, { idempotencyKey: 'k' });
    expect(a.id).not.toBe(b.id);
    expect(a.custom).toEqual({});
  });

  it('refuse a malformed key before writing', async () => {
    const t = env.crm.tenant('acme');
    await expect(t.tasks.create({ title: 'x' }, { idempotencyKey: '' })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.tasks.create({ title: 'x' }, { idempotencyKey: 'x'.repeat(201) })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.tasks.create({ title: 'x' }, { nope: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    expect((await t.tasks.list()).items).toEqual([]);
  });
});
