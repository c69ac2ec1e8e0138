import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages } from './helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

describe.each(targets)('imports of each entity ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  const tenant = () => env.crm.tenant(`impe-${process.pid}-${++tenants}`);
  const run = it.skipIf(target.skip);

  run('imports deals by pipeline name, stage key, owner email and contact emails, money as "1200.50 EUR"', async () => {
    const t = tenant();
    const sales = await t.pipelines.create({ name: 'Sales', currency: 'EUR', stages: salesStages });
    const rep = await t.members.create({ name: 'Rep', email: 'rep@us.io' });
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const bob = await t.contacts.create({ firstName: 'Bob', email: 'bob@acme.io' });
    const csv = [
      'title,pipeline.name,stage.key,owner.email,contact.email,amount,externalId',
      'Renewal,Sales,proposal,REP@us.io,ada@acme.io;bob@acme.io,1200.50 EUR,d-1',
      'Upsell,Sales,negotiation,,,99 EUR,d-2',
      'Ghost,Nope,proposal,,,,d-3',
      'Typo,Sales,nowhere,,,,d-4',
    ].join('\n');
    const report = await t.imports.run('deal', csv);
    expect(report).toMatchObject({ rowsRead: 4, created: 2, rejected: 2 });
    expect(report.issues.map((i) => [i.line, i.code, i.column])).toEqual([
      [4, 'unknown_reference', 'pipeline.name'],
      [5, 'NOT_FOUND', 'stage.key'],
    ]);
    const deals = (await t.deals.list({ orderBy: { externalId: 'asc' } })).items;
    expect(deals.map((d) => [d.title, d.ownerId, d.amount, [...d.contactIds].sort()])).toEqual([
      ['Renewal', rep.id, { minor: 120_050, currency: 'EUR' }, [ada.id, bob.id].sort()],
      ['Upsell', null, { minor: 9_900, currency: 'EUR' }, []],
    ]);
    expect(deals.every((d) => d.pipelineId === sales.id)).toBe(true);
    // Upsert on externalId updates the deal; its stage is not changed by an update and is reported once.
    const again = await t.imports.run('deal', 'externalId,title,pipeline.name,stage.key\nd-1,Renewal 2027,Sales,won\nd-2,Upsell 2,Sales,won\n', { mode: 'upsert', key: 'externalId' });
    expect(again).toMatchObject({ updated: 2, created: 0, rejected: 0 });
    expect(again.issues.map((i) => [i.row, i.code, i.field])).toEqual([[0, 'not_updatable', 'pipelineId'], [0, 'not_updatable', 'stage']]);
    expect((await t.deals.list({ orderBy: { externalId: 'asc' } })).items.map((d) => d.title)).toEqual(['Renewal 2027', 'Upsell 2']);
  });

  run('imports orders for contacts by email, lines as JSON naming products by sku', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const gtx = await t.products.create({ name: 'GTX', sku: 'GTX-1', price: { minor: 10_000, currency: 'USD' } });
    const lines = (json: string) => `"${json.replaceAll('"', '""')}"`;
    const csv = [
      'number,contact.email,currency,placedAt,lines',
      `W-1,ada@acme.io,USD,2026-01-05T10:00:00Z,${lines('[{"sku":"GTX-1","quantity":2},{"name":"Cable","unitPriceMinor":500}]')}`,
      `W-2,ada@acme.io,USD,2026-01-06T10:00:00Z,${lines('[{"sku":"NOPE"}]')}`,
      'W-3,ada@acme.io,USD,2026-01-07T10:00:00Z,',
    ].join('\n');
    const report = await t.imports.run('order', csv);
    expect(report).toMatchObject({ created: 1, rejected: 2 });
    expect(report.issues.map((i) => [i.line, i.code, i.column, i.field])).toEqual([
      [3, 'unknown_reference', 'lines', 'lines.0.productId'],
      [4, 'invalid_type', 'lines', 'lines'],
    ]);
    const [order] = (await t.orders.list()).items;
    expect(order).toMatchObject({ number: 'W-1', contactId: ada.id, placedAt: '2026-01-05T10:00:00.000Z', total: { minor: 20_500, currency: 'USD' } });
    expect((await t.orders.lines(order!.id)).map((l) => [l.productId, l.quantity])).toEqual([[gtx.id, 2], [null, 1]]);
    // NDJSON carries lines as they are.
    const nd = await t.imports.run('order', `{"contact.email":"ada@acme.io","currency":"USD","lines":[{"sku":"GTX-1"}],"externalId":"x-9"}\n`, { format: 'ndjson' });
    expect(nd).toMatchObject({ created: 1, rejected: 0 });
  });

  run('upserts products on sku and reports a duplicate name found only when writing, keeping the rest of the batch', async () => {
    const t = tenant();
    await t.products.create({ name: 'Router', sku: 'R-1' });
    await t.products.create({ name: 'Switch', sku: 'S-1' });
    const csv = 'sku,name,price,warrantyMonths,active\nR-1,Router X,129.99 USD,24,yes\nN-1,New thing,5 USD,,no\nN-2,Switch,,,\nN-3,Other,,12,\n';
    const report = await t.imports.run('product', csv, { mode: 'upsert', key: 'sku' });
    expect(report).toMatchObject({ rowsRead: 4, created: 2, updated: 1, rejected: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ line: 4, row: 3, code: 'DUPLICATE' })]);
    const bySku = Object.fromEntries((await t.products.list()).items.map((p) => [p.sku, p]));
    expect(bySku['R-1']).toMatchObject({ name: 'Router X', price: { minor: 12_999, currency: 'USD' }, warrantyMonths: 24, active: true });
    expect(bySku['N-1']).toMatchObject({ active: false });
    expect(bySku['N-3']).toMatchObject({ warrantyMonths: 12 });
    expect(bySku['N-2']).toBeUndefined();
  });

  run('upserts companies on their normalised domain', async () => {
    const t = tenant();
    const acme = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
    const report = await t.imports.run('company', 'name,domain,employees\nAcme Inc,https://WWW.acme.io/,120\nGlobex,globex.com,abc\n', { mode: 'upsert', key: 'domain' });
    expect(report).toMatchObject({ updated: 1, created: 0, rejected: 1 });
    expect(report.issues[0]).toMatchObject({ line: 3, column: 'employees', code: 'invalid_type' });
    expect(await t.companies.get(acme.id)).toMatchObject({ name: 'Acme Inc', employees: 120 });
  });

  run('imports cases, interactions, assets and tasks with their references', async () => {
    const t = tenant();
    const acme = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io', companyId: acme.id });
    const agent = await t.members.create({ name: 'Agent', email: 'agent@us.io' });
    const gtx = await t.products.create({ name: 'GTX', sku: 'GTX-1' });
    const cases = await t.imports.run('case', 'subject,contact.email,company.name,priority,externalId\nBroken,ada@acme.io,Acme,high,T-1\nBad priority,ada@acme.io,Acme,extreme,T-2\n');
    expect(cases).toMatchObject({ created: 1, rejected: 1 });
    expect(cases.issues[0]).toMatchObject({ line: 3, column: 'priority', code: 'invalid_value' });
    expect((await t.cases.list()).items[0]).toMatchObject({ subject: 'Broken', contactId: ada.id, companyId: acme.id, priority: 'high', externalId: 'T-1' });
    const interactions = await t.imports.run('interaction', 'type,direction,contact.email,occurredAt,durationSeconds,subject\ncall,inbound,ada@acme.io,2026-02-01T10:00:00Z,300,Hello\nfax,inbound,ada@acme.io,,,\n');
    expect(interactions).toMatchObject({ created: 1, rejected: 1 });
    expect((await t.interactions.list()).items[0]).toMatchObject({ type: 'call', durationSeconds: 300, occurredAt: '2026-02-01T10:00:00.000Z' });
    const assets = await t.imports.run('asset', 'product.sku,serialNumber,contact.email,purchasedAt\nGTX-1,SN1,ada@acme.io,2025-05-01\nGTX-1,SN1,ada@acme.io,2025-05-02\n');
    expect(assets).toMatchObject({ created: 1, rejected: 1 });
    expect(assets.issues[0]).toMatchObject({ line: 3, code: 'DUPLICATE' });
    expect((await t.assets.list()).items[0]).toMatchObject({ productId: gtx.id, serialNumber: 'SN1', contactId: ada.id });
    const tasks = await t.imports.run('task', 'title,assignee.email,priority,dueAt\nCall back,agent@us.io,urgent,2026-03-05\nNobody,who@us.io,,\n');
    expect(tasks).toMatchObject({ created: 1, rejected: 1 });
    expect(tasks.issues[0]).toMatchObject({ line: 3, column: 'assignee.email', code: 'unknown_reference' });
    expect((await t.tasks.list()).items[0]).toMatchObject({ title: 'Call back', assigneeId: agent.id, priority: 'urgent' });
    // Entities without a natural key take no upsert key.
    await expect(t.imports.run('task', 'title\nX\n', { mode: 'upsert', key: 'title' })).rejects.toThrow('create only');
  });
});
