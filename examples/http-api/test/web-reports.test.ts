import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { barChart, heatGrid, lineChart, stackedBarChart } from '../src/web/charts/index.js';
import { openTestHost, type TestHost, type TestMember } from './harness.js';

/** The attributes of every element `<tag class="cls" ...>` of some markup, in document order. */
function marks(markup: string, tag: string, cls: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const [element] of markup.matchAll(new RegExp(`<${tag} class="${cls}"[^>]*>`, 'g'))) {
    found.push(Object.fromEntries([...element.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k!, v!])));
  }
  return found;
}

/** The markup of one chart of a page, by its `data-testid`. */
function chart(page: string, name: string): string {
  const start = page.indexOf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-testid="chart-${name}"`);
  expect(start, `chart-${name} on the page`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</svg>', start) + 6);
}

/** The text of every `<title>` in some markup (the tooltips, and the chart's own title first). */
const titles = (markup: string) => [...markup.matchAll(/<title>([^<]*)<\/title>/g)].map(([, text]) => text!);

describe('chart primitives', () => {
  it('draws horizontal bars as long as their values, with labels, tooltips and an accessible name', () => {
    const out = String(barChart({ name: 'test', title: 'Deals', summary: 'two stages', series: [{ label: 'Deals' }], groups: [{ label: 'Lead', values: [4] }, { label: 'Won', values: [1], notes: ['25%'] }] }));
    expect(out).toContain('data-testid="chart-test" role="img" aria-label="Deals: two stages"');
    const bars = marks(out, 'rect', 'bar');
    expect(bars.map((b) => [b['data-group'], b['data-value']])).toEqual([['Lead', '4'], ['Won', '1']]);
    expect(Number(bars[0]!.width) / Number(bars[1]!.width)).toBeCloseTo(4);
    expect(titles(out)).toEqual(['Deals', 'Lead · Deals: 4', 'Won · Deals: 1 (25%)']);
  });

  it('widens the label column for long labels, and cuts a very long one with the whole text as its tooltip', () => {
    const labelX = (markup: string) => Number(/class="bar-label" x="([\d.]+)"/.exec(markup)![1]);
    const chartOf = (label: string) => String(barChart({ name: 'test', title: 'T', series: [{ label: 'Deals' }], groups: [{ label, values: [1] }] }));
    const short = chartOf('Lost');
    const longer = chartOf('Lost: chose a competitor on price');
    expect(labelX(longer)).toBeGreaterThan(labelX(short));
    const reason = `Lost: ${'budget frozen until the next fiscal year, '.repeat(4)}`.trim();
    const cut = chartOf(reason);
    expect(labelX(cut)).toBeLessThanOrEqual(300);
    const drawn = /class="bar-label"[^>]*>([^<]*)<title>([^<]*)<\/title>/.exec(cut)!;
    expect(drawn[1]!.endsWith('…')).toBe(true);
    expect(reason.startsWith(drawn[1]!.slice(0, -1))).toBe(true);
    expect(drawn[2]).toBe(reason);
  });

  it('draws grouped vertical columns as tall as their values, one colour per series with a legend', () => {
    const out = String(barChart({ name: 'test', title: 'T', orientation: 'vertical', series: [{ label: 'A' }, { label: 'B' }], groups: [{ label: 'Q1', values: [2, 6] }] }));
    const [a, b] = marks(out, 'rect', 'bar');
    expect(Number(b!.height) / Number(a!.height)).toBeCloseTo(3);
    expect(Number(a!.y) + Number(a!.height)).toBeCloseTo(Number(b!.y) + Number(b!.height)); // one baseline
    expect(a!.fill).not.toBe(b!.fill);
    expect(out).toContain('class="legend"');
  });

  it('stacks segments on each other with the total on top', () => {
    const out = String(stackedBarChart({ name: 'test', title: 'T', series: [{ label: 'A' }, { label: 'B' }], groups: [{ label: 'Mar', values: [10, 30] }, { label: 'Apr', values: [5, 0] }] }));
    const [a, b, c] = marks(out, 'rect', 'bar');
    expect(Number(b!.height) / Number(a!.height)).toBeCloseTo(3);
    expect(Number(b!.y) + Number(b!.height)).toBeCloseTo(Number(a!.y)); // B sits on A
    expect(Number(a!.height) / Number(c!.height)).toBeCloseTo(2);
    expect(marks(out, 'g', 'bar-group').map((g) => g['data-total'])).toEqual(['40', '5']);
  });

  it('draws a line with a point per measured value and a gap where nothing was measured', () => {
    const out = String(lineChart({ name: 'test', title: 'T', xLabels: ['Jan', 'Feb', 'Mar', 'Apr'], series: [{ label: 'Met', values: [1, 0.5, null, 0.25] }], top: 1, format: (v) => `${v * 100}%` }));
    const points = marks(out, 'circle', 'point');
    expect(points.map((p) => p['data-x'])).toEqual(['Jan', 'Feb', 'Apr']);
    const base = Number(points[0]!.cy) + (Number(points[1]!.cy) - Number(points[0]!.cy)) * 2; // the y of 0
    expect((base - Number(points[2]!.cy)) / (base - Number(points[0]!.cy))).toBeCloseTo(0.25);
    expect([...out.matchAll(/<path d="([^"]*)"/g)].map(([, d]) => d!.split(' ').length)).toEqual([2]); // Jan-Feb; Apr stands alone
    expect(titles(out)).toContain('Feb · Met: 50%');
  });

  it('shades heat-map cells by their share of the highest value', () => {
    const out = String(heatGrid({ name: 'test', title: 'T', rows: ['R1', 'R2'], columns: ['F1'], cells: [[{ value: 2 }], [{ value: 8, note: 'best' }]] }));
    expect(marks(out, 'g', 'cell').map((c) => [c['data-row'], c['data-value']])).toEqual([['R1', '2'], ['R2', '8']]);
    expect([...out.matchAll(/fill-opacity="([^"]*)"/g)].map(([, o]) => Number(o))).toEqual([0.25, 1]);
    expect(titles(out)).toContain('R2 · F1: 8 (best)');
  });

  it('says "No data" instead of drawing empty or all-zero data, keeping the selector', () => {
    for (const out of [
      barChart({ name: 'x', title: 'T', series: [{ label: 'A' }], groups: [] }),
      barChart({ name: 'x', title: 'T', series: [{ label: 'A' }], groups: [{ label: 'G', values: [0] }] }),
      stackedBarChart({ name: 'x', title: 'T', series: [{ label: 'A' }], groups: [] }),
      lineChart({ name: 'x', title: 'T', xLabels: ['Jan'], series: [{ label: 'A', values: [null] }] }),
      heatGrid({ name: 'x', title: 'T', rows: ['R'], columns: ['C'], cells: [] }),
    ]) {
      expect(String(out)).toContain('data-testid="chart-x"');
      expect(String(out)).toContain('No data');
      expect(marks(String(out), 'rect', 'bar')).toEqual([]);
    }
  });

  it('escapes labels', () => {
    const out = String(barChart({ name: 'x', title: '<b>T</b>', series: [{ label: 'A"' }], groups: [{ label: '<script>', values: [1] }] }));
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<b>');
    expect(out).toContain('&lt;script&gt;');
  });
});

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

/** Signs a member in through the sign-in form and returns the session cookie. */
async function signIn(member: TestMember = 'admin'): Promise<string> {
  const res = await h.raw('/app/sign-in', { method: 'POST', body: new URLSearchParams({ key: h.keys[member] }) });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie');
  expect(cookie).toBeTruthy();
  return cookie!.split(';')[0]!;
}

/** The reports page for a member, with a query string. */
async function reportsPage(query = '', member: TestMember = 'admin'): Promise<string> {
  const res = await h.raw(`/app/reports${query}`, { headers: { cookie: await signIn(member) } });
  expect(res.status).toBe(200);
  return res.text();
}

const usd = (dollars: number) => ({ minor: dollars * 100, currency: 'USD' });
const hour = 3_600_000;

/** A pipeline with deals moved, won and lost with reasons, and open deals due in April. */
async function seedSales() {
  const s = h.host.crm.system('acme');
  const sales = await s.pipelines.create({
    name: 'Sales',
    stages: [{ name: 'Qualification', probability: 20 }, { name: 'Proposal', probability: 50, forecastCategory: 'best_case' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
  const deal = (title: string, dollars: number, expectedCloseOn?: string) =>
    s.deals.create({ title, pipelineId: sales.id, amount: usd(dollars), ownerId: h.members.rep.id, ...(expectedCloseOn ? { expectedCloseOn } : {}) });
  const [won, lostLate, lostEarly, lostTiming] = [await deal('Printers', 100), await deal('Toner', 20), await deal('Paper', 10), await deal('Ink', 5)];
  await deal('Scanner', 40, '2026-04-10');
  const proposal = await deal('Service', 30, '2026-04-20');
  h.clock.advance(24 * hour);
  for (const d of [won, lostLate, proposal]) await s.deals.moveToStage(d.id, 'proposal');
  h.clock.advance(24 * hour);
  await s.deals.markWon(won.id);
  await s.deals.markLost(lostLate.id, { reason: 'price' });
  await s.deals.markLost(lostEarly.id, { reason: 'price' });
  await s.deals.markLost(lostTiming.id, { reason: 'timing' });
  return sales;
}

/** Cases under a 1 h / 4 h policy: in March one meets both targets and one misses both; in April one meets both. */
async function seedCases() {
  const s = h.host.crm.system('acme');
  await s.slaPolicies.create({ name: 'Standard', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 240 } } });
  const handle = async (respondAfter: number, resolveAfter: number) => {
    const opened = h.clock.now().getTime();
    const c = await s.cases.create({ subject: 'Printer jams' });
    h.clock.set(new Date(opened + respondAfter));
    await s.cases.respond(c.id, { body: 'On it' });
    h.clock.set(new Date(opened + resolveAfter));
    await s.cases.setStatus(c.id, 'resolved');
  };
  h.clock.set('2026-03-10T09:00:00.000Z');
  await handle(0.5 * hour, 2 * hour);
  await handle(1.5 * hour, 5 * hour);
  h.clock.set('2026-04-06T09:00:00.000Z');
  await handle(0.25 * hour, 1 * hour);
}

/** Five customers whose RFM cells are 545, 433, 321, 252 and 114 (the history of docs/reports.md, a year earlier). */
async function seedOrders() {
  const s = h.host.crm.system('acme');
  const history: Record<string, [days: string[], minor: number]> = {
    Ada: [['01-05', '02-10', '03-20'], 20_000],
    Bob: [['01-03'], 90_000],
    Cy: [['02-01', '03-01'], 10_000],
    Di: [['02-02', '02-03', '02-04', '02-05', '02-06'], 5_000],
    Ed: [['01-10', '01-20', '03-10', '03-25'], 30_000],
  };
  for (const [firstName, [days, minor]] of Object.entries(history)) {
    const { id } = await s.contacts.create({ firstName });
    for (const day of days) await s.orders.create({ contactId: id, placedAt: `2025-${day}T00:00:00Z`, currency: 'USD', lines: [{ name: 'Box', unitPriceMinor: minor }] });
  }
}

describe('the reports page', () => {
  it('sends a visitor without a session to the sign-in page', async () => {
    const res = await h.raw('/app/reports');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/sign-in');
  });

  it('shows the funnel of the chosen pipeline: entered, moved on and won per stage', async () => {
    const sales = await seedSales();
    const funnel = chart(await reportsPage(`?pipeline=${sales.id}`), 'funnel');
    const bars = marks(funnel, 'rect', 'bar').map((b) => `${b['data-group']}/${b['data-series']}=${b['data-value']}`);
    expect(bars).toEqual([
      'Qualification/Entered=6', 'Qualification/Moved on=3', 'Qualification/Won=1',
      'Proposal/Entered=3', 'Proposal/Moved on=1', 'Proposal/Won=1',
      'Won/Entered=1', 'Won/Moved on=0', 'Won/Won=1',
      'Lost/Entered=3', 'Lost/Moved on=0', 'Lost/Won=0',
    ]);
    expect(funnel).toContain('aria-label="Pipeline funnel: Sales: 6 deals in the cohort');
  });

  it('shows the forecast per period stacked by forecast category, with amounts and counts', async () => {
    await seedSales();
    const forecast = chart(await reportsPage(), 'forecast');
    const bars = marks(forecast, 'rect', 'bar').filter((b) => b['data-value'] !== '0').map((b) => `${b['data-group']}/${b['data-series']}=${b['data-value']}`);
    expect(bars).toEqual(['2026-03-01/Closed=100', '2026-04-01/Pipeline=40', '2026-04-01/Best case=30']);
    expect(titles(forecast)).toContain('2026-04-01 · Best case: $30 (1 deals, weighted $15)');
    expect(forecast).toContain('Forecast by period (USD)');
  });

  it('shows won against lost deals and the top loss reasons', async () => {
    await seedSales();
    const winLoss = chart(await reportsPage(), 'win-loss');
    expect(marks(winLoss, 'rect', 'bar').map((b) => `${b['data-group']}=${b['data-value']}`)).toEqual(['Won=1', 'Lost=3', 'Lost: price=2', 'Lost: timing=1']);
    expect(winLoss).toContain('1 won, 3 lost, win rate 25%');
  });

  it('shows first-response and resolution compliance per period, as lines', async () => {
    await seedCases();
    const sla = chart(await reportsPage('?period=month'), 'sla');
    expect(marks(sla, 'circle', 'point').map((p) => `${p['data-series']}@${p['data-x']}=${p['data-value']}`)).toEqual([
      'First response met@2026-03-01=0.5', 'First response met@2026-04-01=1',
      'Resolution met@2026-03-01=0.5', 'Resolution met@2026-04-01=1',
    ]);
    expect(titles(sla)).toContain('2026-03-01 · First response met: 50% (1 met, 1 breached)');
  });

  it('narrows the SLA lines to the from / to range and the chosen period length', async () => {
    await seedCases();
    const page = await reportsPage('?period=week&from=2026-04-01&to=2026-05-01');
    expect(marks(chart(page, 'sla'), 'circle', 'point').map((p) => p['data-x'])).toEqual(['2026-04-06', '2026-04-06']);
    expect(page).toContain('<option value="week" selected>');
    expect(page).toContain('value="2026-04-01"');
  });

  it('shows customers on the RFM grid of recency by frequency', async () => {
    await seedOrders();
    const rfm = chart(await reportsPage(), 'rfm');
    const cells = marks(rfm, 'g', 'cell').filter((c) => c['data-value'] !== '0').map((c) => `${c['data-row']}/${c['data-column']}=${c['data-value']}`);
    expect(cells).toEqual(['R 5/F 4=1', 'R 4/F 3=1', 'R 3/F 2=1', 'R 2/F 5=1', 'R 1/F 1=1']);
    expect(titles(rfm)).toContain('R 5 · F 4: 1 (mean M score 5.0; champions)');
    expect(rfm).toContain('5 customers scored, reference date 2025-03-26, M in USD');
  });

  it('counts only what the signed-in member may read', async () => {
    const sales = await seedSales();
    expect(chart(await reportsPage(`?pipeline=${sales.id}`, 'admin'), 'funnel')).toContain('6 deals in the cohort');
    // The agent reads no deals under crmkit's access control, so its funnel is empty.
    expect(chart(await reportsPage(`?pipeline=${sales.id}`, 'agent'), 'funnel')).toContain('No data');
  });

  it('renders every chart as "No data" for an empty tenant', async () => {
    const page = await reportsPage();
    for (const name of ['funnel', 'forecast', 'win-loss', 'sla', 'rfm']) expect(chart(page, name)).toContain('No data');
  });

  it('names query fields it could not read and shows the defaults', async () => {
    const page = await reportsPage('?period=fortnight&from=yesterday');
    expect(page).toContain('data-testid="report-invalid"');
    expect(page).toContain('Ignored invalid period, from');
    expect(page).toContain('<option value="month" selected>');
  });

  it('asks for a currency when orders mix currencies, instead of failing', async () => {
    await seedOrders();
    const s = h.host.crm.system('acme');
    const { id } = await s.contacts.create({ firstName: 'Eve' });
    await s.orders.create({ contactId: id, placedAt: '2025-03-01T00:00:00Z', currency: 'EUR', lines: [{ name: 'Box', unitPriceMinor: 100 }] });
    expect(chart(await reportsPage(), 'rfm')).toContain('Choose a currency');
    expect(marks(chart(await reportsPage('?currency=eur'), 'rfm'), 'g', 'cell').filter((c) => c['data-value'] !== '0')).toHaveLength(1);
  });
});
