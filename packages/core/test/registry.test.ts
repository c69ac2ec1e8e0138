import { coreModels, customizableEntities, entities, entitiesWhere, entityNamed, taskLinkTypes, ValidationError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

describe('the entity registry', () => {
  it('declares every entity once, on a model of the core schema and a service of the tenant scope', () => {
    const models = new Set<object>(Object.values(coreModels));
    const scope = env.crm.tenant('acme') as unknown as Record<string, unknown>;
    for (const [name, entity] of Object.entries(entities)) {
      expect(entity.name).toBe(name);
      expect(entity.model.name).toBe(name);
      expect(models.has(entity.model)).toBe(true);
      expect(scope[entity.service]).toBeDefined();
    }
    expect(entityNamed('nope')).toBeUndefined();
    expect(entityNamed('toString')).toBeUndefined();
  });

  it('is what custom fields and task links are derived from', () => {
    expect([...customizableEntities]).toEqual(entitiesWhere('customizable'));
    expect([...taskLinkTypes].sort()).toEqual(['asset', 'case', 'company', 'contact', 'contract', 'deal', 'interaction', 'order']);
  });

  it('checks every task link: an entity tasks cannot link to is a ValidationError, a missing record a NotFoundError', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await t.deals.create({ title: 'x', pipelineId: p.id });
    await expect(t.tasks.create({ title: 'x', link: { type: 'slaPolicy' as never, id: 'c1' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.tasks.create({ title: 'x', link: { type: 'pipeline' as never, id: p.id } })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.tasks.create({ title: 'x', link: { type: 'deal', id: 'missing' } })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'deal' });
    const other = await env.crm.tenant('other').contacts.create({ firstName: 'Them' });
    await expect(t.tasks.create({ title: 'x', link: { type: 'contact', id: other.id } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.tasks.create({ title: 'ok', link: { type: 'deal', id: deal.id } })).resolves.toMatchObject({ linkedType: 'deal', linkedId: deal.id });
    expect((await t.tasks.list()).items).toHaveLength(1);
  });
});
