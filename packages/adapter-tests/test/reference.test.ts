import { describe, expect, it } from 'vitest';
import { compareRows, cursorOf, expectedPage, matchesWhere, percentileCont } from '../src/reference.js';
import { conformanceItem, conformanceJob } from '../src/models.js';

const row = { id: 'a', name: 'x', quantity: null, tags: ['vip'], custom: { n: 10, deep: { city: 'Paris' }, s: 'str' } };

describe('the reference where semantics', () => {
  it('treats eq null as IS NULL and ne as including NULL', () => {
    expect(matchesWhere(row, { quantity: null })).toBe(true);
    expect(matchesWhere(row, { quantity: { ne: 5 } })).toBe(true);
    expect(matchesWhere(row, { quantity: { ne: null } })).toBe(false);
    expect(matchesWhere(row, { quantity: { lt: 5 } })).toBe(false);
  });

  it('matches nothing with an empty in and everything with an empty notIn, NULL included', () => {
    expect(matchesWhere(row, { name: { in: [] } })).toBe(false);
    expect(matchesWhere(row, { quantity: { notIn: [] } })).toBe(true);
    expect(matchesWhere(row, { quantity: { notIn: [1] } })).toBe(true);
  });

  it('negates with not as a complement and reads JSON paths with missing keys as NULL', () => {
    expect(matchesWhere(row, { not: { quantity: { gt: 1 } } })).toBe(true);
    expect(matchesWhere(row, { 'custom.deep.city': 'Paris' })).toBe(true);
    expect(matchesWhere(row, { 'custom.s.x': { isNull: true } })).toBe(true);
    expect(matchesWhere(row, { 'custom.n': { gt: 9 } })).toBe(true);
    expect(matchesWhere(row, { tags: { has: 'vip' }, and: [], or: [{ name: 'y' }, { name: 'x' }] })).toBe(true);
    expect(matchesWhere(row, { or: [] })).toBe(false);
  });
});

describe('the reference sub-query semantics', () => {
  const items = [
    { id: 'i1', name: 'a', note: 'a', quantity: 1 },
    { id: 'i2', name: 'b', note: null, quantity: null },
    { id: 'i3', name: 'c', note: 'b', quantity: 2 },
  ];
  const jobs = [{ id: 'j1', queue: 'c', attempts: 0 }, { id: 'j2', queue: 'z', attempts: 3 }];
  const rowsOf = (model: unknown) => (model === conformanceJob ? jobs : items);

  it('matches a value that some matching row of the sub-query holds, never NULL on either side', () => {
    const byNote = { inQuery: { model: conformanceItem, field: 'note' } };
    expect(items.filter((r) => matchesWhere(r, { name: byNote }, rowsOf)).map((r) => r.id)).toEqual(['i1', 'i2']);
    const byQueue = { inQuery: { model: conformanceJob, field: 'queue', where: { attempts: 0 } } };
    expect(items.filter((r) => matchesWhere(r, { name: byQueue }, rowsOf)).map((r) => r.id)).toEqual(['i3']);
    expect(items.filter((r) => matchesWhere(r, { quantity: { inQuery: { model: conformanceItem, field: 'quantity' } } }, rowsOf)).map((r) => r.id)).toEqual(['i1', 'i3']);
    expect(items.filter((r) => matchesWhere(r, { not: { quantity: { inQuery: { model: conformanceItem, field: 'quantity', where: { name: 'a' } } } } }, rowsOf)).map((r) => r.id)).toEqual(['i2', 'i3']);
  });

  it('reads no rows when none are given', () => {
    expect(matchesWhere(items[0]!, { name: { inQuery: { model: conformanceItem, field: 'name' } } })).toBe(false);
  });
});

describe('the reference ordering', () => {
  const rows = [
    { id: 'a', q: 2 },
    { id: 'b', q: null },
    { id: 'c', q: 2 },
    { id: 'd', q: 1 },
  ];

  it('sorts NULL first ascending, last descending, with id in the last direction', () => {
    const asc = [...rows].sort((x, y) => compareRows(x, y, [{ field: 'q' }]));
    expect(asc.map((r) => r.id)).toEqual(['b', 'd', 'a', 'c']);
    const desc = [...rows].sort((x, y) => compareRows(x, y, [{ field: 'q', direction: 'desc' }]));
    expect(desc.map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
  });

  it('pages strictly after a cursor', () => {
    const orderBy = [{ field: 'q' }];
    const first = expectedPage(rows, orderBy, undefined, 2);
    expect(first.map((r) => r.id)).toEqual(['b', 'd']);
    const next = expectedPage(rows, orderBy, cursorOf(first[1] ?? {}, orderBy), 2);
    expect(next.map((r) => r.id)).toEqual(['a', 'c']);
  });
});

describe('the reference percentile', () => {
  it('interpolates like percentile_cont, ignores nulls and gives null without values', () => {
    expect(percentileCont([15, 20, 35, 40, 50], 0.4)).toBeCloseTo(29, 12);
    expect(percentileCont([3, null, 1, 2, 4], 0.5)).toBe(2.5);
    expect(percentileCont([2n, 1], 1)).toBe(2);
    expect(percentileCont([7], 0.9)).toBe(7);
    expect(percentileCont([null], 0.5)).toBeNull();
  });
});
