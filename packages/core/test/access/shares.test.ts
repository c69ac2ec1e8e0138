import { type CrmEvent, ForbiddenError, NotFoundError, type TenantScope, ValidationError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from '../helpers.js';
import { type CrmOnTarget, crmTargets } from '../targets.js';

const targets = crmTargets();

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const line of lines) out += line;
  return out;
}

describe.each(targets)('shares ($name)', (target) => {
  let env: CrmOnTarget;
  let n = 0;
  const tenant = () => `shares-${process.pid}-${++n}`;
  beforeAll(async () => {
    if (!target.skip) env = await target.open({ access: {} });
  });
  afterAll(() => env?.crm.close());
  const run = it.skipIf(target.skip);

  /**
   * A rep owning a deal, and agents (who read only their own deals): one in
   * team West, which sits inside Region; one in Region; one in Other; one in no team.
   */
  async function world() {
    const id = tenant();
    const sys = env.crm.system(id);
    const region = await sys.teams.create({ name: 'Region' });
    const west = await sys.teams.create({ name: 'West', parentTeamId: region.id });
    const otherTeam = await sys.teams.create({ name: 'Other' });
    const rep = await sys.members.create({ name: 'Rep', role: 'rep' });
    const inWest = await sys.members.create({ name: 'In West', role: 'agent', teamIds: [west.id] });
    const inRegion = await sys.members.create({ name: 'In Region', role: 'agent', teamIds: [region.id] });
    const inOther = await sys.members.create({ name: 'In Other', role: 'agent', teamIds: [otherTeam.id] });
    const solo = await sys.members.create({ name: 'Solo', role: 'agent' });
    const pipeline = await sys.pipelines.create({ name: 'Sales', stages: salesStages });
    const deal = await sys.deals.create({ title: 'Renewal', pipelineId: pipeline.id, ownerId: rep.id });
    const as = (memberId: string): TenantScope => env.crm.tenant(id, { actorId: memberId });
    /** Whether the member reads the deal by id and finds it in a list. */
    const sees = async (memberId: string): Promise<boolean> => {
      const listed = (await as(memberId).deals.list()).items.some((d) => d.id === deal.id);
      const got = await as(memberId).deals.get(deal.id).then(() => true, (e: unknown) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      });
      expect(listed).toBe(got);
      return got;
    };
    return { id, sys, region, west, otherTeam, rep, inWest, inRegion, inOther, solo, pipeline, deal, as, sees };
  }

  describe('granting and revoking', () => {
    run('makes a record readable, then writable, to a member, and takes it back', async () => {
      const { rep, solo, deal, as, sees } = await world();
      expect(await sees(solo.id)).toBe(false);
      await expect(as(solo.id).deals.update(deal.id, { title: 'No' })).rejects.toBeInstanceOf(NotFoundError);
      const share = await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'read' });
      expect(share).toMatchObject({ entity: 'deal', recordId: deal.id, memberId: solo.id, teamId: null, access: 'read', sharedBy: rep.id });
      expect(await sees(solo.id)).toBe(true);
      await expect(as(solo.id).deals.update(deal.id, { title: 'No' })).rejects.toBeInstanceOf(ForbiddenError);
      // Granting the pair again changes the one share it has.
      const again = await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'write' });
      expect(again.id).toBe(share.id);
      expect((await as(rep.id).shares.forRecord('deal', deal.id)).map((s) => [s.id, s.access])).toEqual([[share.id, 'write']]);
      expect((await as(solo.id).deals.update(deal.id, { title: 'Shared edit' })).title).toBe('Shared edit');
      // Write shares grant reading and updating, not deleting.
      await expect(as(solo.id).deals.delete(deal.id)).rejects.toBeInstanceOf(ForbiddenError);
      await as(rep.id).shares.revoke(share.id);
      expect(await sees(solo.id)).toBe(false);
      await expect(as(rep.id).shares.revoke(share.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    run('shares with a team reach its members and the members of the teams it sits inside', async () => {
      const { rep, west, region, inWest, inRegion, inOther, solo, deal, as, sees } = await world();
      const toWest = await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, teamId: west.id, access: 'write' });
      expect(toWest).toMatchObject({ memberId: null, teamId: west.id });
      expect([await sees(inWest.id), await sees(inRegion.id), await sees(inOther.id), await sees(solo.id)]).toEqual([true, true, false, false]);
      await as(inRegion.id).deals.update(deal.id, { title: 'Regional edit' });
      await as(rep.id).shares.revoke(toWest.id);
      // A share with the parent team does not reach down into its sub-teams.
      await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, teamId: region.id, access: 'read' });
      expect([await sees(inWest.id), await sees(inRegion.id), await sees(inOther.id)]).toEqual([false, true, false]);
      await expect(as(inRegion.id).deals.update(deal.id, { title: 'No' })).rejects.toBeInstanceOf(ForbiddenError);
    });

    run('reaches a member who joins the team after the share', async () => {
      const { sys, rep, west, solo, deal, as, sees } = await world();
      await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, teamId: west.id, access: 'read' });
      expect(await sees(solo.id)).toBe(false);
      await sys.members.update(solo.id, { teamIds: [west.id] });
      expect(await sees(solo.id)).toBe(true);
    });

    run('needs the right to update the record', async () => {
      const { rep, solo, inOther, deal, as, sees } = await world();
      const grant = (by: string, memberId: string, access: 'read' | 'write' = 'read') =>
        as(by).shares.grant({ entity: 'deal', recordId: deal.id, memberId, access });
      // Unreadable: the deal does not exist for the agent.
      await expect(grant(solo.id, solo.id)).rejects.toBeInstanceOf(NotFoundError);
      await grant(rep.id, solo.id, 'read');
      // Readable but not writable.
      await expect(grant(solo.id, inOther.id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(grant(solo.id, solo.id, 'write')).rejects.toBeInstanceOf(ForbiddenError);
      const shares = await as(solo.id).shares.forRecord('deal', deal.id);
      await expect(as(solo.id).shares.revoke(shares[0]!.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect(await sees(inOther.id)).toBe(false);
      // Whoever may update it may pass it on, a write share included.
      await grant(rep.id, solo.id, 'write');
      await grant(solo.id, inOther.id);
      expect(await sees(inOther.id)).toBe(true);
    });

    run('keeps one share per pair when the same grant runs twice at once', async () => {
      const { sys, rep, solo, deal, as } = await world();
      const grant = () => as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'write' });
      const [a, b] = await Promise.all([grant(), grant()]);
      expect(a.id).toBe(b.id);
      expect((await sys.shares.forRecord('deal', deal.id)).map((s) => s.access)).toEqual(['write']);
    });

    run('refuses malformed grants and unknown records, members and teams', async () => {
      const { sys, rep, solo, west, deal, as } = await world();
      const t = as(rep.id);
      await expect(t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, teamId: west.id, access: 'read' })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.shares.grant({ entity: 'deal', recordId: deal.id, access: 'read' })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'admin' } as never)).rejects.toBeInstanceOf(ValidationError);
      const role = await sys.roles.create({ name: 'x', grants: {} });
      await expect(sys.shares.grant({ entity: 'role', recordId: role.id, memberId: solo.id, access: 'read' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(sys.shares.forRecord('planet' as never, deal.id)).rejects.toBeInstanceOf(ValidationError);
      await expect(t.shares.grant({ entity: 'deal', recordId: 'nope', memberId: solo.id, access: 'read' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: 'nobody', access: 'read' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.shares.grant({ entity: 'deal', recordId: deal.id, teamId: 'noteam', access: 'read' })).rejects.toBeInstanceOf(NotFoundError);
      expect((await sys.shares.list()).items).toEqual([]);
    });

    run('removes the shares of a deleted record', async () => {
      const { sys, rep, solo, west, deal, pipeline, as } = await world();
      const kept = await sys.deals.create({ title: 'Kept', pipelineId: pipeline.id, ownerId: rep.id });
      await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'write' });
      await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, teamId: west.id, access: 'read' });
      const survivor = await as(rep.id).shares.grant({ entity: 'deal', recordId: kept.id, memberId: solo.id, access: 'read' });
      await as(rep.id).deals.delete(deal.id);
      expect((await sys.shares.list()).items.map((s) => s.id)).toEqual([survivor.id]);
      await expect(sys.shares.forRecord('deal', deal.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('reading shares', () => {
    run('shows only the shares of records the actor may read', async () => {
      const { sys, rep, solo, inOther, deal, pipeline, as } = await world();
      const other = await sys.deals.create({ title: 'Other', pipelineId: pipeline.id, ownerId: inOther.id });
      const contact = await sys.contacts.create({ firstName: 'Ada', ownerId: rep.id });
      const dealShare = await as(rep.id).shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'read' });
      const otherShare = await sys.shares.grant({ entity: 'deal', recordId: other.id, memberId: rep.id, access: 'read' });
      const contactShare = await as(rep.id).shares.grant({ entity: 'contact', recordId: contact.id, memberId: solo.id, access: 'write' });
      const ids = async (t: TenantScope) => (await t.shares.list()).items.map((s) => s.id).sort();
      expect(await ids(sys)).toEqual([dealShare.id, otherShare.id, contactShare.id].sort());
      // Agents read every contact, and only the deals they own or that are shared with them.
      expect(await ids(as(solo.id))).toEqual([dealShare.id, contactShare.id].sort());
      expect(await ids(as(inOther.id))).toEqual([otherShare.id, contactShare.id].sort());
      await expect(as(inOther.id).shares.forRecord('deal', deal.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await as(solo.id).shares.forRecord('deal', deal.id)).map((s) => s.id)).toEqual([dealShare.id]);
      const filtered = await as(rep.id).shares.list({ where: { memberId: solo.id, access: 'write' } });
      expect(filtered.items.map((s) => s.id)).toEqual([contactShare.id]);
      const first = await sys.shares.list({ limit: 2 });
      const rest = await sys.shares.list({ limit: 2, cursor: first.nextCursor! });
      expect([...first.items, ...rest.items].map((s) => s.id).sort()).toEqual(await ids(sys));
    });

    run('audits grants and revokes, and emits share events', async () => {
      const { id, rep, solo, deal, as } = await world();
      const t = as(rep.id);
      const heard: CrmEvent[] = [];
      t.events.on('share.granted', (e) => void heard.push(e));
      t.events.on('share.revoked', (e) => void heard.push(e));
      const share = await t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'read' });
      // The same grant again changes nothing: no entry, no event.
      await t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'read' });
      await t.shares.grant({ entity: 'deal', recordId: deal.id, memberId: solo.id, access: 'write' });
      await t.shares.revoke(share.id);
      expect(heard.map((e) => [e.type, e.actorId, e.tenantId, (e.data as { record: { access: string } }).record.access])).toEqual([
        ['share.granted', rep.id, id, 'read'], ['share.granted', rep.id, id, 'write'], ['share.revoked', rep.id, id, 'write'],
      ]);
      const trail = (await t.audit.forRecord('share', share.id)).items;
      expect(trail.map((e) => [e.action, e.actorId])).toEqual([['create', rep.id], ['update', rep.id], ['delete', rep.id]]);
      expect(trail[0]!.changes).toEqual(expect.arrayContaining([
        { field: 'recordId', from: null, to: deal.id }, { field: 'memberId', from: null, to: solo.id }, { field: 'access', from: null, to: 'read' },
      ]));
      expect(trail[1]!.changes).toEqual([{ field: 'access', from: 'read', to: 'write' }]);
      expect(trail[2]!.changes).toEqual(expect.arrayContaining([{ field: 'access', from: 'write', to: null }]));
    });
  });

  describe('tenants', () => {
    run('keeps a tenant\'s shares to that tenant, also for a copy with the same ids', async () => {
      const a = await world();
      const first = await a.as(a.rep.id).shares.grant({ entity: 'deal', recordId: a.deal.id, memberId: a.solo.id, access: 'read' });
      // A restored copy has the same member and deal ids, and the shares of the backup.
      const copy = tenant();
      await env.crm.tenants.restore(await collect(env.crm.tenants.backup(a.id)), { tenantId: copy });
      const inCopy = (memberId: string) => env.crm.tenant(copy, { actorId: memberId });
      expect((await inCopy(a.solo.id).deals.get(a.deal.id)).title).toBe('Renewal');
      // Shares granted or revoked in one tenant change nothing in the other.
      await a.as(a.rep.id).shares.grant({ entity: 'deal', recordId: a.deal.id, memberId: a.inOther.id, access: 'write' });
      await a.as(a.rep.id).shares.revoke(first.id);
      expect(await a.sees(a.inOther.id)).toBe(true);
      expect(await a.sees(a.solo.id)).toBe(false);
      await expect(inCopy(a.inOther.id).deals.get(a.deal.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(inCopy(a.inOther.id).shares.grant({ entity: 'deal', recordId: a.deal.id, memberId: a.inOther.id, access: 'read' }))
        .rejects.toBeInstanceOf(NotFoundError);
      expect((await inCopy(a.solo.id).deals.get(a.deal.id)).id).toBe(a.deal.id);
      expect((await env.crm.system(copy).shares.list()).items.map((s) => s.id)).toEqual([first.id]);
    });
  });
});
