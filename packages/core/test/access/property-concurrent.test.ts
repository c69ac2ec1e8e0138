import { createCrm, type Where } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from '../targets.js';
import type { ModelRecord, Outcome } from './access-model.js';
import { actorOf, attempt, callsOf, expected, fieldOf, listAll, type Op, opArb, runOp } from './property-ops.js';
import { type PoolEntry, rolesArb, type SeededTenant, seedTenant, tenantArb } from './property-world.js';

/**
 * Access control under concurrency, on the PostgreSQL server: batches of
 * random reads and writes that change no permission (gets, paged lists,
 * counts, share listings, updates of a harmless field) run at once, each in
 * its own member's scope on a pool of 4 connections. Every outcome must be
 * the model's at the batch start, and no update may be lost: a record's
 * version grows by exactly its successful updates and it keeps the value one
 * of them wrote. Between batches, permission changes (share grants,
 * reassignments, members moved between teams, teams moved) run one at a
 * time, checked like the sequential property.
 */

const targets = crmTargets();
const server = targets.find((t) => t.name === 'postgres server')!;

const batchKinds = ['get', 'list', 'count', 'update', 'update', 'update', 'shares'] as const;
const batchOpArb = fc.tuple(opArb, fc.constantFrom(...batchKinds)).map(([op, kind]): Op => ({ ...op, kind }));
const betweenArb = fc.tuple(opArb, fc.constantFrom<Op['kind']>('share', 'assign', 'regroup', 'reparent')).map(([op, kind]): Op => ({ ...op, kind }));
const scenarioArb = fc.record({
  roles: rolesArb,
  tenants: fc.tuple(tenantArb, tenantArb),
  batches: fc.array(fc.record({ ops: fc.array(batchOpArb, { minLength: 6, maxLength: 16 }), after: fc.array(betweenArb, { maxLength: 4 }) }), { minLength: 1, maxLength: 3 }),
});

/** A successful update of a batch: applied to the model once the batch is over. */
interface Written {
  tenant: number;
  recordId: string;
  value: string;
}

