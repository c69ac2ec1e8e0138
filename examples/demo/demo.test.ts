import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Company, Crm, TenantScope } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportReport, importDataset } from './import-dataset.js';
import { openCrm } from './open-crm.js';
import { type Dataset, readDataset } from './read-dataset.js';
import { parseUsDate } from './us-date.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = join(root, 'examples/data/crm-sales-opportunities');
// The full 8,800 rows take ~20 s in memory (three transactions per closed deal);
// the first 1,000 cover every stage, no-account rows and GTXPro rows in ~3 s.
const limit = 1000;

describe('reading the dataset', () => {
  let data: Dataset;
  beforeAll(async () => {
    data = await readDataset(dataDir);
  });

  it('reads every row of every file', () => {
    expect(data.salesTeams).toHaveLength(35);
    expect(data.accounts).toHaveLength(85);
    expect(data.products).toHaveLength(7);
    expect(data.opportunities).toHaveLength(8800);
  });

  it('sees the dirt the README describes', () => {
    const count = (pred: (o: Dataset['opportunities'][number]) => boolean) => data.opportunities.filter(pred).length;
    expect(count((o) => o.account === '')).toBe(1425);
    expect(count((o) => o.product === 'GTXPro')).toBe(1480);
    expect(count((o) => o.dealStage === 'Prospecting')).toBe(500);
    expect(count((o) => o.dealStage === 'Engaging')).toBe(1589);
    expect(count((o) => o.dealStage === 'Won')).toBe(4238);
    expect(count((o) => o.dealStage === 'Lost')).toBe(2473);
    expect(data.accounts.filter((a) => a.sector === 'technolgy')).toHaveLength(12);
  });

  it('keeps each opportunity line number for error messages', () => {
    expect(data.opportunities[0]).toMatchObject({ line: 2, opportunityId: '1C1I7A6R', closeDate: '3/1/2017' });
  });
});

describe('parsing US dates', () => {
  it('reads M/D/YYYY as UTC midnight', () => {
    expect(parseUsDate('10/20/2016')?.toISOString()).toBe('2016-10-20T00:00:00.000Z');
    expect(parseUsDate('3/1/2017')?.toISOString()).toBe('2017-03-01T00:00:00.000Z');
  });

  it('refuses days that do not exist and other formats', () => {
    for (const text of ['2/30/2017', '13/1/2017', '0/1/2017', '2016-10-20', '10/20/16', '', 'soon']) {
      expect(parseUsDate(text), text).toBeNull();
    }
  });
});

