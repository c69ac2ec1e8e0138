import { ZoneClock } from '../../calendar/zone-clock.js';
import type { TenantContext } from '../../common/context.js';
import { ValidationError } from '../../errors.js';
import { orderModel } from '../../orders/order.model.js';
import { validateTimeZone } from '../../storage/time-zone.js';
import type { Where } from '../../storage/where.js';
import type { ReportPeriod } from '../case-groups.js';

/** One calendar period: its key (first local day) and its instants `[start, end)`. */
export interface PeriodRange {
  /** The first day of the period in the zone, `YYYY-MM-DD`. */
  key: string;
  /** ISO UTC instant of the period's first local midnight. */
  start: string;
  /** ISO UTC instant of the next period's first local midnight. */
  end: string;
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const dayMs = 86_400_000;

/** Most periods one report spans: the reports issue a few statements per period. */
export const maxReportPeriods = 400;

/**
 * The periods from the one holding `from` (default: the first of the orders
 * matching `orders`) to the one holding the instant before `to` (default:
 * just after the last of them).
 * @throws {ValidationError} for more than {@link maxReportPeriods} periods
 */
export async function reportedPeriods(ctx: TenantContext, orders: Where, calendar: PeriodCalendar, from?: string, to?: string): Promise<PeriodRange[]> {
  let start = from;
  let end = to;
  if (start === undefined || end === undefined) {
    const [bounds] = await ctx.storage.aggregate({
      model: orderModel, tenantId: ctx.tenantId, where: orders,
      metrics: { first: { fn: 'min', field: 'placedAt' }, last: { fn: 'max', field: 'placedAt' } },
    });
    if (bounds?.first == null) return [];
    start ??= String(bounds.first);
    end ??= new Date(Date.parse(String(bounds.last)) + 1).toISOString();
  }
  if (end <= start) return [];
  const periods = calendar.span(start, end);
  if (periods.length > maxReportPeriods) {
    throw ValidationError.single(`The report spans ${periods.length} periods, more than ${maxReportPeriods}: narrow from / to or use a longer period`, ['period']);
  }
  return periods;
}

/**
 * Cuts instants into calendar periods of one zone, with `Intl` deciding offsets
 * and DST: the ranges a report filters orders with, one statement per period.
 */
export class PeriodCalendar {
  readonly #zone: ZoneClock;

  /** @throws {ValidationError} for an unknown time zone */
  constructor(readonly period: ReportPeriod, readonly timeZone: string) {
    validateTimeZone(timeZone, ['timeZone']);
    this.#zone = new ZoneClock(timeZone, 'report');
  }

  /** The period holding an instant (ISO string). */
  of(instant: string): PeriodRange {
    return this.#range(this.#first(this.#localDate(Date.parse(instant))));
  }

  /** The period whose key (first local day, `YYYY-MM-DD`) is given. */
  ofKey(key: string): PeriodRange {
    return this.#range(parseKey(key));
  }

  /** The period after `range`. */
  next(range: PeriodRange): PeriodRange {
    return this.#range(this.#advance(parseKey(range.key), 1));
  }

  /** The period `n` periods after (or before, negative) `range`. */
  shift(range: PeriodRange, n: number): PeriodRange {
    return this.#range(this.#advance(parseKey(range.key), n));
  }

  /** Every period from the one holding `from` to the one holding the instant just before `to`. */
  span(from: string, to: string): PeriodRange[] {
    const ranges: PeriodRange[] = [];
    const last = new Date(Date.parse(to) - 1).toISOString();
    for (let r = this.of(from); r.start <= last; r = this.next(r)) ranges.push(r);
    return ranges;
  }

  #range(first: Ymd): PeriodRange {
    return { key: keyOf(first), start: this.#midnight(first), end: this.#midnight(this.#advance(first, 1)) };
  }

  #first(date: Ymd): Ymd {
    switch (this.period) {
      case 'day': return date;
      case 'week': return fromUtc(utc(date) - ((new Date(utc(date)).getUTCDay() + 6) % 7) * dayMs);
      case 'month': return { y: date.y, m: date.m, d: 1 };
      case 'quarter': return { y: date.y, m: date.m - ((date.m - 1) % 3), d: 1 };
      case 'year': return { y: date.y, m: 1, d: 1 };
    }
  }

  #advance(first: Ymd, n: number): Ymd {
    switch (this.period) {
      case 'day': return fromUtc(utc(first) + n * dayMs);
      case 'week': return fromUtc(utc(first) + 7 * n * dayMs);
      case 'month': return fromUtc(Date.UTC(first.y, first.m - 1 + n, 1));
      case 'quarter': return fromUtc(Date.UTC(first.y, first.m - 1 + 3 * n, 1));
      case 'year': return fromUtc(Date.UTC(first.y + n, 0, 1));
    }
  }

  #localDate(instant: number): Ymd {
    const { year, month, day } = this.#zone.dateOf(instant);
    return { y: year, m: month, d: day };
  }

  /** The instant of a local midnight (the first instant of the day when DST skips midnight). */
  #midnight(date: Ymd): string {
    return new Date(this.#zone.instantOf({ year: date.y, month: date.m, day: date.d }, 0)).toISOString();
  }
}

function utc(date: Ymd): number {
  return Date.UTC(date.y, date.m - 1, date.d);
}

function fromUtc(ms: number): Ymd {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function keyOf(date: Ymd): string {
  return `${String(date.y).padStart(4, '0')}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}

function parseKey(key: string): Ymd {
  return { y: Number(key.slice(0, 4)), m: Number(key.slice(5, 7)), d: Number(key.slice(8, 10)) };
}
