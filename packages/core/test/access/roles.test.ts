import {
  type CrmEvent, DuplicateError, ForbiddenError, NotFoundError, type RoleDefinition, StateError, type TenantScope, ValidationError,
} from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from '../helpers.js';
import { type CrmOnTarget, crmTargets } from '../targets.js';

const targets = crmTargets();

/** A role the host defines in code: edits every deal, nothing else. */
const dealDesk: RoleDefinition = { name: 'deal-desk', grants: { deal: { read: 'all', update: 'all' }, pipeline: { read: 'all' }, stage: { read: 'all' } } };

describe.each(targets)('roles ($name)', (target) => {
  let env: CrmOnTarget;
  let n = 0;
  const tenant = () => `roles-${process.pid}-${++n}`;
  beforeAll(async () => {
    if (!target.skip) env = await target.open({ access: { roles: [dealDesk] } });
  });
  afterAll(() => env?.crm.close());
  const run = it.skipIf(target.skip);

  /** A tenant with an admin, two reps and a contact of each rep. */
  async function world() {
    const id = tenant();
    const sys = env.crm.system(id);
    const admin = await sys.members.create({ name: 'Admin', role: 'admin' });
    const rep = await sys.members.create({ name: 'Rep', role: 'rep' });
    const other = await sys.members.create({ name: 'Other', role: 'rep' });
    const mine = await sys.contacts.create({ firstName: 'Mine', ownerId: rep.id });
    const theirs = await sys.contacts.create({ firstName: 'Theirs', ownerId: other.id });
    const as = (memberId: string): TenantScope => env.crm.tenant(id, { actorId: memberId });
    return { id, sys, admin, rep, other, mine, theirs, as };
  }

  describe('defining roles', () => {
    run('refuses malformed definitions with ValidationError', async () => {
      const { admin, as } = await world();
      const t = as(admin.id);
      await expect(t.roles.create({ name: 'Not A Name', grants: {} })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.roles.create({ name: 'ok', grants: { planet: 'all' } as never })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.roles.create({ name: 'ok', grants: { contact: 'most' } as never })).rejects.toBeInstanceOf(ValidationError);
      // Pipelines have no owner: `own` cannot apply to them.
      await expect(t.roles.create({ name: 'ok', grants: { pipeline: 'own' } })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.roles.create({ name: 'ok', grants: {}, fields: { contact: { email: 'secret' } } } as never)).rejects.toBeInstanceOf(ValidationError);
      const role = await t.roles.create({ name: 'ok', grants: { contact: 'all' } });
      // The role an update leaves must be valid as a whole.
      await expect(t.roles.update(role.id, { grants: { stage: { update: 'team' } } })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.roles.update(role.id, { colour: 'red' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect((await t.roles.get(role.id)).grants).toEqual({ contact: 'all' });
    });

    run('keeps names unique per tenant, and tenants apart', async () => {
      const a = await world();
      const b = await world();
      await a.as(a.admin.id).roles.create({ name: 'auditor', grants: { '*': { read: 'all' } } });
      await expect(a.as(a.admin.id).roles.create({ name: 'auditor', grants: {} })).rejects.toBeInstanceOf(DuplicateError);
      await b.as(b.admin.id).roles.create({ name: 'auditor', grants: {} });
      expect((await a.sys.roles.list()).items.map((r) => r.name)).toEqual(['auditor']);
      expect((await b.sys.roles.list()).items.map((r) => r.grants)).toEqual([{}]);
    });

    run('lets only members whose roles grant it change roles', async () => {
      const { rep, as, sys } = await world();
      await expect(as(rep.id).roles.create({ name: 'mine', grants: { '*': 'all' } })).rejects.toBeInstanceOf(ForbiddenError);
      const role = await sys.roles.create({ name: 'mine', grants: {} });
      // A rep reads roles (to see what they may do) but changes none.
      expect((await as(rep.id).roles.get(role.id)).name).toBe('mine');
      await expect(as(rep.id).roles.update(role.id, { grants: { '*': 'all' } })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(as(rep.id).roles.delete(role.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await sys.roles.get(role.id)).grants).toEqual({});
    });

    run('audits every change and emits role events', async () => {
      const { id, admin, as } = await world();
      const t = as(admin.id);
      const heard: CrmEvent[] = [];
      for (const type of ['role.created', 'role.updated', 'role.deleted'] as const) t.events.on(type, (e) => void heard.push(e));
      const role = await t.roles.create({ name: 'support', description: 'Helps', grants: { case: 'all' } });
      const updated = await t.roles.update(role.id, { grants: { case: 'all', contact: { read: 'all' } } }, { expectedVersion: 1 });
      expect(updated.version).toBe(2);
      await t.roles.delete(role.id);
      expect(heard.map((e) => [e.type, e.actorId, e.tenantId])).toEqual([
        ['role.created', admin.id, id], ['role.updated', admin.id, id], ['role.deleted', admin.id, id],
      ]);
      const trail = await t.audit.forRecord('role', role.id);
      expect(trail.items.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
      expect(trail.items[1]!.changes).toEqual([{ field: 'grants', from: { case: 'all' }, to: { case: 'all', contact: { read: 'all' } } }]);
      await expect(t.roles.get(role.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('what roles grant', () => {
    run('lets a stored role replace the built-in of the same name in its tenant only', async () => {
      const a = await world();
      const b = await world();
      expect((await a.as(a.rep.id).contacts.list()).items).toHaveLength(2);
      const stored = await a.as(a.admin.id).roles.create({ name: 'rep', grants: { contact: 'own' } });
      // A new scope reads the member's roles again.
      expect((await a.as(a.rep.id).contacts.list()).items.map((c) => c.id)).toEqual([a.mine.id]);
      await expect(a.as(a.rep.id).contacts.get(a.theirs.id)).rejects.toBeInstanceOf(NotFoundError);
      await a.sys.companies.create({ name: 'Unseen' });
      expect((await a.as(a.rep.id).companies.list()).items).toEqual([]);
      expect((await b.as(b.rep.id).contacts.list()).items).toHaveLength(2);
      // Deleting the stored role gives the name back to the built-in, even though members hold it.
      await a.as(a.admin.id).roles.delete(stored.id);
      expect((await a.as(a.rep.id).contacts.list()).items).toHaveLength(2);
    });

    run('combines a member\'s roles: the most permissive level wins', async () => {
      const { sys, other, as } = await world();
      const pipeline = await sys.pipelines.create({ name: 'Sales', stages: salesStages });
      const deal = await sys.deals.create({ title: 'Big', pipelineId: pipeline.id, ownerId: other.id });
      await sys.roles.create({ name: 'contact-keeper', grants: { contact: { read: 'all', update: 'all' } } });
      const both = await sys.members.create({ name: 'Both', role: 'read-only', roles: ['deal-desk', 'contact-keeper'] });
      const t = as(both.id);
      await t.deals.update(deal.id, { title: 'Bigger' });
      const contact = await sys.contacts.create({ firstName: 'Kept', ownerId: other.id });
      await t.contacts.update(contact.id, { lastName: 'Safe' });
      await expect(t.contacts.create({ firstName: 'New' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(t.deals.delete(deal.id)).rejects.toBeInstanceOf(ForbiddenError);
      const effective = await t.roles.effective();
      expect(effective.roles).toEqual(['read-only', 'deal-desk', 'contact-keeper']);
      expect(effective.levels.deal).toMatchObject({ read: 'all', update: 'all', delete: 'none', create: 'none' });
      expect(effective.levels.contact).toMatchObject({ read: 'all', update: 'all', create: 'none' });
      expect(effective.levels.company).toMatchObject({ read: 'all', update: 'none' });
    });

    run('reports the effective access of the actor, or of a member it names', async () => {
      const { sys, admin, rep, as } = await world();
      await sys.roles.create({ name: 'quiet', grants: { contact: 'all' }, fields: { contact: { email: 'hidden', phone: 'readOnly' } } });
      const quiet = await sys.members.create({ name: 'Quiet', role: 'read-only', roles: ['quiet'] });
      const mine = await as(rep.id).roles.effective();
      expect(mine.roles).toEqual(['rep']);
      expect(mine.levels.contact).toEqual({ read: 'all', create: 'own', update: 'own', delete: 'own', export: 'own', merge: 'none', assign: 'own' });
      expect(mine.levels.pipeline.update).toBe('none');
      expect(mine.fields).toEqual({});
      expect(await as(admin.id).roles.effective(rep.id)).toEqual(mine);
      expect(await sys.roles.effective(rep.id)).toEqual(mine);
      // `read-only` reads contacts without rules: the most permissive rule over the readers is no rule.
      const both = await sys.roles.effective(quiet.id);
      expect(both.fields).toEqual({});
      expect(both.levels.contact.update).toBe('all');
      await expect(sys.roles.effective()).rejects.toBeInstanceOf(ValidationError);
      await expect(sys.roles.effective('no-such-member')).rejects.toBeInstanceOf(NotFoundError);
      await sys.members.update(rep.id, { active: false });
      await expect(sys.roles.effective(rep.id)).rejects.toBeInstanceOf(StateError);
    });

    run('reports field rules when every role reading the entity has them', async () => {
      const { id, sys } = await world();
      await sys.roles.create({ name: 'blind', grants: { contact: { read: 'all' } }, fields: { contact: { email: 'hidden', 'custom.salary': 'readOnly' } } });
      // `member.role` is always a built-in; with a stored `agent` that reads no contacts, `blind` is the only contact reader.
      await sys.roles.create({ name: 'agent', grants: { case: 'team' } });
      const member = await sys.members.create({ name: 'Blind', role: 'agent', roles: ['blind'] });
      const effective = await env.crm.tenant(id, { actorId: member.id }).roles.effective();
      expect(effective.fields).toEqual({ contact: { email: 'hidden', 'custom.salary': 'readOnly' } });
      expect(effective.levels.case.read).toBe('team');
    });
  });

  describe('members naming roles', () => {
    run('accepts built-in, code and stored roles, and refuses unknown names', async () => {
      const { sys, rep } = await world();
      await sys.roles.create({ name: 'stored-one', grants: {} });
      const member = await sys.members.create({ name: 'Many', roles: ['manager', 'deal-desk', 'stored-one', 'deal-desk'] });
      expect(member.roles).toEqual(['manager', 'deal-desk', 'stored-one']);
      const refused = await sys.members.create({ name: 'X', roles: ['stored-one', 'ghost', 'phantom'] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).message).toContain('ghost, phantom');
      await expect(sys.members.update(rep.id, { roles: ['ghost'] })).rejects.toBeInstanceOf(ValidationError);
      await expect(sys.members.create({ name: 'Bad', roles: ['Not Valid'] })).rejects.toBeInstanceOf(ValidationError);
      const updated = await sys.members.update(rep.id, { roles: ['stored-one', 'stored-one', 'read-only'] });
      expect(updated.roles).toEqual(['stored-one', 'read-only']);
      // Another tenant's stored role is no role here.
      const other = await world();
      await expect(other.sys.members.create({ name: 'Y', roles: ['stored-one'] })).rejects.toBeInstanceOf(ValidationError);
    });

    run('refuses to delete or rename a stored role members still name, then allows it', async () => {
      const { sys, rep } = await world();
      const role = await sys.roles.create({ name: 'closer', grants: { deal: 'all' } });
      await sys.members.update(rep.id, { roles: ['closer'] });
      const refused = await sys.roles.delete(role.id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StateError);
      expect((refused as StateError).message).toContain('1 member(s)');
      await expect(sys.roles.update(role.id, { name: 'opener' })).rejects.toBeInstanceOf(StateError);
      // Changing what the role grants is fine.
      await sys.roles.update(role.id, { description: 'Closes deals' });
      await sys.members.update(rep.id, { roles: [] });
      await sys.roles.update(role.id, { name: 'opener' });
      await sys.roles.delete(role.id);
      expect((await sys.roles.list()).items).toEqual([]);
    });

    run('reads the actor\'s grant again after the actor\'s own roles change in the same scope', async () => {
      const { admin, as } = await world();
      const t = as(admin.id);
      await t.contacts.create({ firstName: 'Before' });
      await t.members.update(admin.id, { role: 'read-only' });
      await expect(t.contacts.create({ firstName: 'After' })).rejects.toBeInstanceOf(ForbiddenError);
      expect((await t.roles.effective()).roles).toEqual(['read-only']);
    });

    run('reads the actor\'s grant again after the actor changes a role in the same scope', async () => {
      const { admin, as } = await world();
      const t = as(admin.id);
      await t.contacts.create({ firstName: 'Before' });
      // A stored `admin` takes the place of the built-in: this admin now only reads records and manages roles.
      await t.roles.create({ name: 'admin', grants: { '*': { read: 'all' }, role: 'all' } });
      await expect(t.contacts.create({ firstName: 'After' })).rejects.toBeInstanceOf(ForbiddenError);
      expect((await t.roles.effective()).levels.contact.create).toBe('none');
    });
  });
});
