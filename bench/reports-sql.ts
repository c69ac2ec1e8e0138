import type { ActivityRow, PurchaseGapFigures, PurchaseGaps, Row, SalesCycleFigures, SalesCycleRow, WinLossRow } from '@crmkit/core';

/**
 * The baseline of the reports suite: the statements a developer writes by hand
 * for the same reports over `crm_deal`, `crm_order` and `crm_interaction`, for
 * SQLite (better-sqlite3, its percentile extension) and PostgreSQL, and the few
 * lines of JavaScript that turn their rows into the figures the reports give.
 * Constants are literals, as in a hand-written program; the tenant id is the
 * first parameter.
 */
export type Dialect = 'sqlite' | 'postgres';

/** Runs a statement with the tenant id as `?` / `$1` and then `params`. */
export type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

/** The columns the statements name, per table; the suite checks they exist. */
export const reportColumns = {
  crm_deal: ['tenant_id', 'owner_id', 'pipeline_id', 'status', 'amount_minor', 'currency', 'lost_reason', 'created_at', 'closed_at'],
  crm_order: ['tenant_id', 'id', 'contact_id', 'status', 'placed_at', 'total_minor', 'currency', 'channel'],
  crm_interaction: ['tenant_id', 'owner_id', 'type', 'occurred_at'],
  crm_task: ['tenant_id', 'assignee_id', 'status', 'completed_at'],
} as const;

const p = (d: Dialect, i: number) => (d === 'sqlite' ? '?' : `$${i}`);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const percentile = (d: Dialect, expr: string, fraction: number, filter?: string) => {
  const call = d === 'sqlite' ? `percentile_cont(${expr}, ${fraction})` : `percentile_cont(${fraction}) within group (order by ${expr})`;
  return filter === undefined ? call : `${call} filter (where ${filter})`;
};
/** Days between two timestamps, fractions kept. */
const days = (d: Dialect, from: string, to: string) =>
  d === 'sqlite' ? `(julianday(${to}) - julianday(${from}))` : `(extract(epoch from ${to} - ${from})::float8 / 86400)`;
