import { instanceModel, defineWorkflow, effect, jobModel } from '@crmkit/workflows';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { testEngine } from './helpers.js';

/** Starts with one effect, so a wrongly created instance would also leave a job behind. */
const dealMachine = setup({ actions: { createTask: effect<{ title: string }>() } }).createMachine({
  id: 'deal-watch', initial: 'watching',
  states: { watching: { entry: { type: 'createTask', params: { title: 'Watch the deal' } } } },
});
const dealWatch = defineWorkflow({ id: 'deal-watch', version: 1, machine: dealMachine });

let env: Awaited<ReturnType<typeof testEngine>>;
let dealOfA: string;
beforeAll(async () => {
  env = await testEngine({ workflows: [dealWatch] });
  const a = env.crm.tenant('tenant-a');
  const pipeline = await a.pipelines.create({ name: 'Sales', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }] });
  dealOfA = (await a.deals.create({ title: 'Renewal', pipelineId: pipeline.id })).id;
});
afterAll(async () => env.crm.close());

const rows = (tenantId: string) => Promise.all([
  env.crm.adapter.count({ model: instanceModel, tenantId }),
  env.crm.adapter.count({ model: jobModel, tenantId }),
]);

describe('workflows and tenants', () => {
  it('accepts exactly the tenant ids crm.tenant() accepts, and writes nothing for the others', async () => {
    const tenantIds = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom("o'brien", 'two words', 'tenant"b', ' acme', 'acme ', 'x'.repeat(64), 'x'.repeat(65), 'a.b_c:d-e', ''),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,70}$/),
    );
    await fc.assert(
      fc.asyncProperty(tenantIds, async (tenantId) => {
        let valid = true;
        try {
          env.crm.tenant(tenantId);
        } catch (error) {
          expect(error).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
          valid = false;
        }
        const started = await env.engine.start(tenantId, 'deal-watch').then(() => true, (error: unknown) => {
          expect(error).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
          return false;
        });
        expect(started).toBe(valid);
        if (!valid) await expect(env.engine.send(tenantId, 'any', { type: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a subject of another tenant, whatever the tenant, and writes no instance nor job', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((t) => t !== 'tenant-a'), async (tenantId) => {
        const before = await rows(tenantId);
        await expect(env.engine.start(tenantId, 'deal-watch', { subject: { type: 'deal', id: dealOfA } }))
          .rejects.toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND', entity: 'deal', id: dealOfA });
        expect(await rows(tenantId)).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses subject types that are not entities of the CRM', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }).filter((type) => !['member', 'team', 'company', 'contact', 'product', 'pipeline', 'stage', 'deal', 'dealContact', 'stageChange', 'interaction', 'interactionContact', 'task', 'auditEntry', 'event'].includes(type)), async (type) => {
        await expect(env.engine.start('tenant-a', 'deal-watch', { subject: { type, id: dealOfA } }))
          .rejects.toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
      }),
      { numRuns: 40 },
    );
  });

  it('starts an instance about a record of its own tenant', async () => {
    const before = await rows('tenant-a');
    const run = await env.engine.start('tenant-a', 'deal-watch', { subject: { type: 'deal', id: dealOfA } });
    expect(run.subject).toEqual({ type: 'deal', id: dealOfA });
    expect(await rows('tenant-a')).toEqual([before[0] + 1, before[1] + 1]);
    expect((await env.engine.instancesOf('tenant-a', { type: 'deal', id: dealOfA })).map((i) => i.id)).toContain(run.id);
  });
});
