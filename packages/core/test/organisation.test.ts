import { DuplicateError, NotFoundError, ValidationError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

describe('members and teams', () => {
  it('builds a team hierarchy and lists the active members of a team', async () => {
    const t = env.crm.tenant('acme');
    const central = await t.teams.create({ name: 'Central' });
    const manager = await t.members.create({ name: 'Dustin', role: 'manager' });
    const team = await t.teams.create({ name: "Dustin's team", managerId: manager.id, parentTeamId: central.id });
    const anna = await t.members.create({ name: 'Anna', teamIds: [team.id] });
    await t.members.create({ name: 'Zed', teamIds: [team.id], active: false });
    expect((await t.members.ofTeam(team.id)).map((m) => m.id)).toEqual([anna.id]);
    await expect(t.teams.update(central.id, { parentTeamId: team.id })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.members.create({ name: 'X', teamIds: ['missing'] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.teams.create({ name: 'Central' })).rejects.toBeInstanceOf(DuplicateError);
  });
});

describe('companies', () => {
  it('normalises domains, refuses duplicates and keeps parent links acyclic', async () => {
    const t = env.crm.tenant('acme');
    const parent = await t.companies.create({ name: 'Holding', domain: 'https://www.Holding.com/about' });
    expect(parent.domain).toBe('holding.com');
    await expect(t.companies.create({ name: 'Copy', domain: 'holding.com' })).rejects.toBeInstanceOf(DuplicateError);
    await expect(t.companies.create({ name: 'Bad', domain: 'not a domain' })).rejects.toBeInstanceOf(ValidationError);
    const child = await t.companies.create({ name: 'Sub', parentCompanyId: parent.id, annualRevenue: { minor: 110_004_000_000, currency: 'USD' } });
    expect(child.annualRevenue).toEqual({ minor: 110_004_000_000, currency: 'USD' });
    expect((await t.companies.subsidiaries(parent.id)).map((c) => c.id)).toEqual([child.id]);
    await expect(t.companies.update(parent.id, { parentCompanyId: child.id })).rejects.toBeInstanceOf(ValidationError);
    expect((await t.companies.findByDomain('HOLDING.com'))?.id).toBe(parent.id);
  });

  it('unlinks contacts and subsidiaries when a company is deleted', async () => {
    const t = env.crm.tenant('acme');
    const co = await t.companies.create({ name: 'Gone' });
    const sub = await t.companies.create({ name: 'Sub', parentCompanyId: co.id });
    const ada = await t.contacts.create({ firstName: 'Ada', companyId: co.id });
    await t.companies.delete(co.id);
    expect((await t.contacts.get(ada.id)).companyId).toBeNull();
    expect((await t.companies.get(sub.id)).parentCompanyId).toBeNull();
    const trail = await t.audit.forRecord('contact', ada.id);
    expect(trail.items).toEqual([
      expect.objectContaining({ action: 'create', recordVersion: 1 }),
      expect.objectContaining({ action: 'update', changes: [{ field: 'companyId', from: co.id, to: null }], recordVersion: 2 }),
    ]);
  });
});

describe('owners', () => {
  it('refuses an owner who is not a member of the tenant, on every owned record', async () => {
    const t = env.crm.tenant('acme');
    const outsider = await env.crm.tenant('other').members.create({ name: 'Outsider' });
    const task = await t.tasks.create({ title: 'x' });
    await expect(t.members.create({ name: 'M', ownerId: outsider.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.teams.create({ name: 'T', ownerId: outsider.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.products.create({ name: 'P', ownerId: outsider.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.tasks.update(task.id, { ownerId: outsider.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('deleting teams and products, correcting interactions', () => {
  it('refuses to delete a team with members or sub-teams, and deletes an empty one', async () => {
    const t = env.crm.tenant('acme');
    const region = await t.teams.create({ name: 'Region' });
    const team = await t.teams.create({ name: 'Team', parentTeamId: region.id });
    const rep = await t.members.create({ name: 'Rep', teamIds: [team.id] });
    await expect(t.teams.delete(region.id)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(t.teams.delete(team.id)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await t.members.update(rep.id, { teamIds: [] });
    await t.teams.delete(team.id);
    await t.teams.delete(region.id);
    expect((await t.teams.list()).items).toEqual([]);
  });

  it('deletes a product while deal lines keep their copy', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.products.create({ name: 'GTX', price: { minor: 1000, currency: 'USD' } });
    const pipeline = await t.pipelines.create({ name: 'S', stages: [{ name: 'Open' }] });
    const deal = await t.deals.create({ title: 'D', pipelineId: pipeline.id, lines: [{ productId: p.id }] });
    await t.products.delete(p.id);
    await expect(t.products.get(p.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.deals.get(deal.id)).lines[0]).toMatchObject({ productId: p.id, name: 'GTX', unitPriceMinor: 1000 });
  });

  it('corrects an interaction, moving it in the timeline, and deletes it', async () => {
    const t = env.crm.tenant('acme');
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const call = await t.interactions.log({ type: 'call', contactIds: [ada.id], subject: 'first', occurredAt: '2026-03-01T10:00:00Z' });
    const fixed = await t.interactions.update(call.id, { subject: 'intro call', occurredAt: '2026-02-01T10:00:00Z' }, { expectedVersion: 1 });
    expect(fixed).toMatchObject({ subject: 'intro call', occurredAt: '2026-02-01T10:00:00.000Z', version: 2 });
    const page = await t.timeline.forContact(ada.id, { cursor: undefined });
    expect(page.items.map((i) => i.at)).toEqual(['2026-02-01T10:00:00.000Z']);
    await t.interactions.delete(call.id);
    expect((await t.timeline.forContact(ada.id)).items).toEqual([]);
  });
});
