import { NotFoundError, StateError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

const count = (table: string) => (env.adapter.database.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

describe('actors', () => {
  it('must be members of the tenant: a write by an unknown actor writes nothing', async () => {
    const other = await env.crm.tenant('globex').members.create({ name: 'Elsewhere' });
    for (const actorId of ['nobody', other.id]) {
      const t = env.crm.tenant('acme', { actorId });
      await expect(t.contacts.create({ firstName: 'Ada' })).rejects.toBeInstanceOf(NotFoundError);
    }
    expect([count('crm_contact'), count('crm_event'), count('crm_audit_entry')]).toEqual([0, 1, 1]);
  });

  it('must be active: a deactivated member can no longer act', async () => {
    const admin = env.crm.tenant('acme');
    const rep = await admin.members.create({ name: 'Rep' });
    const asRep = env.crm.tenant('acme', { actorId: rep.id });
    const ada = await asRep.contacts.create({ firstName: 'Ada' });
    await admin.members.update(rep.id, { active: false });
    await expect(asRep.contacts.update(ada.id, { title: 'CTO' })).rejects.toBeInstanceOf(StateError);
    expect((await admin.contacts.get(ada.id)).title).toBeNull();
    const trail = await admin.audit.forRecord('contact', ada.id);
    expect(trail.items.map((e) => [e.action, e.actorId])).toEqual([['create', rep.id]]);
  });

  it('is checked once per transaction, and again after the member changes in it', async () => {
    const rep = await env.crm.tenant('acme').members.create({ name: 'Rep' });
    const error = await env.crm.transaction(async (tx) => {
      const asRep = tx.tenant('acme', { actorId: rep.id });
      await asRep.contacts.create({ firstName: 'Ada' });
      await asRep.contacts.create({ firstName: 'Bob' });
      await tx.tenant('acme').members.update(rep.id, { active: false });
      return asRep.contacts.create({ firstName: 'Cy' }).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(StateError);
    expect(count('crm_contact')).toBe(2);
  });
});