describe('access, concurrent property (postgres server)', () => {
  let env: CrmOnTarget;
  let runs = 0;

  beforeAll(async () => {
    if (!server.skip) env = await server.open();
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(server.skip)('parallel calls of several scopes get the outcomes of the model at the batch start, and lose no update', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ roles, tenants: specs, batches }) => {
        const crm = await createCrm({ adapter: env.adapter, clock: env.clock, access: { roles } });
        const run = ++runs;
        const pool: PoolEntry[] = [];
        const tenants: SeededTenant[] = [];
        for (const [i, spec] of specs.entries()) tenants.push(await seedTenant(crm, `accc-${process.pid}-${run}-${i}`, roles, spec, pool, i));

        for (const [b, batch] of batches.entries()) {
          const written = await Promise.all(batch.ops.map((op, i) => batchOp(crm, tenants, pool, op, `batch ${b} op ${i}`)));
          await settle(tenants, written.filter((w): w is Written => w !== undefined));
          for (const [i, op] of batch.after.entries()) await runOp(crm, tenants, pool, op, i);
        }
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});

/**
 * One call of a batch: its expectation is taken from the model before the
 * first await, so from the batch start (the model changes only in `settle`).
 * Values written are unique, so every update changes the record.
 */
async function batchOp(crm: Parameters<typeof actorOf>[0], tenants: SeededTenant[], pool: PoolEntry[], op: Op, label: string): Promise<Written | undefined> {
  const tenant = tenants[op.tenant]!;
  const model = tenant.model;
  const { actorId, t } = actorOf(crm, tenant, op);
  const candidates = pool.filter((p) => (p.tenant === op.tenant) === (op.cross !== 0));
  // Half the calls go to the first two records, so that updates of one record meet.
  const entry = candidates[op.target % (op.limit <= 2 ? Math.min(2, candidates.length) : candidates.length)]!;
  const record = entry.tenant === op.tenant ? model.records.get(entry.id) : undefined;
  const on = (action: 'read' | 'update'): Outcome => (record === undefined ? 'NotFound' : model.outcome(actorId, entry.id, [action]));
  const what = `${label}: ${op.kind} ${entry.entity} ${entry.id} by ${actorId ?? 'system'}`;
  // Filters on owners only: owners do not change inside a batch, values do.
  const where: Where | undefined = op.filter === 0 ? undefined : { or: [{ ownerId: null }, { ownerId: tenant.memberIds[0]! }] };
  const matches = (r: ModelRecord) => where === undefined || r.ownerId === null || r.ownerId === tenant.memberIds[0];
  const ids = (records: { id: string; ownerId: string | null }[]) => records.map((r) => `${r.id}:${r.ownerId}`);

  switch (op.kind) {
    case 'get': {
      const want = on('read');
      const got = await attempt(() => callsOf(t, entry.entity).get(entry.id));
      expect(got.outcome, what).toBe(want);
      if (got.value) expect(got.value.id).toBe(entry.id);
      return undefined;
    }
    case 'list': {
      const want = ids(model.visible(actorId, op.entity).filter(matches));
      expect(ids(await listAll(t, op.entity, where, op.limit)), `${what} list`).toEqual(want);
      return undefined;
    }
    case 'count': {
      const visible = model.visible(actorId, op.entity).filter(matches);
      if (op.entity === 'contact') {
        const refused = actorId !== null && model.level(actorId, 'contact', 'export') === 'none';
        const want = refused ? { outcome: 'Forbidden' } : { outcome: 'ok', value: visible.filter((r) => model.can(actorId, r, 'export')).length };
        expect(await attempt(() => t.exports.count('contact', where ? { where } : {})), `${what} export count`).toEqual(want);
      } else {
        const { rows } = await t.reports.cube({ source: op.entity === 'deal' ? 'deals' : 'cases', measures: ['count'], ...(where ? { filters: where } : {}) });
        expect(rows.reduce((n, r) => n + Number(r.measures.count), 0), `${what} cube count`).toBe(visible.length);
      }
      return undefined;
    }
    case 'update': {
      const want = on('update');
      const value = label.replace(/\D+/g, '-');
      const got = await attempt(() => callsOf(t, entry.entity).update(entry.id, value));
      expect(got.outcome, what).toBe(want);
      return got.value ? { tenant: op.tenant, recordId: entry.id, value } : undefined;
    }
    case 'shares': {
      const want = on('read');
      const got = await attempt(() => t.shares.forRecord(entry.entity, entry.id));
      expect(got.outcome, what).toBe(want);
      if (got.value) expect(got.value.length).toBe(model.shares.filter((s) => s.recordId === entry.id).length);
      return undefined;
    }
    default:
      throw new TypeError(`${op.kind} is not a batch operation`);
  }
}

/**
 * After a batch: every record, read by the system, has a version grown by
 * exactly its successful updates and, if it had any, the value of one of
 * them; the model takes that value.
 */
async function settle(tenants: SeededTenant[], written: Written[]): Promise<void> {
  for (const [i, tenant] of tenants.entries()) {
    for (const record of tenant.model.records.values()) {
      const mine = written.filter((w) => w.tenant === i && w.recordId === record.id);
      record.writes += mine.length;
      const after = await callsOf(tenant.sys, record.entity).get(record.id);
      const value = after[fieldOf(record.entity)] as string;
      if (mine.length > 0) {
        expect(mine.map((w) => w.value), `value of ${record.id}`).toContain(value);
        record.value = value;
      }
      expect({ id: after.id, ownerId: after.ownerId, version: after.version }, `after the batch, ${record.id}`).toEqual(
        (({ id, ownerId, version }) => ({ id, ownerId, version }))(expected(record)),
      );
    }
  }
}
