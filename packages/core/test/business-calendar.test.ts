import { businessCalendar, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const minute = 60_000;
const hour = 60 * minute;
const berlin = businessCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] });
const between = (calendar: typeof berlin, from: string, to: string) => calendar.workingTimeBetween(new Date(from), new Date(to));

describe('working time between two instants', () => {
  it('counts only working hours of working days, skipping weekends and holidays', () => {
    // Thursday 2026-12-24 09:00 Berlin to Monday 2026-12-28 10:00: Thursday 8 h, Friday a holiday, weekend, Monday 1 h.
    expect(between(berlin, '2026-12-24T08:00:00Z', '2026-12-28T09:00:00Z')).toBe(9 * hour);
  });

  it('counts the part of a working day inside the span', () => {
    expect(between(berlin, '2026-03-09T10:30:00Z', '2026-03-09T12:00:00Z')).toBe(90 * minute);
    expect(between(berlin, '2026-03-09T06:00:00Z', '2026-03-09T20:00:00Z')).toBe(8 * hour);
  });

  it('is zero for an empty, reversed or idle span', () => {
    expect(between(berlin, '2026-03-09T10:00:00Z', '2026-03-09T10:00:00Z')).toBe(0);
    expect(between(berlin, '2026-03-09T12:00:00Z', '2026-03-09T10:00:00Z')).toBe(0);
    expect(between(berlin, '2026-03-07T08:00:00Z', '2026-03-08T20:00:00Z')).toBe(0); // a weekend
  });

  it('counts real elapsed time on the days the clocks change', () => {
    const always = businessCalendar({ timeZone: 'Europe/Berlin', workingDays: [0, 1, 2, 3, 4, 5, 6], hours: { start: '00:00', end: '24:00' } });
    // Sunday 2026-03-29 (23 h) and Sunday 2026-10-25 (25 h), local midnight to midnight.
    expect(between(always, '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toBe(23 * hour);
    expect(between(always, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')).toBe(25 * hour);
    // Working hours in local time move by an hour in UTC across the change: Friday 8 h + Monday 8 h.
    expect(between(berlin, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z')).toBe(16 * hour);
  });

  it('refuses invalid dates', () => {
    expect(() => berlin.workingTimeBetween(new Date('nope'), new Date())).toThrow(ValidationError);
  });
});

describe('working time between, as the inverse of adding working time', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC'];
  const hoursOf = [{ start: '09:00', end: '17:00' }, { start: '08:30', end: '12:00' }, { start: '00:00', end: '24:00' }];
  const calendarArb = fc
    .record({
      timeZone: fc.constantFrom(...zones),
      hours: fc.constantFrom(...hoursOf),
      days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    })
    .map(({ timeZone, hours, days }) => businessCalendar({ timeZone, workingDays: days, hours, holidays: ['2026-12-25', '2027-01-01'] }));
  // Minutes from 2026-01-01 over two years, so spans cross DST changes in both hemispheres.
  const instant = fc.integer({ min: 0, max: 2 * 365 * 24 * 60 }).map((m) => Date.UTC(2026, 0, 1) + m * minute);

  it('lands at or before `to` when the working time between `from` and `to` is added to `from`', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 0, max: 60 * 24 * 20 }), (calendar, from, spanMinutes) => {
        const to = from + spanMinutes * minute;
        const ms = calendar.workingTimeBetween(new Date(from), new Date(to));
        expect(calendar.addWorkingTime(new Date(from), ms).getTime()).toBeLessThanOrEqual(to);
        // And nothing of working time is left between that instant and `to`.
        expect(calendar.workingTimeBetween(calendar.addWorkingTime(new Date(from), ms), new Date(to))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('gives back exactly the working time added', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 0, max: 60 * 24 * 10 }), (calendar, from, addMinutes) => {
        const ms = addMinutes * minute;
        expect(calendar.workingTimeBetween(new Date(from), calendar.addWorkingTime(new Date(from), ms))).toBe(ms);
      }),
      { numRuns: 200 },
    );
  });
});
