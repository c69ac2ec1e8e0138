import type { ResponseTimesRow, Row, SlaComplianceRow } from '@crmkit/core';

/**
 * The baseline of the SLA-report rows: the statements a developer writes by
 * hand for the same reports on the same `crm_case` table, for SQLite
 * (better-sqlite3 with its percentile extension) and PostgreSQL, and the
 * mapping of their rows into the reports' shapes so that results compare.
 */
export type Dialect = 'sqlite' | 'postgres';

/** The `crm_case` columns the statements name; the suite checks they exist. */
export const slaColumns = [
  'tenant_id', 'priority', 'team_id', 'opened_at', 'first_response_breached', 'resolution_breached',
  'first_response_minutes', 'first_response_business_minutes', 'resolution_minutes', 'resolution_business_minutes',
] as const;

const param = (d: Dialect) => (d === 'sqlite' ? '?' : '$1');
const flag = (d: Dialect, value: boolean) => (d === 'sqlite' ? String(Number(value)) : String(value));
const percentile = (d: Dialect, column: string, p: number) =>
  d === 'sqlite' ? `percentile_cont(${column}, ${p})` : `percentile_cont(${p}) within group (order by ${column})`;
const month = (d: Dialect) =>
  // Timestamps are ISO UTC text in SQLite: the month is a prefix, cheaper than strftime.
  d === 'sqlite' ? `substr(opened_at, 1, 7) || '-01'` : `to_char(date_trunc('month', opened_at at time zone 'UTC'), 'YYYY-MM-DD')`;

/** SLA compliance by priority: met and breached counts per target. */
export function complianceSql(d: Dialect): string {
  return `select priority, count(*) as cases,
  count(*) filter (where first_response_breached = ${flag(d, false)}) as first_met,
  count(*) filter (where first_response_breached = ${flag(d, true)}) as first_breached,
  count(*) filter (where resolution_breached = ${flag(d, false)}) as resolution_met,
  count(*) filter (where resolution_breached = ${flag(d, true)}) as resolution_breached
from crm_case where tenant_id = ${param(d)} group by priority order by priority`;
}

const times = (d: Dialect) =>
  (['first_response', 'resolution'] as const)
    .map((t) => `count(${t}_minutes) as ${t}_count,
  ${percentile(d, `${t}_minutes`, 0.5)} as ${t}_median, ${percentile(d, `${t}_minutes`, 0.9)} as ${t}_p90,
  ${percentile(d, `${t}_business_minutes`, 0.5)} as ${t}_business_median, ${percentile(d, `${t}_business_minutes`, 0.9)} as ${t}_business_p90`)
    .join(',\n  ');

/** Median and p90 of first response and resolution, calendar and business, by priority. */
export function timesByPrioritySql(d: Dialect): string {
  return `select priority, count(*) as cases,\n  ${times(d)}\nfrom crm_case where tenant_id = ${param(d)} group by priority order by priority`;
}

/** The same figures by team and opening month. */
export function timesByTeamMonthSql(d: Dialect): string {
  return `select team_id, ${month(d)} as period, count(*) as cases,\n  ${times(d)}
from crm_case where tenant_id = ${param(d)} group by team_id, period order by team_id, period`;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const rate = (met: number, breached: number) => (met + breached === 0 ? null : met / (met + breached));

/** A compliance row of the baseline, in the report's shape. */
export function complianceRow(r: Row): SlaComplianceRow {
  const [fm, fb, rm, rb] = [r.first_met, r.first_breached, r.resolution_met, r.resolution_breached].map(Number) as [number, number, number, number];
  return {
    priority: r.priority as SlaComplianceRow['priority'] & string,
    cases: Number(r.cases),
    firstResponse: { met: fm, breached: fb, rate: rate(fm, fb) },
    resolution: { met: rm, breached: rb, rate: rate(rm, rb) },
  };
}

/** A response-times row of the baseline, in the report's shape (keys as grouped). */
export function timesRow(r: Row): ResponseTimesRow {
  const figures = (t: string) => ({
    count: Number(r[`${t}_count`]),
    median: num(r[`${t}_median`]),
    p90: num(r[`${t}_p90`]),
    businessMedian: num(r[`${t}_business_median`]),
    businessP90: num(r[`${t}_business_p90`]),
  });
  const key: Partial<ResponseTimesRow> = 'priority' in r ? { priority: r.priority as ResponseTimesRow['priority'] } : { teamId: (r.team_id as string | null) ?? null, period: String(r.period) };
  return { ...key, cases: Number(r.cases), firstResponse: figures('first_response'), resolution: figures('resolution') };
}
