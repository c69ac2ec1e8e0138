import { type Contract, type ContractChurnRow, type ContractRenewalsOptions, type TenantScope, ValidationError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupBy, monthOf, random } from './report-helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

async function allContracts(t: TenantScope): Promise<Contract[]> {
  const out: Contract[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await t.contracts.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  }
  return out;
}

/** The churn rows computed the naive way, from every contract of the tenant. */
function expectedChurn(contracts: readonly Contract[], options: NonNullable<ContractRenewalsOptions>): ContractChurnRow[] {
  const dims = typeof options.by === 'string' ? [options.by] : (options.by ?? ['kind']);
  const due = contracts.filter((c) =>
    c.status !== 'draft' &&
    (options.kinds === undefined || options.kinds.includes(c.kind)) &&
    (options.from === undefined || c.endDate >= options.from) &&
    (options.to === undefined || c.endDate < options.to));
  // Rows come ordered by the keys in the order `by` names them.
  const key = (c: Contract) => [...new Set(dims)].map((d) => (d === 'kind' ? c.kind : monthOf(c.endDate))).join('|');
  const rows = [...groupBy(due, key)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, members]) => {
    const count = (status: Contract['status']) => members.filter((c) => c.status === status).length;
    const row: ContractChurnRow = {
      due: members.length, renewed: count('renewed'), expired: count('expired'), cancelled: count('cancelled'), pending: count('active'),
      churnRate: (count('expired') + count('cancelled')) / members.length,
    };
    if (dims.includes('kind')) row.kind = members[0]!.kind;
    if (dims.includes('period')) row.period = monthOf(members[0]!.endDate);
    return row;
  });
  return rows;
}

describe.each(targets)('contract churn ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const tenant = () => env.crm.tenant(`churn-${process.pid}-${Date.now().toString(36)}-${++tenants}`);

  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('counts renewed, lapsed, cancelled and pending contracts due in the period and their churn rate', async () => {
    const t = tenant();
    const make = (name: string, kind: 'warranty' | 'service', endDate: string, status: 'draft' | 'active' = 'active') =>
      t.contracts.create({ name, kind, startDate: '2025-01-01', endDate, status });
    const renewed = await make('Renewed', 'service', '2026-01-31');
    await t.contracts.renew(renewed.id, { endDate: '2027-01-31' });
    await t.contracts.lapse((await make('Lapsed', 'service', '2026-01-15')).id);
    await t.contracts.cancel((await make('Cancelled', 'service', '2026-01-20')).id);
    await make('Pending', 'service', '2026-01-25');
    await make('Draft', 'service', '2026-01-10', 'draft');
    await t.contracts.lapse((await make('Late lapse', 'warranty', '2026-02-03')).id);
    const report = await t.reports.contractRenewals({ by: ['kind', 'period'], from: '2026-01-01', to: '2026-03-01' });
    expect(report.churn).toEqual([
      { kind: 'service', period: '2026-01-01', due: 4, renewed: 1, expired: 1, cancelled: 1, pending: 1, churnRate: 0.5 },
      { kind: 'warranty', period: '2026-02-01', due: 1, renewed: 0, expired: 1, cancelled: 0, pending: 0, churnRate: 1 },
    ]);
    // Renewal rates stay over renewed and lapsed contracts only.
    expect(report.renewals).toEqual([
      { kind: 'service', period: '2026-01-01', renewed: 1, expired: 1, rate: 0.5 },
      { kind: 'warranty', period: '2026-02-01', renewed: 0, expired: 1, rate: 0 },
    ]);
  });

  it.skipIf(target.skip)('shows a group whose due contracts were all cancelled in churn, not in renewals', async () => {
    const t = tenant();
    const c = await t.contracts.create({ name: 'Gone', kind: 'maintenance', startDate: '2025-01-01', endDate: '2026-04-30', status: 'active' });
    await t.contracts.cancel(c.id);
    const report = await t.reports.contractRenewals();
    expect(report.renewals).toEqual([]);
    expect(report.churn).toEqual([{ kind: 'maintenance', due: 1, renewed: 0, expired: 0, cancelled: 1, pending: 0, churnRate: 1 }]);
    const none = await t.reports.contractRenewals({ from: '2020-01-01', to: '2020-02-01' });
    expect(none.churn).toEqual([]);
  });

  describe('over random contracts', () => {
    let t: TenantScope;
    let contracts: Contract[];

    beforeAll(async () => {
      if (target.skip) return;
      t = tenant();
      const r = random(16);
      const day = (offset: number) => new Date(Date.parse('2026-03-02T00:00:00.000Z') + offset * 86_400_000).toISOString().slice(0, 10);
      for (let i = 0; i < 40; i++) {
        const kind = r.pick(['warranty', 'service', 'maintenance'] as const);
        const fate = r.pick(['renew', 'lapse', 'lapseThenRenew', 'cancel', 'keep', 'draft', 'dropDraft'] as const);
        const draft = fate === 'draft' || fate === 'dropDraft';
        const contract = await t.contracts.create({ name: `C${i}`, kind, startDate: day(-400), endDate: day(r.int(-200, 90)), status: draft ? 'draft' : 'active' });
        if (fate === 'renew') await t.contracts.renew(contract.id);
        else if (fate === 'lapse') await t.contracts.lapse(contract.id);
        else if (fate === 'lapseThenRenew') await t.contracts.renew((await t.contracts.lapse(contract.id)).id);
        else if (fate === 'cancel' || fate === 'dropDraft') await t.contracts.cancel(contract.id);
      }
      contracts = await allContracts(t);
    }, 60_000);

    it.skipIf(target.skip)('seeds every status, so the checks below can fail', () => {
      for (const status of ['draft', 'active', 'expired', 'cancelled', 'renewed'] as const) expect(contracts.some((c) => c.status === status)).toBe(true);
    });

    it.each<NonNullable<ContractRenewalsOptions>>([
      {}, { by: 'period' }, { by: ['kind', 'period'] }, { by: 'kind', from: '2025-11-01', to: '2026-03-01' },
      { by: ['period', 'kind'], kinds: ['service', 'warranty'], from: '2026-01-01' }, { by: 'period', period: 'month', to: '2026-02-15' },
    ])('equals a count over the contracts for %o', async (options) => {
      if (target.skip) return;
      const report = await t.reports.contractRenewals(options);
      expect(report.churn).toEqual(expectedChurn(contracts, options));
      // Renewal rows are the churn groups that have a renewed or lapsed contract, with the same counts.
      expect(report.renewals).toEqual(report.churn.filter((c) => c.renewed + c.expired > 0).map(({ due: _d, cancelled: _c, pending: _p, churnRate: _r, ...rest }) => ({
        ...rest, rate: rest.renewed / (rest.renewed + rest.expired),
      })));
    });

    it.skipIf(target.skip)('refuses bad options', async () => {
      await expect(t.reports.contractRenewals({ by: 'owner' as 'kind' })).rejects.toThrow(ValidationError);
      await expect(t.reports.contractRenewals({ from: '2026-13-01' })).rejects.toThrow(ValidationError);
    });
  });
});
