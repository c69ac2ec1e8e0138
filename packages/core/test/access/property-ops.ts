import { type Crm, ForbiddenError, type ListOptions, NotFoundError, type Page, type TenantScope, type Where } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ModelEntity, ModelRecord, Outcome, TenantModel } from './access-model.js';
import { createRecord, fieldValues, type PoolEntry, regroupMember, reparentTeam, type SeededTenant, unstoreRole } from './property-world.js';

/**
 * The operations of the access properties and their check against the model:
 * each picks a tenant, an actor of it (or the system scope), and a target
 * record (one in five of the other tenant; deleted ones too), asserts the
 * outcome the model gives, then applies a permitted write to the model.
 */

/** What an operation does: record calls, then the system's changes of teams, members and stored roles, and `roles.effective`. */
export const opKinds = ['get', 'list', 'count', 'update', 'assign', 'delete', 'create', 'share', 'shares', 'regroup', 'reparent', 'unstore', 'effective'] as const;

/** One operation, by indexes taken modulo what exists when it runs. */
export const opArb = fc.record({
  kind: fc.constantFrom(...opKinds),
  tenant: fc.nat({ max: 1 }),
  actor: fc.nat(),
  target: fc.nat(),
  /** 0: a record of the other tenant; else one of the operation's tenant (perhaps deleted). */
  cross: fc.nat({ max: 4 }),
  who: fc.option(fc.nat(), { nil: null, freq: 4 }),
  entity: fc.constantFrom<ModelEntity>('contact', 'deal', 'case'),
  filter: fc.nat({ max: 2 }),
  limit: fc.integer({ min: 1, max: 4 }),
  toTeam: fc.boolean(),
  access: fc.constantFrom<'read' | 'write'>('read', 'write'),
  /** Lists: sorted by the changing field, descending (then id), instead of by id. */
  order: fc.boolean(),
  /** Act in the scope an earlier operation of the actor used (its policy read once), not a new one. */
  reuse: fc.boolean(),
});
/** See {@link opArb}. */
export type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/** The field of an entity the operations filter on and change. */
export const fieldOf = (entity: ModelEntity) => (entity === 'contact' ? 'lastName' : entity === 'deal' ? 'source' : 'subject');

/** A record as the services return it, reduced to what the model knows. */
export interface Seen {
  id: string;
  ownerId: string | null;
  value: string | null;
  version: number;
}

/** A service's record as {@link Seen}. */
export function seen(entity: ModelEntity, record: { id: string; ownerId: string | null; teamId?: string | null; version: number } & Record<string, unknown>): Seen {
  return { id: record.id, ownerId: record.ownerId, value: (record[fieldOf(entity)] as string | null) ?? null, version: record.version };
}

/** What the model says a service returns for the record. */
export function expected(record: ModelRecord): Seen {
  return { id: record.id, ownerId: record.ownerId, value: record.value, version: record.writes + 1 };
}

/** The where-tree of filter number `n` and the model's reading of it. */
export function filterOf(entity: ModelEntity, n: number): { where: Where | undefined; matches: (r: ModelRecord) => boolean } {
  const field = fieldOf(entity);
  if (n === 1) return { where: { [field]: 'A' }, matches: (r) => r.value === 'A' };
  if (n === 2) return { where: { or: [{ [field]: { in: ['B', 'C'] } }, { ownerId: null }] }, matches: (r) => r.value === 'B' || r.value === 'C' || r.ownerId === null };
  return { where: undefined, matches: () => true };
}

/** Runs a call and classifies its outcome; any other error fails the property. */
export async function attempt<T>(call: () => Promise<T>): Promise<{ outcome: Outcome; value?: T }> {
  try {
    return { outcome: 'ok', value: await call() };
  } catch (error) {
    if (error instanceof NotFoundError) return { outcome: 'NotFound' };
    if (error instanceof ForbiddenError) return { outcome: 'Forbidden' };
    throw error;
  }
}

type Row = Parameters<typeof seen>[1];