describe('importing the dataset', () => {
  let crm: Crm;
  let t: TenantScope;
  let report: ImportReport;
  let data: Dataset;
  let imported: Dataset['opportunities'];

  beforeAll(async () => {
    data = await readDataset(dataDir);
    imported = data.opportunities.slice(0, limit);
    crm = await openCrm(':memory:');
    t = crm.tenant('demo');
    report = await importDataset(t, { dataDir, limit });
  });
  afterAll(() => crm.close());

  it('makes agents reps and managers managers', async () => {
    const members = (await t.members.list({ limit: 100 })).items;
    expect(members.filter((m) => m.role === 'rep')).toHaveLength(35);
    expect(members.filter((m) => m.role === 'manager')).toHaveLength(6);
    expect(report.created.members).toBe(41);
  });

  it('makes regional offices teams holding one team per manager', async () => {
    const teams = (await t.teams.list({ limit: 100 })).items;
    const offices = teams.filter((team) => team.parentTeamId === null);
    expect(offices.map((team) => team.name).sort()).toEqual(['Central', 'East', 'West']);
    const central = offices.find((team) => team.name === 'Central');
    const dustin = (await t.members.list({ where: { name: 'Dustin Brinkmann' } })).items[0];
    const dustinsTeam = teams.find((team) => team.managerId === dustin?.id);
    expect(dustinsTeam?.parentTeamId).toBe(central?.id);
    const reps = await t.members.ofTeam(dustinsTeam?.id ?? '');
    expect(reps.map((m) => m.name)).toEqual(['Anna Snelling', 'Cecily Lampkin', 'Lajuana Vencill', 'Moses Frase', 'Versie Hillebrand']);
  });

  it('creates every account as a company linked to its parent', async () => {
    const companies = (await t.companies.list({ limit: 1000 })).items;
    expect(companies).toHaveLength(85);
    const byName = new Map(companies.map((c) => [c.name, c]));
    const withParent = data.accounts.filter((a) => a.subsidiaryOf !== '');
    expect(withParent).toHaveLength(15);
    for (const account of withParent) {
      expect(byName.get(account.account)?.parentCompanyId, account.account).toBe(byName.get(account.subsidiaryOf)?.id);
    }
    const acme = byName.get('Acme Corporation') as Company;
    expect((await t.companies.subsidiaries(acme.id)).map((c) => c.name)).toEqual(['Bluth Company', 'Codehow', 'Donquadtech', 'Iselectrics']);
    expect(companies.filter((c) => c.parentCompanyId === null)).toHaveLength(70);
  });

  it('fixes the technolgy sector and converts revenue and founding year', async () => {
    const companies = (await t.companies.list({ limit: 1000 })).items;
    expect(companies.filter((c) => c.sector === 'technolgy')).toHaveLength(0);
    expect(companies.filter((c) => c.sector === 'technology')).toHaveLength(12);
    expect(report.fixes.find((f) => f.kind === 'sector-spelling')?.count).toBe(12);
    const acme = companies.find((c) => c.name === 'Acme Corporation');
    expect(acme).toMatchObject({ sector: 'technology', foundedYear: 1996, employees: 2822, country: 'United States' });
    expect(acme?.annualRevenue).toEqual({ minor: 110_004_000_000, currency: 'USD' });
  });

  it('creates the product catalogue in cents', async () => {
    const products = (await t.products.list()).items;
    expect(products).toHaveLength(7);
    expect(products.find((p) => p.name === 'GTX Pro')).toMatchObject({ series: 'GTX', price: { minor: 482_100, currency: 'USD' } });
  });

  it('creates one deal per opportunity considered, counting fixes and accountless rows', () => {
    expect(report.opportunitiesConsidered).toBe(limit);
    expect(report.rejections).toEqual([]);
    expect(report.created.deals).toBe(limit);
    expect(report.fixes.find((f) => f.kind === 'product-spelling')?.count).toBe(imported.filter((o) => o.product === 'GTXPro').length);
    expect(report.dealsWithoutAccount).toBe(imported.filter((o) => o.account === '').length);
    expect(report.dealsWithoutAccount).toBeGreaterThan(0);
  });

  it('reports per stage the counts the CSV has', async () => {
    const summary = await t.reports.pipelineSummary(report.pipeline.id);
    const counts = Object.fromEntries(summary.stages.map((s) => [s.name, s.count]));
    const expected = Object.fromEntries(
      ['Prospecting', 'Engaging', 'Won', 'Lost'].map((stage) => [stage, imported.filter((o) => o.dealStage === stage).length]),
    );
    expect(counts).toEqual(expected);
    expect(report.dealsByStage).toEqual(expected);
    const wonValue = imported.filter((o) => o.dealStage === 'Won').reduce((sum, o) => sum + Number(o.closeValue) * 100, 0);
    expect(summary.stages.find((s) => s.key === 'won')?.amount).toEqual({ minor: wonValue, currency: 'USD' });
  });

  it('keeps a won deal\'s stage history with the CSV dates', async () => {
    // 1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,10/20/2016,3/1/2017,1054
    const [deal] = (await t.deals.list({ where: { externalId: '1C1I7A6R' } })).items;
    expect(deal).toMatchObject({ title: 'Cancity — GTX Plus Basic', status: 'won', amount: { minor: 105_400, currency: 'USD' } });
    expect(deal?.closedAt).toBe('2017-03-01T00:00:00.000Z');
    expect((await t.members.get(deal?.ownerId ?? '')).name).toBe('Moses Frase');
    const keyOf = new Map(report.pipeline.stages.map((s) => [s.id, s.key]));
    const history = await t.deals.stageHistory(deal?.id ?? '');
    expect(history.map((h) => [keyOf.get(h.toStageId), h.at])).toEqual([
      ['prospecting', '2016-10-20T00:00:00.000Z'],
      ['engaging', '2016-10-20T00:00:00.000Z'],
      ['won', '2017-03-01T00:00:00.000Z'],
    ]);
  });

  it('imports an opportunity without account with no company', async () => {
    const row = imported.find((o) => o.account === '');
    const [deal] = (await t.deals.list({ where: { externalId: row?.opportunityId ?? '' } })).items;
    expect(deal?.companyId).toBeNull();
    expect(deal?.title).toMatch(/^No account — /);
  });
});

describe('importing dirty rows', () => {
  it('rejects each bad row with its reason and imports the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crmkit-demo-'));
    try {
      await cp(dataDir, dir, { recursive: true });
      const pipeline = await readFile(join(dir, 'sales_pipeline.csv'), 'utf8');
      const header = pipeline.split('\n', 1)[0];
      const good = pipeline.split('\n').slice(1, 4);
      const bad = [
        'BAD00001,Nobody Known,GTX Basic,Cancity,Won,10/20/2016,3/1/2017,500',
        'BAD00002,Moses Frase,GTX Basic,Cancity,Won,2/30/2017,3/1/2017,500',
        'BAD00003,Moses Frase,GTX Mega,Cancity,Lost,10/20/2016,3/1/2017,0',
        'BAD00004,Moses Frase,GTX Basic,Cancity,Won,3/1/2017,10/20/2016,500',
        'BAD00005,Moses Frase,GTX Basic,Cancity,Won,10/20/2016,3/1/2017,',
      ];
      await writeFile(join(dir, 'sales_pipeline.csv'), [header, ...good, ...bad, good[0]].join('\n'));
      const crm = await openCrm(':memory:');
      const report = await importDataset(crm.tenant('dirty'), { dataDir: dir });
      await crm.close();
      expect(report.created.deals).toBe(3);
      expect(Object.fromEntries(report.rejections.map((r) => [r.kind, r.count]))).toEqual({
        'unknown-agent': 1, 'bad-date': 1, 'unknown-product': 1, 'dates-out-of-order': 1, 'bad-close-value': 1, 'duplicate-opportunity': 1,
      });
      expect(report.rejections.find((r) => r.kind === 'bad-date')?.example).toBe('line 6 (BAD00002): engage_date "2/30/2017"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo CLI', () => {
  it('imports into a fresh file and prints the summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crmkit-demo-'));
    try {
      const db = join(dir, 'demo.db');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'examples/demo/index.ts', '--db', db, '--limit', '200'],
        { cwd: root, timeout: 60_000 },
      );
      for (const heading of ['== Import', '== Fixed, rejected, noted', '== Pipeline summary: Sales (USD)', '== Top 10 agents by win rate', '== Top 10 agents by won revenue']) {
        expect(stdout).toContain(heading);
      }
      expect(stdout).toContain('200 of 8800 opportunities considered');
      expect(stdout).toMatch(/Imported in \d+\.\d s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
