import type { ForecastRow, Money, WinLossRow } from '@crmkit/core';
import type { SeedDeal } from './sales-reports-seed.js';

/**
 * The independent side of the sales-report tests: the figures computed in
 * plain JavaScript from what the seed did, never from crmkit's reports.
 */

export const periods = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Period = (typeof periods)[number];

const pad = (n: number) => String(n).padStart(2, '0');
/** The first day of the period holding an instant (or a date) in a zone: the textbook calendar arithmetic. */
export function bucketOf(value: string, period: Period, timeZone = 'UTC'): string {
  const day = value.length === 10 ? value : new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(value));
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (period === 'day') return day;
  if (period === 'month') return `${y}-${pad(m)}-01`;
  if (period === 'quarter') return `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`;
  if (period === 'year') return `${y}-01-01`;
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(d - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/** Sums per currency, in currency order. */
export function sums(items: readonly { currency: string; minor: number }[]): Money[] {
  const by = new Map<string, number>();
  for (const i of items) by.set(i.currency, (by.get(i.currency) ?? 0) + i.minor);
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, minor]) => ({ minor, currency }));
}

/** Key order of the reports: element-wise, null last. */
export function byKeys<T>(key: (row: T) => (string | null)[]) {
  return (a: T, b: T) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) {
      if (x[i] === y[i]) continue;
      if (x[i] === null) return 1;
      if (y[i] === null) return -1;
      return x[i]! < y[i]! ? -1 : 1;
    }
    return 0;
  };
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const categories = ['pipeline', 'best_case', 'commit', 'closed'] as const;
export const weighted = (d: SeedDeal) => Math.round((d.amount * d.stage.probability) / 100);

export function expectedForecast(deals: readonly SeedDeal[], period: Period, keep: (d: SeedDeal) => boolean = () => true, zone = 'UTC'): ForecastRow[] {
  const included = deals.filter((d) => d.stage.forecastCategory !== 'omitted' && keep(d));
  const periodOf = (d: SeedDeal) => (d.status === 'open' ? (d.expectedCloseOn === null ? null : bucketOf(d.expectedCloseOn, period)) : bucketOf(d.closedAt!, period, zone));
  const groups = groupBy(included, (d) => JSON.stringify([periodOf(d), d.stage.forecastCategory]));
  return [...groups.values()]
    .map((list): ForecastRow => ({
      period: periodOf(list[0]!),
      category: list[0]!.stage.forecastCategory as ForecastRow['category'],
      count: list.length,
      amounts: sums(list.map((d) => ({ currency: d.currency, minor: d.amount }))),
      weightedAmounts: sums(list.map((d) => ({ currency: d.currency, minor: weighted(d) }))),
    }))
    .sort((a, b) => byKeys((r: ForecastRow) => [r.period])(a, b) || categories.indexOf(a.category) - categories.indexOf(b.category));
}

export type WinLossDim = 'owner' | 'pipeline' | 'period';
export function expectedWinLoss(deals: readonly SeedDeal[], by: readonly WinLossDim[], period: Period, top = 10, zone = 'UTC'): WinLossRow[] {
  const keyOf = (d: SeedDeal) => by.map((dim) => (dim === 'owner' ? d.ownerId : dim === 'pipeline' ? d.pipelineId : bucketOf(d.closedAt!, period, zone)));
  const closed = deals.filter((d) => d.status !== 'open');
  const groups = [...groupBy(closed, (d) => JSON.stringify(keyOf(d))).values()].sort(byKeys((list) => keyOf(list[0]!)));
  return groups.map((list): WinLossRow => {
    const won = list.filter((d) => d.status === 'won');
    const lost = list.filter((d) => d.status === 'lost');
    const reasons = [...groupBy(lost, (d) => JSON.stringify(d.lostReason))].map(([reason, l]) => ({ reason: JSON.parse(reason) as string | null, count: l.length }));
    reasons.sort((a, b) => b.count - a.count || (a.reason === b.reason ? 0 : a.reason === null ? -1 : b.reason === null ? 1 : a.reason < b.reason ? -1 : 1));
    const key = keyOf(list[0]!);
    return {
      ...Object.fromEntries(by.map((dim, i) => [dim === 'owner' ? 'ownerId' : dim === 'pipeline' ? 'pipelineId' : 'period', key[i]])),
      won: won.length,
      lost: lost.length,
      closed: list.length,
      winRate: won.length / list.length,
      wonAmounts: sums(won.map((d) => ({ currency: d.currency, minor: d.amount }))),
      lostAmounts: sums(lost.map((d) => ({ currency: d.currency, minor: d.amount }))),
      lossReasons: reasons.slice(0, top),
      otherLossReasons: reasons.slice(top).reduce((n, r) => n + r.count, 0),
    };
  });
}
