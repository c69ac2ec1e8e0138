import type { ClaimDueArgs, Row } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { col, expectError, job, jobRow, newTenant } from '../fixtures.js';
import { conformanceJob } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

/**
 * `claimDue`: only due, unleased rows, earliest first, at most `limit`, the lease
 * written and respected until it ends, tenant and `where` restrictions, and
 * concurrent claimers that never receive the same row.
 */
export function describeClaimDue(options: ConformanceOptions): void {
  describePart('claimDue', options, (ctx, test) => {
    /** A unique queue name keeps cross-tenant claims away from other tests' rows. */
    const setup = async (rows: Row[]) => {
      const t = newTenant();
      const queue = `q${newTenant()}`;
      const data = rows.map((row) => jobRow({ queue, ...row }));
      await ctx.adapter.createMany({ ...job(t), rows: data });
      const claim = (now: string, limit: number, extra: Partial<ClaimDueArgs> = {}) =>
        ctx.adapter.claimDue({ model: conformanceJob, tenantId: t, dueField: 'dueAt', leaseField: 'leasedUntil', now, leaseUntil: new Date(Date.parse(now) + 5 * 60_000).toISOString(), limit, where: { queue }, ...extra });
      return { t, queue, data, claim };
    };

    test('claims only rows that are due and not leased, earliest due first', async () => {
      const { data, claim } = await setup([
        { dueAt: at(3), payload: 'third' },
        { dueAt: at(1), payload: 'first' },
        { dueAt: at(11), payload: 'future' },
        { dueAt: at(2), leasedUntil: at(20), payload: 'leased' },
        { dueAt: at(2), leasedUntil: at(5), payload: 'lease over' },
      ]);
      const claimed = await claim(at(10), 10);
      expect(claimed.map((row) => row.payload)).toEqual(['first', 'lease over', 'third']);
      expect(data).toHaveLength(5);
    });

    test('treats a row due exactly now, or whose lease ends exactly now, as due', async () => {
      const { claim } = await setup([{ dueAt: at(10), payload: 'now' }, { dueAt: at(0), leasedUntil: at(10), payload: 'lease ends now' }]);
      expect((await claim(at(10), 10)).map((row) => row.payload).sort()).toEqual(['lease ends now', 'now']);
    });

    test('claims at most limit rows', async () => {
      const { claim } = await setup([{ dueAt: at(1) }, { dueAt: at(2) }, { dueAt: at(3) }]);
      const claimed = await claim(at(10), 2);
      expect(claimed.map((row) => row.dueAt)).toEqual([at(1), at(2)]);
    });

    test('writes the lease into the claimed rows and returns them leased', async () => {
      const { t, claim } = await setup([{ dueAt: at(1) }]);
      const [row] = await claim(at(10), 1, { leaseUntil: at(15) });
      expect(row).toMatchObject({ leasedUntil: at(15), tenantId: t });
      expect(await ctx.adapter.findOne({ ...job(t), id: String(row?.id) })).toMatchObject({ leasedUntil: at(15) });
      const raw = await ctx.raw(`SELECT ${col(conformanceJob, 'leasedUntil')} AS lease FROM ${conformanceJob.table} WHERE ${col(conformanceJob, 'tenantId')} = ? AND ${col(conformanceJob, 'id')} = ?`, [t, row?.id]);
      expect(raw[0]?.lease).not.toBeNull();
    });

    test('does not return a leased row again until its lease has ended', async () => {
      const { claim } = await setup([{ dueAt: at(1) }]);
      expect(await claim(at(10), 5, { leaseUntil: at(20) })).toHaveLength(1);
      expect(await claim(at(10), 5)).toEqual([]);
      expect(await claim(at(19), 5)).toEqual([]);
      expect(await claim(at(20), 5, { leaseUntil: at(30) })).toHaveLength(1);
    });

    test('returns an empty list when nothing is due', async () => {
      const { claim } = await setup([{ dueAt: at(30) }]);
      expect(await claim(at(10), 5)).toEqual([]);
    });

    test('applies the further where filter', async () => {
      const { claim } = await setup([{ dueAt: at(1), attempts: 0 }, { dueAt: at(2), attempts: 3 }]);
      const claimed = await claim(at(10), 5, { where: { attempts: { lt: 3 } } });
      expect(claimed.map((row) => row.dueAt)).toEqual([at(1)]);
    });

    test('claims across tenants when no tenant is given', async () => {
      const queue = `q${newTenant()}`;
      const [a, b] = [newTenant(), newTenant()];
      await ctx.adapter.create({ ...job(a), data: jobRow({ queue, dueAt: at(2) }) });
      await ctx.adapter.create({ ...job(b), data: jobRow({ queue, dueAt: at(1) }) });
      const claimed = await ctx.adapter.claimDue({ model: conformanceJob, dueField: 'dueAt', leaseField: 'leasedUntil', now: at(10), leaseUntil: at(15), limit: 10, where: { queue } });
      expect(claimed.map((row) => row.tenantId)).toEqual([b, a]);
    });

    test('never gives the same row to two concurrent claimers', async () => {
      const rows = Array.from({ length: 40 }, (_, i) => ({ dueAt: at(i % 10) }));
      const { claim } = await setup(rows);
      const results = await Promise.all(Array.from({ length: 8 }, () => claim(at(30), 4, { leaseUntil: at(40) })));
      const claimed = results.flat().map((row) => String(row.id));
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.length).toBeLessThanOrEqual(32);
      expect(claimed.length).toBeGreaterThan(0);
    });

    test('rejects a dueField or leaseField the model does not have', async () => {
      await expectError(ctx.adapter.claimDue({ model: conformanceJob, dueField: 'nope', leaseField: 'leasedUntil', now: at(0), leaseUntil: at(1), limit: 1 }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.claimDue({ model: conformanceJob, dueField: 'dueAt', leaseField: 'leased_until; --', now: at(0), leaseUntil: at(1), limit: 1 }), 'VALIDATION_FAILED');
    });
  });
}
