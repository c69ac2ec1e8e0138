import { ConflictError, DuplicateError, NotFoundError, ValidationError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm({
    defaultCountry: 'US',
    customFields: { contact: z.object({ tier: z.enum(['gold', 'silver']).optional(), score: z.number().optional() }) },
  });
});
afterEach(() => env.crm.close());

describe('contacts', () => {
  it('creates a contact with normalised email and E.164 phone', async () => {
    const t = env.crm.tenant('acme');
    const ada = await t.contacts.create({ firstName: ' Ada ', email: 'Ada@Example.COM', phone: '(415) 555-0132', tags: ['vip', 'vip'] });
    expect(ada).toMatchObject({ firstName: 'Ada', email: 'ada@example.com', phone: '+14155550132', tags: ['vip'], lifecycleStage: 'lead', version: 1 });
    expect(ada.emails).toEqual([{ address: 'ada@example.com', label: null }]);
    expect(await t.contacts.get(ada.id)).toEqual(ada);
    expect((await t.contacts.findByPhone('+1 415 555 0132')).map((c) => c.id)).toEqual([ada.id]);
    expect((await t.contacts.findByEmail('ADA@example.com')).map((c) => c.id)).toEqual([ada.id]);
  });

  it('rejects bad input with every zod issue and writes nothing', async () => {
    const t = env.crm.tenant('acme');
    const error = await t.contacts.create({ email: 'not-an-email', lifecycleStage: 'nope' as never }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['email', 'lifecycleStage']));
    await expect(t.contacts.create({ phone: '12' })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.contacts.create({})).rejects.toBeInstanceOf(ValidationError);
    await expect(t.contacts.create({ firstName: 'A', unknownField: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    expect((await t.contacts.list()).items).toEqual([]);
  });

  it('validates custom fields with the registered schema and filters on them', async () => {
    const t = env.crm.tenant('acme');
    await expect(t.contacts.create({ firstName: 'X', custom: { tier: 'platinum' } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ['custom', 'tier'] })],
    });
    const gold = await t.contacts.create({ firstName: 'G', custom: { tier: 'gold', score: 80 } });
    await t.contacts.create({ firstName: 'S', custom: { tier: 'silver', score: 20 } });
    expect((await t.contacts.list({ where: { 'custom.tier': 'gold' } })).items.map((c) => c.id)).toEqual([gold.id]);
    expect((await t.contacts.list({ where: { 'custom.score': { gte: 50 } } })).items.map((c) => c.id)).toEqual([gold.id]);
    const updated = await t.contacts.update(gold.id, { custom: { score: null } });
    expect(updated.custom).toEqual({ tier: 'gold' });
  });

  it('filters by tags and lifecycle stage and pages with a cursor', async () => {
    const t = env.crm.tenant('acme');
    const created = [];
    for (let i = 0; i < 7; i++) {
      created.push(await t.contacts.create({ firstName: `C${i}`, tags: i % 2 === 0 ? ['vip'] : [], lifecycleStage: 'lead' }));
      env.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.contacts.list({ where: { lifecycleStage: 'lead', tags: { has: 'vip' } }, orderBy: { createdAt: 'desc' }, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.firstName ?? ''));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['C6', 'C4', 'C2', 'C0']);
    await expect(t.contacts.list({ where: { nope: 1 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.contacts.list({ cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('guards updates with expectedVersion and audits field changes with the actor', async () => {
    const member = await env.crm.tenant('acme').members.create({ name: 'Rep' });
    const t = env.crm.tenant('acme', { actorId: member.id });
    const c = await t.contacts.create({ firstName: 'Ada', lifecycleStage: 'lead' });
    const v2 = await t.contacts.update(c.id, { lifecycleStage: 'mql', satisfaction: 9 }, { expectedVersion: 1 });
    expect(v2).toMatchObject({ version: 2, lifecycleStage: 'mql', satisfaction: 9, satisfactionAt: '2026-03-02T09:00:00.000Z' });
    const stale = await t.contacts.update(c.id, { title: 'CTO' }, { expectedVersion: 1 }).catch((e) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    const trail = await t.audit.forRecord('contact', c.id);
    expect(trail.items).toHaveLength(2);
    expect(trail.items[0]).toMatchObject({ action: 'create', actorId: member.id, recordVersion: 1, changes: [] });
    expect(trail.items[1]).toMatchObject({ action: 'update', actorId: member.id, recordVersion: 2 });
    expect(trail.items[1]?.changes).toEqual(expect.arrayContaining([{ field: 'lifecycleStage', from: 'lead', to: 'mql' }]));
    const same = await t.contacts.update(c.id, { lifecycleStage: 'mql' });
    expect(same.version).toBe(2);
  });

  it('replaces the primary email and keeps it first in the list', async () => {
    const t = env.crm.tenant('acme');
    const c = await t.contacts.create({ email: 'a@x.io', emails: [{ address: 'b@x.io', label: 'work' }] });
    expect(c.emails.map((e) => e.address)).toEqual(['a@x.io', 'b@x.io']);
    const u = await t.contacts.update(c.id, { email: 'b@x.io' });
    expect(u.email).toBe('b@x.io');
    expect(u.emails.map((e) => e.address)).toEqual(['b@x.io']);
    const both = await t.contacts.update(c.id, { emails: [{ address: 'c@x.io' }] });
    expect(both.emails.map((e) => e.address)).toEqual(['b@x.io', 'c@x.io']);
  });

  it('imports many contacts atomically: one bad row writes nothing', async () => {
    const t = env.crm.tenant('acme');
    const good = Array.from({ length: 300 }, (_, i) => ({ firstName: `P${i}`, email: `p${i}@x.io` }));
    const error = await t.contacts.createMany([...good, { email: 'broken' }]).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path[0]).toBe(300);
    expect((await t.contacts.list()).items).toHaveLength(0);
    await expect(t.contacts.createMany([{ firstName: 'A', companyId: 'missing' }])).rejects.toBeInstanceOf(NotFoundError);
    const created = await t.contacts.createMany(good);
    expect(created).toHaveLength(300);
    expect((await t.contacts.list({ limit: 1000 })).items).toHaveLength(300);
  });

  it('stamps a satisfaction given at creation with the time of the write, one by one and in bulk', async () => {
    const t = env.crm.tenant('acme');
    const one = await t.contacts.create({ firstName: 'Ada', satisfaction: 8 });
    env.clock.advance(1000);
    const [scored, unscored] = await t.contacts.createMany([{ firstName: 'Bob', satisfaction: 0 }, { firstName: 'Cy', phone: '(415) 555-0132' }]);
    expect(one).toMatchObject({ satisfaction: 8, satisfactionAt: one.createdAt, idempotencyKey: null });
    expect(scored).toMatchObject({ satisfaction: 0, satisfactionAt: '2026-03-02T09:00:01.000Z', idempotencyKey: null });
    expect(unscored).toMatchObject({ satisfaction: null, satisfactionAt: null, phone: '+14155550132' });
    expect(await t.contacts.get(scored!.id)).toEqual(scored);
  });

  it('refuses a second contact with the same external id', async () => {
    const t = env.crm.tenant('acme');
    await t.contacts.create({ firstName: 'A', externalId: 'ext-1' });
    await expect(t.contacts.create({ firstName: 'B', externalId: 'ext-1' })).rejects.toBeInstanceOf(DuplicateError);
  });

  it('deletes a contact and reports unknown ids as not found', async () => {
    const t = env.crm.tenant('acme');
    const c = await t.contacts.create({ firstName: 'Gone' });
    await t.contacts.delete(c.id);
    await expect(t.contacts.get(c.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.contacts.delete(c.id)).rejects.toBeInstanceOf(NotFoundError);
    const trail = await t.audit.forRecord('contact', c.id);
    expect(trail.items.map((entry) => entry.action)).toEqual(['create', 'delete']);
  });
});
