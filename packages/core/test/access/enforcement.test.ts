import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '@crmkit/core';
import { crmTargets } from '../targets.js';

let tenants = 0;
/** A tenant id of its own per test: the Postgres target shares one database per file. */
const nextTenant = () => `acme-${++tenants}`;

describe.each(crmTargets())('the enforced storage ($name)', ({ skip, open }) => {
  it.skipIf(skip !== undefined)('scopes reads by level and refuses writes outside the grant', async () => {
    const { crm } = await open({ access: {} });
    const tenant = nextTenant();
    const sys = crm.system(tenant);
    const team = await sys.teams.create({ name: 'West' });
    const a = await sys.members.create({ name: 'A', role: 'rep', teamIds: [team.id] });
    const b = await sys.members.create({ name: 'B', role: 'rep', teamIds: [team.id] });
    const m = await sys.members.create({ name: 'M', role: 'manager', teamIds: [team.id] });
    const ro = await sys.members.create({ name: 'R', role: 'read-only' });
    const ag = await sys.members.create({ name: 'G', role: 'agent' });
    const ta = crm.tenant(tenant, { actorId: a.id });
    const mine = await ta.contacts.create({ firstName: 'Own' });
    expect(mine.ownerId).toBe(a.id);
    const theirs = await sys.contacts.create({ firstName: 'Other', ownerId: b.id });
    expect((await ta.contacts.list()).items).toHaveLength(2);
    await ta.contacts.update(mine.id, { lastName: 'x' });
    await expect(ta.contacts.update(theirs.id, { lastName: 'x' })).rejects.toMatchObject({ entity: 'contact', action: 'update', id: theirs.id });
    await crm.tenant(tenant, { actorId: m.id }).contacts.update(theirs.id, { lastName: 'y' });
    await expect(crm.tenant(tenant, { actorId: ro.id }).contacts.create({ firstName: 'N' })).rejects.toBeInstanceOf(ForbiddenError);
    const pipeline = await sys.pipelines.create({ name: 'P', stages: [{ name: 'A' }, { name: 'W', category: 'won' }] });
    const deal = await crm.tenant(tenant, { actorId: b.id }).deals.create({ title: 'D', pipelineId: pipeline.id });
    // The agent reads only their own deals: another's is missing, not forbidden.
    const tg = crm.tenant(tenant, { actorId: ag.id });
    expect((await tg.deals.list()).items).toEqual([]);
    await expect(tg.deals.get(deal.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(tg.deals.update(deal.id, { title: 'Mine now' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it.skipIf(skip !== undefined)('refuses an update that would change nothing to a member who may not change the record', async () => {
    const { crm } = await open({ access: {} });
    const tenant = nextTenant();
    const sys = crm.system(tenant);
    const rep = await sys.members.create({ name: 'Rep', role: 'rep' });
    const reader = await sys.members.create({ name: 'Reader', role: 'read-only' });
    const contact = await sys.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', ownerId: rep.id });
    const t = crm.tenant(tenant, { actorId: reader.id });
    await expect(t.contacts.update(contact.id, { lastName: 'Lovelace' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.contacts.update(contact.id, { ownerId: rep.id })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it.skipIf(skip !== undefined)("keeps members' roles and teams, and where teams sit, to administrators", async () => {
    const { crm } = await open({ access: {} });
    const tenant = nextTenant();
    const sys = crm.system(tenant);
    const west = await sys.teams.create({ name: 'West' });
    const east = await sys.teams.create({ name: 'East' });
    const rep = await sys.members.create({ name: 'Rep', role: 'rep' });
    const manager = await sys.members.create({ name: 'Manager', role: 'manager', teamIds: [west.id] });
    const admin = await sys.members.create({ name: 'Admin', role: 'admin' });
    // The rep owns their own member row, so `own` update would otherwise let them make themselves admin.
    await sys.members.update(rep.id, { ownerId: rep.id });
    const asRep = crm.tenant(tenant, { actorId: rep.id });
    await expect(asRep.members.update(rep.id, { roles: ['admin'] })).rejects.toMatchObject({ code: 'FORBIDDEN', entity: 'member' });
    await expect(asRep.members.update(rep.id, { role: 'admin' })).rejects.toBeInstanceOf(ForbiddenError);
    await asRep.members.update(rep.id, { name: 'Rep Renamed' });
    const asManager = crm.tenant(tenant, { actorId: manager.id });
    await expect(asManager.members.create({ name: 'Sock puppet', role: 'admin', ownerId: manager.id })).rejects.toBeInstanceOf(ForbiddenError);
    await sys.teams.update(east.id, { ownerId: manager.id });
    await expect(asManager.teams.update(east.id, { parentTeamId: west.id })).rejects.toBeInstanceOf(ForbiddenError);
    const asAdmin = crm.tenant(tenant, { actorId: admin.id });
    await asAdmin.teams.update(east.id, { parentTeamId: west.id });
    expect((await asAdmin.members.update(rep.id, { roles: ['read-only'] })).roles).toEqual(['read-only']);
  });

  it.skipIf(skip !== undefined)("treats moving a case to another team as assigning it", async () => {
    const { crm } = await open({
      access: { roles: [{ name: 'desk', grants: { '*': { read: 'all' }, case: { read: 'all', update: 'all', assign: 'none' } } }] },
    });
    const tenant = nextTenant();
    const sys = crm.system(tenant);
    const first = await sys.teams.create({ name: 'First line' });
    const second = await sys.teams.create({ name: 'Second line' });
    const desk = await sys.members.create({ name: 'Desk', role: 'rep', roles: ['desk'] });
    const contact = await sys.contacts.create({ firstName: 'Ada' });
    const c = await sys.cases.create({ subject: 'Broken', contactId: contact.id, teamId: first.id });
    const t = crm.tenant(tenant, { actorId: desk.id });
    await t.cases.update(c.id, { subject: 'Broken screen' });
    await expect(t.cases.assign(c.id, { teamId: second.id })).rejects.toMatchObject({ code: 'FORBIDDEN', action: 'assign' });
  });
});
