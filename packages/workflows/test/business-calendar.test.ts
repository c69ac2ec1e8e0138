import { ValidationError } from '@crmkit/core';
import { businessCalendar } from '@crmkit/workflows';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hour, minute } from './helpers.js';

const berlin = businessCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] });
const newYork = businessCalendar({ timeZone: 'America/New_York' });
const add = (calendar: typeof berlin, from: string, ms: number) => calendar.addWorkingTime(new Date(from), ms).toISOString();

describe('adding working time', () => {
  it('carries what does not fit on Friday over to Monday morning', () => {
    // Friday 2026-03-06 16:00 in Berlin (CET, UTC+1) -> Monday 10:00.
    expect(add(berlin, '2026-03-06T15:00:00Z', 2 * hour)).toBe('2026-03-09T09:00:00.000Z');
  });

  it('ends at closing time when the time fits the day exactly', () => {
    expect(add(berlin, '2026-03-09T08:00:00Z', 8 * hour)).toBe('2026-03-09T16:00:00.000Z');
  });

  it('skips holidays', () => {
    // Thursday 2026-12-24 16:00; Friday the 25th is a holiday, then the weekend.
    expect(add(berlin, '2026-12-24T15:00:00Z', 2 * hour)).toBe('2026-12-28T09:00:00.000Z');
  });

  it('starts counting at the next opening when started outside working hours', () => {
    expect(add(berlin, '2026-03-07T10:00:00Z', 1 * hour)).toBe('2026-03-09T09:00:00.000Z'); // Saturday
    expect(add(berlin, '2026-03-10T06:00:00Z', 30 * minute)).toBe('2026-03-10T08:30:00.000Z'); // Tuesday 07:00
    expect(add(berlin, '2026-03-10T17:00:00Z', 1 * hour)).toBe('2026-03-11T09:00:00.000Z'); // Tuesday 18:00
  });

  it('adds nothing for zero working time, even outside working hours', () => {
    expect(add(berlin, '2026-03-07T10:00:00Z', 0)).toBe('2026-03-07T10:00:00.000Z');
  });

  it('keeps local working hours across the spring and autumn DST changes in Berlin', () => {
    // 29 March 2026: CET (UTC+1) -> CEST (UTC+2).
    expect(add(berlin, '2026-03-27T15:00:00Z', 2 * hour)).toBe('2026-03-30T08:00:00.000Z');
    // 25 October 2026: CEST -> CET.
    expect(add(berlin, '2026-10-23T14:00:00Z', 2 * hour)).toBe('2026-10-26T09:00:00.000Z');
  });

  it('keeps local working hours across the spring and autumn DST changes in New York', () => {
    // 8 March 2026: EST (UTC-5) -> EDT (UTC-4).
    expect(add(newYork, '2026-03-06T21:00:00Z', 2 * hour)).toBe('2026-03-09T14:00:00.000Z');
    // 1 November 2026: EDT -> EST.
    expect(add(newYork, '2026-10-30T20:00:00Z', 2 * hour)).toBe('2026-11-02T15:00:00.000Z');
  });

  it('counts a 23-hour day as 23 working hours around the clock', () => {
    const always = businessCalendar({ timeZone: 'Europe/Berlin', workingDays: [0, 1, 2, 3, 4, 5, 6], hours: { start: '00:00', end: '24:00' } });
    // Sunday 2026-03-29 00:00 local; the day has 23 hours, so a day of working time ends on Monday at 01:00 local.
    expect(add(always, '2026-03-28T23:00:00Z', 24 * hour)).toBe('2026-03-29T23:00:00.000Z');
  });

  it('refuses calendars without working time and negative durations', () => {
    expect(() => businessCalendar({ timeZone: 'Mars/Olympus' })).toThrow(ValidationError);
    expect(() => businessCalendar({ timeZone: 'UTC', workingDays: [] })).toThrow(ValidationError);
    expect(() => businessCalendar({ timeZone: 'UTC', hours: { start: '17:00', end: '09:00' } })).toThrow(ValidationError);
    expect(() => businessCalendar({ timeZone: 'UTC', holidays: ['25/12/2026'] })).toThrow(ValidationError);
    expect(() => berlin.addWorkingTime(new Date(), -1)).toThrow(ValidationError);
  });
});

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  const options = { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
  if (!formatters.has(timeZone)) formatters.set(timeZone, new Intl.DateTimeFormat('en-GB', options));
  return formatters.get(timeZone) as Intl.DateTimeFormat;
}

/** An oracle independent of the implementation: is this instant inside working time? */
function isWorking(at: number, timeZone: string, days: number[], start: number, end: number, holidays: string[]): boolean {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday as string);
  const minuteOfDay = Number(parts.hour) * 60 + Number(parts.minute);
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return days.includes(weekday) && !holidays.includes(date) && minuteOfDay >= start && minuteOfDay < end;
}

describe('working time, as a property', () => {
  it('puts exactly the requested working time between the start and the result, and no idle time at the end', () => {
    const quarter = 15 * minute;
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC'];
    const hoursOf = [[9 * 60, 17 * 60], [8 * 60 + 30, 12 * 60], [0, 24 * 60]] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...hoursOf),
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
        // Quarter hours from 2026-01-01 over two years, so spans cross DST changes in both hemispheres.
        fc.integer({ min: 0, max: 2 * 365 * 96 }),
        fc.integer({ min: 1, max: 40 * 4 }),
        (timeZone, [start, end], days, fromQuarter, quarters) => {
          const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const holidays = ['2026-12-25', '2027-01-01'];
          const calendar = businessCalendar({ timeZone, workingDays: days, hours: { start: hhmm(start), end: hhmm(end) }, holidays });
          const from = Date.UTC(2026, 0, 1) + fromQuarter * quarter;
          const result = calendar.addWorkingTime(new Date(from), quarters * quarter).getTime();
          let working = 0;
          for (let t = from; t < result; t += quarter) if (isWorking(t, timeZone, days, start, end, holidays)) working += quarter;
          expect(working).toBe(quarters * quarter);
          expect(isWorking(result - quarter, timeZone, days, start, end, holidays)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