/** The first day of the UTC month (SQLite timestamps are ISO UTC text: a prefix). */
const utcMonth = (d: Dialect, column: string) =>
  d === 'sqlite' ? `substr(${column}, 1, 7) || '-01'` : `to_char(date_trunc('month', ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
const utcQuarter = (d: Dialect, column: string) =>
  d === 'sqlite'
    ? `substr(${column}, 1, 5) || printf('%02d', ((cast(substr(${column}, 6, 2) as integer) - 1) / 3) * 3 + 1) || '-01'`
    : `to_char(date_trunc('quarter', ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
const counted = `contact_id is not null and status in ('placed', 'paid', 'fulfilled')`;

/** Null owner (or member) after every other, then code-unit order, as the reports order keys. */
const byKeys = (a: readonly (string | null)[], b: readonly (string | null)[]): number => {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return 1;
    if (b[i] === null) return -1;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
};

/** Win / loss by owner: counts and amounts per currency, loss reasons by frequency. */
export async function winLossByOwner(d: Dialect, query: Query): Promise<WinLossRow[]> {
  const [amounts, reasons] = await Promise.all([
    query(`select owner_id, currency,
  count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost,
  sum(amount_minor) filter (where status = 'won') as won_amount, sum(amount_minor) filter (where status = 'lost') as lost_amount
from crm_deal where tenant_id = ${p(d, 1)} and status in ('won', 'lost') group by owner_id, currency order by owner_id, currency`),
    query(`select owner_id, lost_reason, count(*) as n from crm_deal where tenant_id = ${p(d, 1)} and status = 'lost'
group by owner_id, lost_reason order by n desc, lost_reason ${d === 'postgres' ? 'collate "C" ' : ''}nulls first`),
  ]);
  const rows = new Map<string | null, WinLossRow>();
  const row = (owner: unknown) => {
    const key = (owner as string | null) ?? null;
    let r = rows.get(key);
    if (r === undefined) rows.set(key, (r = { ownerId: key, won: 0, lost: 0, closed: 0, winRate: 0, wonAmounts: [], lostAmounts: [], lossReasons: [], otherLossReasons: 0 }));
    return r;
  };
  for (const a of amounts) {
    const r = row(a.owner_id);
    const [won, lost] = [Number(a.won), Number(a.lost)];
    r.won += won;
    r.lost += lost;
    if (won > 0) r.wonAmounts.push({ minor: Number(a.won_amount), currency: String(a.currency) });
    if (lost > 0) r.lostAmounts.push({ minor: Number(a.lost_amount), currency: String(a.currency) });
  }
  for (const x of reasons) {
    const r = row(x.owner_id);
    if (r.lossReasons.length < 10) r.lossReasons.push({ reason: (x.lost_reason as string | null) ?? null, count: Number(x.n) });
    else r.otherLossReasons += Number(x.n);
  }
  return [...rows.values()]
    .map((r) => ({ ...r, closed: r.won + r.lost, winRate: r.won + r.lost === 0 ? 0 : r.won / (r.won + r.lost) }))
    .sort((a, b) => byKeys([a.ownerId ?? null], [b.ownerId ?? null]));
}

/** Sales cycle (created to closed, days) by pipeline: count, mean, median, p90 of won, lost and both. */
export async function salesCycleByPipeline(d: Dialect, query: Query): Promise<SalesCycleRow[]> {
  const figures = (name: string, filter?: string) =>
    `count(*)${filter ? ` filter (where ${filter})` : ''} as ${name}_count, avg(days)${filter ? ` filter (where ${filter})` : ''} as ${name}_avg,
  ${percentile(d, 'days', 0.5, filter)} as ${name}_median, ${percentile(d, 'days', 0.9, filter)} as ${name}_p90`;
  const rows = await query(`select pipeline_id,
  ${figures('won', `status = 'won'`)},
  ${figures('lost', `status = 'lost'`)},
  ${figures('closed')}
from (select pipeline_id, status, ${days(d, 'created_at', 'closed_at')} as days from crm_deal
  where tenant_id = ${p(d, 1)} and status in ('won', 'lost')) as closed
group by pipeline_id order by pipeline_id`);
  const of = (r: Row, name: string): SalesCycleFigures => ({
    count: Number(r[`${name}_count`]), averageDays: num(r[`${name}_avg`]), medianDays: num(r[`${name}_median`]), p90Days: num(r[`${name}_p90`]),
  });
  return rows.map((r) => ({ pipelineId: String(r.pipeline_id), won: of(r, 'won'), lost: of(r, 'lost'), closed: of(r, 'closed') }));
}

/** What the suite compares of an RFM report: the reference date, the cells and the first page of customers. */
export interface RfmFigures {
  referenceDate: string;
  customers: number;
  cells: { cell: string; customers: number }[];
  page: { contactId: string; lastOrderAt: string; frequency: number; monetary: number; cell: string }[];
}

/**
 * RFM of the USD orders: reference date the day after the last order, then
 * per contact last order, count and sum, scored by equal-count quintiles
 * floor(5i / n) + 1 with ties by contact id; cells counted, first page of 50.
 */
export async function rfmUsd(d: Dialect, query: Query): Promise<RfmFigures> {
  const [last] = await query(`select max(placed_at) as last from crm_order where tenant_id = ${p(d, 1)} and ${counted} and currency = 'USD'`);
  const day = iso(last!.last).slice(0, 10);
  const referenceDate = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
  const reference = `${referenceDate}T00:00:00.000Z`;
  const scored = `with customers as (
  select contact_id, max(placed_at) as last_order, count(*) as orders, sum(total_minor) as revenue from crm_order
  where tenant_id = ${p(d, 1)} and ${counted} and currency = 'USD' and placed_at < ${p(d, 2)} group by contact_id
), scored as (
  select contact_id, last_order, orders, revenue,
    5 * (row_number() over (order by last_order, contact_id) - 1) / count(*) over () + 1 as r,
    5 * (row_number() over (order by orders, contact_id) - 1) / count(*) over () + 1 as f,
    5 * (row_number() over (order by revenue, contact_id) - 1) / count(*) over () + 1 as m
  from customers
)`;
  const [cells, page] = await Promise.all([
    query(`${scored} select r, f, m, count(*) as n from scored group by r, f, m order by r desc, f desc, m desc`, [reference]),
    query(`${scored} select * from scored order by contact_id limit 51`, [reference]),
  ]);
  const cellOf = (r: Row) => `${Number(r.r)}${Number(r.f)}${Number(r.m)}`;
  return {
    referenceDate,
    customers: cells.reduce((n, c) => n + Number(c.n), 0),
    cells: cells.map((c) => ({ cell: cellOf(c), customers: Number(c.n) })),
    page: page.slice(0, 50).map((c) => ({
      contactId: String(c.contact_id), lastOrderAt: iso(c.last_order), frequency: Number(c.orders), monetary: Number(c.revenue), cell: cellOf(c),
    })),
  };
}

/** What the suite compares of a cohort report: per cohort its size and the customers at each offset. */
export type CohortFigures = { cohort: string; customers: number; retention: number[] }[];

const nextMonth = (key: string) => {
  const [y, m] = [Number(key.slice(0, 4)), Number(key.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/** Monthly cohort retention (UTC), offsets 0 to 12: customers per first-order month and order month. */
export async function cohortRetentionMonthly(d: Dialect, query: Query): Promise<CohortFigures> {
  const [cells, [bounds]] = await Promise.all([
    query(`select cohort, period, count(distinct contact_id) as n from (
  select contact_id, ${utcMonth(d, 'min(placed_at) over (partition by contact_id)')} as cohort, ${utcMonth(d, 'placed_at')} as period
  from crm_order where tenant_id = ${p(d, 1)} and ${counted}
) as orders group by cohort, period order by cohort, period`),
    query(`select max(placed_at) as last from crm_order where tenant_id = ${p(d, 1)} and ${counted}`),
  ]);
  if (cells.length === 0) return [];
  const end = `${iso(bounds!.last).slice(0, 7)}-01`;
  const count = new Map(cells.map((c) => [`${String(c.cohort)} ${String(c.period)}`, Number(c.n)]));
  const out: CohortFigures = [];
  for (let c = String(cells[0]!.cohort); c <= end; c = nextMonth(c)) {
    const retention: number[] = [];
    for (let k = 0, q = c; k <= 12 && q <= end; k++, q = nextMonth(q)) retention.push(count.get(`${c} ${q}`) ?? 0);
    out.push({ cohort: c, customers: count.get(`${c} ${c}`) ?? 0, retention });
  }
  return out;
}

/** Days between consecutive counted orders of a contact: overall and per quarter of the later order. */
export async function purchaseGapsQuarterly(d: Dialect, query: Query): Promise<PurchaseGaps> {
  const gaps = `select placed_at, ${days(d, 'lag(placed_at) over (partition by contact_id order by placed_at)', 'placed_at')} as gap
  from crm_order where tenant_id = ${p(d, 1)} and ${counted}`;
  const figures = `count(gap) as n, avg(gap) as mean, ${percentile(d, 'gap', 0.5)} as median, ${percentile(d, 'gap', 0.9)} as p90, min(gap) as min, max(gap) as max`;
  const [[overall], periods] = await Promise.all([
    query(`select ${figures} from (${gaps}) as g where gap is not null`),
    query(`select ${utcQuarter(d, 'placed_at')} as period, ${figures} from (${gaps}) as g where gap is not null group by period order by period`),
  ]);
  const of = (r: Row | undefined): PurchaseGapFigures => ({
    gaps: Number(r?.n ?? 0), meanDays: num(r?.mean), medianDays: num(r?.median), p90Days: num(r?.p90), minDays: num(r?.min), maxDays: num(r?.max),
  });
  return { ...of(overall), periods: periods.map((r) => ({ period: String(r.period), ...of(r) })) };
}

/** What the suite compares of a customer ranking. */
export type RankingFigures = { rank: number; customerId: string; revenue: number; orders: number }[];

/** The 10 contacts with the most USD revenue, ties by contact id. */
export async function topCustomersUsd(d: Dialect, query: Query): Promise<RankingFigures> {
  const rows = await query(`select contact_id, sum(total_minor) as revenue, count(*) as orders from crm_order
where tenant_id = ${p(d, 1)} and ${counted} and currency = 'USD'
group by contact_id order by revenue desc, contact_id limit 10`);
  return rows.map((r, i) => ({ rank: i + 1, customerId: String(r.contact_id), revenue: Number(r.revenue), orders: Number(r.orders) }));
}

/** Calls, emails, meetings, other interactions and completed tasks per member and UTC month. */
export async function activityMonthly(d: Dialect, query: Query): Promise<ActivityRow[]> {
  const [logged, done] = await Promise.all([
    query(`select owner_id, ${utcMonth(d, 'occurred_at')} as period,
  count(*) filter (where type = 'call') as calls, count(*) filter (where type = 'email') as emails,
  count(*) filter (where type = 'meeting') as meetings, count(*) filter (where type not in ('call', 'email', 'meeting')) as other
from crm_interaction where tenant_id = ${p(d, 1)} group by owner_id, period`),
    query(`select assignee_id, ${utcMonth(d, 'completed_at')} as period, count(*) as n from crm_task
where tenant_id = ${p(d, 1)} and status = 'done' and completed_at is not null group by assignee_id, period`),
  ]);
  const rows = new Map<string, ActivityRow>();
  const row = (member: unknown, period: unknown) => {
    const key = JSON.stringify([member ?? null, period]);
    let r = rows.get(key);
    if (r === undefined) {
      rows.set(key, (r = { memberId: (member as string | null) ?? null, period: String(period), calls: 0, emails: 0, meetings: 0, otherInteractions: 0, tasksCompleted: 0 }));
    }
    return r;
  };
  for (const l of logged) Object.assign(row(l.owner_id, l.period), { calls: Number(l.calls), emails: Number(l.emails), meetings: Number(l.meetings), otherInteractions: Number(l.other) });
  for (const t of done) row(t.assignee_id, t.period).tasksCompleted += Number(t.n);
  return [...rows.values()].sort((a, b) => byKeys([a.memberId, a.period], [b.memberId, b.period]));
}

/** What the suite compares of a cube over orders. */
export type CubeFigures = { channel: string | null; month: string; currency: string; count: number; revenue: number }[];

/**
 * Orders by channel, month in Europe/Paris and currency: count and revenue.
 * SQLite has no time-zone database: the hand-written program calls the same
 * deterministic JavaScript function the adapter registers on the connection
 * (`crmkit_zoned_bucket`), as it would register one of its own.
 */
export async function ordersByChannelParisMonth(d: Dialect, query: Query): Promise<CubeFigures> {
  const month = d === 'sqlite' ? `crmkit_zoned_bucket(placed_at, 'month', 'Europe/Paris')` : `to_char(date_trunc('month', placed_at at time zone 'Europe/Paris'), 'YYYY-MM-DD')`;
  const rows = await query(`select channel, ${month} as month, currency, count(*) as n, sum(total_minor) as revenue
from crm_order where tenant_id = ${p(d, 1)} group by channel, month, currency order by channel, month, currency`);
  return rows.map((r) => ({ channel: (r.channel as string | null) ?? null, month: String(r.month), currency: String(r.currency), count: Number(r.n), revenue: Number(r.revenue) }));
}
