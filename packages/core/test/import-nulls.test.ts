import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const mapping = { columns: { Name: 'name', Domain: 'domain', Employees: 'employees', Revenue: 'annualRevenue.minor', 'Revenue currency': 'annualRevenue.currency' } };

describe.each(targets)('NDJSON nulls on import ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  const tenant = () => env.crm.tenant(`imp-null-${process.pid}-${++tenants}`);
  const run = it.skipIf(target.skip);

  run('reads null parts of a money value as not given, as an export writes a company without revenue', async () => {
    const t = tenant();
    const file = '{"Name":"Initech","Domain":"initech.io","Employees":null,"Revenue":null,"Revenue currency":null}\n';
    const report = await t.imports.run('company', file, { mapping, format: 'ndjson' });
    expect(report).toMatchObject({ created: 1, rejected: 0, issues: [] });
    const [initech] = (await t.companies.list()).items;
    expect(initech).toMatchObject({ name: 'Initech', employees: null, annualRevenue: null });
  });

  run('still rejects money with only one part given', async () => {
    const t = tenant();
    const file = '{"Name":"Initech","Revenue":null,"Revenue currency":"EUR"}\n';
    const report = await t.imports.run('company', file, { mapping, format: 'ndjson' });
    expect(report).toMatchObject({ created: 0, rejected: 1 });
    expect(report.issues[0]).toMatchObject({ column: 'Revenue' });
  });

  run('keeps a top-level null, which clears a nullable field on update', async () => {
    const t = tenant();
    await t.companies.create({ name: 'Acme', domain: 'acme.io', employees: 40, annualRevenue: { minor: 100, currency: 'EUR' } });
    const file = '{"Domain":"acme.io","Employees":null,"Revenue":null,"Revenue currency":null}\n';
    const report = await t.imports.run('company', file, { mapping, format: 'ndjson', mode: 'update', key: 'domain' });
    expect(report).toMatchObject({ updated: 1, rejected: 0, issues: [] });
    // The employee count is cleared; the revenue, whose parts were not given, is kept.
    expect((await t.companies.list()).items[0]).toMatchObject({ employees: null, annualRevenue: { minor: 100, currency: 'EUR' } });
  });
});