/** The calls of one entity's service, their records reduced to rows the model can compare. */
export function callsOf(t: TenantScope, entity: ModelEntity) {
  const service = entity === 'contact' ? t.contacts : entity === 'deal' ? t.deals : t.cases;
  const field = fieldOf(entity);
  return {
    get: async (id: string) => (await service.get(id)) as unknown as Row,
    list: async (options: ListOptions) => (await service.list(options)) as unknown as Page<Row>,
    update: async (id: string, value: string) =>
      (entity === 'contact' ? await t.contacts.update(id, { [field]: value }) : entity === 'deal' ? await t.deals.update(id, { [field]: value }) : await t.cases.update(id, { [field]: value })) as unknown as Row,
    /** A case's owner and team change through `cases.assign`; the others' owner through `update`. */
    assign: async (id: string, to: { ownerId: string | null } | { teamId: string | null }) =>
      (entity === 'case' ? await t.cases.assign(id, to) : await (entity === 'contact' ? t.contacts : t.deals).update(id, to as { ownerId: string | null })) as unknown as Row,
    /** Cases are never deleted (no such method): undefined for them. */
    delete: entity === 'case' ? undefined : (id: string) => (entity === 'contact' ? t.contacts.delete(id) : t.deals.delete(id)),
  };
}

/** Every page of a list. */
export async function listAll(t: TenantScope, entity: ModelEntity, where: Where | undefined, limit: number, byValue = false): Promise<Seen[]> {
  const out: Seen[] = [];
  let cursor: string | undefined;
  do {
    const options = { limit, ...(where ? { where } : {}), ...(cursor ? { cursor } : {}), ...(byValue ? { orderBy: { [fieldOf(entity)]: 'desc' as const } } : {}) };
    const page = await callsOf(t, entity).list(options);
    out.push(...page.items.map((r) => seen(entity, r)));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

const kept = new WeakMap<Crm, Map<string, TenantScope>>();

/** The scope an operation acts in: a member of its tenant (a new scope, or the one kept from before), or the system. */
export function actorOf(crm: Crm, tenant: SeededTenant, op: Op): { actorId: string | null; t: TenantScope } {
  const n = tenant.memberIds.length;
  const a = op.actor % (n + 2);
  // The system scope in about one operation of n + 2; a member in the others.
  const actorId = a >= n ? (a === n ? null : tenant.memberIds[op.actor % n]!) : tenant.memberIds[a]!;
  if (actorId === null) return { actorId, t: tenant.sys };
  const scopes = kept.get(crm) ?? new Map<string, TenantScope>();
  kept.set(crm, scopes);
  const t = (op.reuse ? scopes.get(actorId) : undefined) ?? crm.tenant(tenant.model.tenantId, { actorId });
  scopes.set(actorId, t);
  return { actorId, t };
}

/** The model's records in the order of a list: by id, or by the field descending then id (in the last term's direction). */
export function inListOrder(records: ModelRecord[], byValue: boolean): ModelRecord[] {
  if (!byValue) return records;
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return [...records].sort((a, b) => desc(a.value ?? '', b.value ?? '') || desc(a.id, b.id));
}

/** Runs one operation and asserts what the model expects of it, then applies it to the model. */
export async function runOp(crm: Crm, tenants: SeededTenant[], pool: PoolEntry[], op: Op, step: number): Promise<void> {
  const tenant = tenants[op.tenant]!;
  const model: TenantModel = tenant.model;
  const { actorId, t } = actorOf(crm, tenant, op);
  const candidates = pool.filter((p) => (p.tenant === op.tenant) === (op.cross !== 0));
  const entry = candidates[op.target % candidates.length]!;
  // Another tenant's record, or a deleted one, is missing for everyone.
  const record = entry.tenant === op.tenant ? model.records.get(entry.id) : undefined;
  const on = (actions: Parameters<TenantModel['outcome']>[2]): Outcome => (record === undefined ? 'NotFound' : model.outcome(actorId, entry.id, actions));
  const label = `step ${step}: ${op.kind} ${entry.entity} ${entry.id} (tenant ${entry.tenant}) in tenant ${op.tenant} by ${actorId ?? 'system'}`;
  const calls = callsOf(t, entry.entity);
  const members = tenant.memberIds;

  switch (op.kind) {
    case 'get': {
      const got = await attempt(() => calls.get(entry.id));
      expect(got.outcome, label).toBe(on(['read']));
      if (got.value) expect(seen(entry.entity, got.value), label).toEqual(expected(record!));
      return;
    }
    case 'list': {
      const { where, matches } = filterOf(op.entity, op.filter);
      const items = await listAll(t, op.entity, where, op.limit, op.order);
      const want = inListOrder(model.visible(actorId, op.entity).filter(matches), op.order).map(expected);
      expect(items, `${label} list ${JSON.stringify(where)}${op.order ? ' by value' : ''}`).toEqual(want);
      return;
    }
    case 'count': {
      const { where, matches } = filterOf(op.entity, op.filter);
      const visible = model.visible(actorId, op.entity).filter(matches);
      if (op.entity !== 'contact') {
        // Counting in the database (a grouped aggregate): only the records the actor may read, per owner.
        const source = op.entity === 'deal' ? 'deals' : 'cases';
        const { rows } = await t.reports.cube({ source, measures: ['count'], dimensions: ['owner'], ...(where ? { filters: where } : {}) });
        const counts = Object.fromEntries(rows.map((r) => [String(r.dimensions.owner), r.measures.count]));
        const want: Record<string, number> = {};
        for (const r of visible) want[String(r.ownerId)] = (want[String(r.ownerId)] ?? 0) + 1;
        expect(counts, `${label} cube ${JSON.stringify(where)}`).toEqual(want);
      } else {
        // An export counts the contacts the actor may read and export (shares lend read, not export);
        // an actor who may export none is refused rather than told there is nothing.
        const got = await attempt(() => t.exports.count('contact', where ? { where } : {}));
        const refused = actorId !== null && model.level(actorId, 'contact', 'export') === 'none';
        expect(got, `${label} export count ${JSON.stringify(where)}`).toEqual(
          refused ? { outcome: 'Forbidden' } : { outcome: 'ok', value: visible.filter((r) => model.can(actorId, r, 'export')).length },
        );
      }
      return;
    }
    case 'update': {
      // Always a real change: a patch that changes nothing writes (and checks) nothing.
      const value = fieldValues[(fieldValues.indexOf((record?.value ?? 'A') as 'A') + 1 + (op.toTeam ? 1 : 0)) % fieldValues.length]!;
      const got = await attempt(() => calls.update(entry.id, value));
      expect(got.outcome, label).toBe(on(['update']));
      if (got.value) {
        record!.value = value;
        record!.writes++;
        expect(seen(entry.entity, got.value), label).toEqual(expected(record!));
      }
      return;
    }
    case 'assign': {
      if (entry.entity === 'case' && op.toTeam) {
        // Queueing a case to another team changes whose it is at team level: it takes `update` and `assign`.
        const teams = tenant.teamIds;
        let teamId = op.who === null ? null : teams[op.who % teams.length]!;
        if (record !== undefined && teamId === record.teamId) teamId = teams[(teams.indexOf(teamId ?? teams[0]!) + 1) % teams.length]!;
        if (record !== undefined && teamId === record.teamId) teamId = null;
        const got = await attempt(() => calls.assign(entry.id, { teamId }));
        expect(got.outcome, `${label} to team ${teamId}`).toBe(on(['update', 'assign']));
        if (got.value) {
          record!.teamId = teamId;
          record!.writes++;
          expect({ ...seen(entry.entity, got.value), teamId: got.value.teamId }, label).toEqual({ ...expected(record!), teamId });
        }
        return;
      }
      let ownerId = op.who === null ? null : members[op.who % members.length]!;
      if (record !== undefined && ownerId === record.ownerId) ownerId = members[(members.indexOf(ownerId ?? members[0]!) + 1) % members.length]!;
      const got = await attempt(() => calls.assign(entry.id, { ownerId }));
      expect(got.outcome, `${label} to ${ownerId}`).toBe(on(['update', 'assign']));
      if (got.value) {
        record!.ownerId = ownerId;
        record!.writes++;
        expect(seen(entry.entity, got.value), label).toEqual(expected(record!));
      }
      return;
    }
    case 'delete': {
      const remove = calls.delete;
      if (remove === undefined) return;
      const got = await attempt(() => remove(entry.id));
      expect(got.outcome, label).toBe(on(['delete']));
      if (got.outcome === 'ok') model.remove(entry.id);
      return;
    }
    case 'create': {
      const ownerId = op.who === null ? null : members[op.who % members.length]!;
      const teamId = op.entity === 'case' && op.toTeam ? tenant.teamIds[op.target % tenant.teamIds.length]! : null;
      const value = fieldValues[op.limit % fieldValues.length]!;
      const got = await attempt(() => createRecord(t, tenant, op.entity, ownerId, teamId, value));
      const what = `step ${step}: create ${op.entity} owned by ${ownerId} (team ${teamId}) in tenant ${op.tenant} by ${actorId ?? 'system'}`;
      expect(got.outcome, what).toBe(model.createOutcome(actorId, op.entity, ownerId, teamId));
      if (got.value) {
        expect(got.value.ownerId).toBe(ownerId);
        model.records.set(got.value.id, { id: got.value.id, entity: op.entity, ownerId, teamId, value, writes: 0 });
        pool.push({ tenant: op.tenant, id: got.value.id, entity: op.entity });
      }
      return;
    }
    case 'share': {
      const to = op.toTeam ? { teamId: tenant.teamIds[(op.who ?? 0) % tenant.teamIds.length]! } : { memberId: members[(op.who ?? 0) % members.length]! };
      const got = await attempt(() => t.shares.grant({ entity: entry.entity, recordId: entry.id, ...to, access: op.access }));
      expect(got.outcome, `${label} to ${JSON.stringify(to)} ${op.access}`).toBe(on(['update']));
      if (got.outcome === 'ok') {
        model.share(record!, to, op.access);
        // Which entities have records shared with a member is part of the policy a scope reads once
        // (see loadPolicy): a member's first share of an entity reaches their next scope, so kept ones go.
        kept.delete(crm);
      }
      return;
    }
    case 'regroup':
    case 'reparent':
    case 'unstore': {
      // The system changes who is in which team, where a team sits, or which roles the tenant stores;
      // scopes kept from before hold the policies they read (read once per scope, by design): dropped.
      if (op.kind === 'regroup') await regroupMember(tenant, op.who ?? 0, op.target, op.actor);
      else if (op.kind === 'reparent') await reparentTeam(tenant, op.target, op.who);
      else await unstoreRole(tenant, op.target);
      kept.delete(crm);
      return;
    }
    case 'effective': {
      // What the roles service says the actor may do is what the model resolves.
      if (actorId === null) return;
      const { levels } = await t.roles.effective();
      for (const entity of ['contact', 'deal', 'case'] as const) {
        for (const action of ['read', 'create', 'update', 'delete', 'assign', 'export'] as const) {
          expect(levels[entity]?.[action], `step ${step}: effective ${entity} ${action} of ${actorId}`).toBe(model.level(actorId, entity, action));
        }
      }
      return;
    }
    case 'shares': {
      const got = await attempt(() => t.shares.forRecord(entry.entity, entry.id));
      expect(got.outcome, label).toBe(on(['read']));
      if (got.value) {
        const shape = (s: { memberId: string | null; teamId: string | null; access: string }) => `${s.memberId ?? '-'}/${s.teamId ?? '-'}/${s.access}`;
        expect(got.value.map(shape).sort(), label).toEqual(model.shares.filter((s) => s.recordId === entry.id).map(shape).sort());
      }
      return;
    }
  }
}

/** After a run: every member's lists of each entity, and the system's, equal the model (nothing refused was written). */
export async function checkEveryone(crm: Crm, tenants: SeededTenant[]): Promise<void> {
  for (const tenant of tenants) {
    for (const entity of ['contact', 'deal', 'case'] as const) {
      expect(await listAll(tenant.sys, entity, undefined, 1000), `system ${entity}s of ${tenant.model.tenantId}`).toEqual(tenant.model.visible(null, entity).map(expected));
      for (const actorId of tenant.memberIds) {
        const t = crm.tenant(tenant.model.tenantId, { actorId });
        expect(await listAll(t, entity, undefined, 1000), `${entity}s of ${actorId}`).toEqual(tenant.model.visible(actorId, entity).map(expected));
      }
    }
  }
}
