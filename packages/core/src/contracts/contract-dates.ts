/**
 * Calendar arithmetic on `YYYY-MM-DD` dates, in UTC: contract periods are
 * whole days, the last one included.
 */

/** The date `days` days after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The date `months` months after `date`, clamped to the month's last day (Jan 31 + 1 month = Feb 28). */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

/** The last day of a period of `months` months starting on `start`. */
export function endOfMonths(start: string, months: number): string {
  return addDays(addMonths(start, months), -1);
}

/** Months since year 0 of a date's month, so that two dates' difference counts calendar months. */
function monthIndex(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/** Days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The end of a period starting on `start` as long as `previous`: whole months
 * when `previous` ran whole months (a yearly contract renews for a year,
 * leap days or not), else the same number of days.
 */
export function samePeriodEnd(previous: { startDate: string; endDate: string }, start: string): string {
  const { startDate, endDate } = previous;
  const after = addDays(endDate, 1);
  const months = monthIndex(after) - monthIndex(startDate);
  if (months > 0 && endOfMonths(startDate, months) === endDate) return endOfMonths(start, months);
  return addDays(start, daysBetween(startDate, endDate));
}
