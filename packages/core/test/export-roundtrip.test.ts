import type { TenantScope } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const customFields = { contact: z.object({ tier: z.enum(['gold', 'silver']).optional(), score: z.number().optional() }) };

async function text(iterable: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += chunk;
  return out;
}

const companyMapping = { columns: { Name: 'name', Domain: 'domain', Sector: 'sector', Revenue: 'annualRevenue.minor', 'Revenue currency': 'annualRevenue.currency' } };
const contactMapping = {
  columns: {
    'First name': 'firstName', 'Last name': 'lastName', 'E-mail': 'email', Stage: 'lifecycleStage', Tags: 'tags',
    Born: 'birthDate', Tier: 'custom.tier', Score: 'custom.score', Company: 'company.domain', Owner: 'owner.email',
  },
};
const dealMapping = {
  columns: { Title: 'title', Amount: 'amount.minor', Currency: 'amount.currency', Company: 'company.domain', Pipeline: 'pipeline.name', Stage: 'stage.key', Closes: 'expectedCloseOn' },
};

/** A tenant's companies, contacts and deals, with awkward values: commas, quotes, line breaks, accents. */
async function seed(t: TenantScope): Promise<void> {
  await t.members.create({ name: 'Ann', email: 'ann@x.io' });
  const owner = await t.members.create({ name: 'Bob', email: 'bob@x.io' });
  const acme = await t.companies.create({ name: 'Acme, "the" company', domain: 'acme.io', sector: 'Tools\nand more', annualRevenue: { minor: 123456789, currency: 'USD' } });
  await t.companies.create({ name: 'Globex', domain: 'globex.io', annualRevenue: { minor: 5, currency: 'JPY' } });
  // No revenue: both money columns empty (CSV) or null (NDJSON), which an import reads as "not given".
  await t.companies.create({ name: 'Initech', domain: 'initech.io' });
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
  for (let i = 0; i < 12; i++) {
    await t.contacts.create({
      firstName: `Zoë ${i}`, lastName: i % 2 ? 'O\'Brien, Jr.' : 'Smith "Smithy"', email: `p${i}@acme.io`,
      lifecycleStage: i % 3 ? 'lead' : 'customer', tags: i % 2 ? ['vip', 'b2b'] : [],
      ...(i % 4 ? { birthDate: `199${i % 10}-0${(i % 9) + 1}-15` } : {}),
      custom: { tier: i % 2 ? 'gold' : 'silver', score: i * 1.5 },
      ...(i % 3 === 1 ? {} : { companyId: acme.id, ownerId: owner.id }),
    });
  }
  for (let i = 0; i < 5; i++) {
    await t.deals.create({ title: `Deal ${i}`, pipelineId: pipeline.id, amount: { minor: 99_99 * i, currency: 'EUR' }, companyId: acme.id, expectedCloseOn: `2026-0${i + 1}-28` });
  }
}

describe.each(targets)('export and import round trip ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  const tenant = () => env.crm.tenant(`rt-${process.pid}-${Date.now().toString(36)}-${++tenants}`);

  beforeAll(async () => {
    if (!target.skip) env = await target.open({ customFields });
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('imports an export with the same mapping into another tenant, which exports the same file', async () => {
    const from = tenant();
    await seed(from);
    // One tenant imports the CSV files, the other the NDJSON ones; both hold the referenced member and pipeline.
    const into = { csv: tenant(), ndjson: tenant() };
    for (const t of Object.values(into)) {
      await t.members.create({ name: 'Bob', email: 'bob@x.io' });
      await t.pipelines.create({ name: 'Sales', stages: salesStages });
    }
    for (const [entity, mapping] of [['company', companyMapping], ['contact', contactMapping], ['deal', dealMapping]] as const) {
      for (const format of ['csv', 'ndjson'] as const) {
        const file = await text(from.exports.stream(entity, { mapping, format, pageSize: 5 }));
        expect(file.split('\n').length).toBeGreaterThan(entity === 'company' ? 2 : 5);
        const report = await into[format].imports.run(entity, file, { mapping, format });
        expect(report.issues, `${entity} ${format} import`).toEqual([]);
        // Everything the mapping names survives the trip, references resolved by natural key in the new tenant.
        expect(await text(into[format].exports.stream(entity, { mapping, format, pageSize: 7 })), `${entity} ${format}`).toBe(file);
      }
    }
  });
});
