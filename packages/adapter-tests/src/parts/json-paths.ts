import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { itemRow, seededFinder } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';

const seedRows = [
  itemRow({ name: 'a', custom: { tier: 'gold', n: 10, label: '10', vip: true, address: { city: 'Paris', zip: '75001' } } }),
  itemRow({ name: 'b', custom: { tier: 'silver', n: 9, label: '9', vip: false, address: { city: 'Lyon' } } }),
  itemRow({ name: 'c', custom: { tier: null, n: 2.5, vip: 'true', address: 'nowhere' } }),
  itemRow({ name: 'd', custom: {} }),
  itemRow({ name: 'e', custom: { tier: 'gold-plus', n: 100, label: 'x' }, extra: { x: 1 } }),
];

/** The seed rows above in a fresh tenant, behind a name finder. */
const seeded = (ctx: ConformanceContext) => seededFinder(ctx, seedRows);

const jsonPaths = { requires: (caps: { jsonPaths: boolean }) => caps.jsonPaths };

/**
 * Filters on paths into `json` fields (`custom.tier`, `custom.address.city`):
 * numbers compare numerically, strings as text, booleans as booleans, and a
 * missing key behaves as NULL. Skipped when `capabilities.jsonPaths` is false.
 */
export function describeJsonPaths(options: ConformanceOptions): void {
  describePart('jsonPaths', options, (ctx, test) => {
    test('matches a string at a JSON path with eq, in and notIn', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.tier': 'gold' })).toEqual(['a']);
      expect(await find({ 'custom.tier': { in: ['gold', 'silver'] } })).toEqual(['a', 'b']);
      expect(await find({ 'custom.tier': { notIn: ['gold'] } })).toEqual(['b', 'c', 'd', 'e']);
    }, jsonPaths);

    test('compares numbers at a JSON path numerically, not as text', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.n': { gt: 9 } })).toEqual(['a', 'e']);
      expect(await find({ 'custom.n': { lt: 10 } })).toEqual(['b', 'c']);
      expect(await find({ 'custom.n': { gte: 2.5, lte: 9 } })).toEqual(['b', 'c']);
      expect(await find({ 'custom.n': 100 })).toEqual(['e']);
    }, jsonPaths);

    test('compares strings at a JSON path as text, even when they look like numbers', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.label': { gt: '5' } })).toEqual(['b', 'e']);
      expect(await find({ 'custom.label': '10' })).toEqual(['a']);
      expect(await find({ 'custom.tier': { startsWith: 'gold' } })).toEqual(['a', 'e']);
      expect(await find({ 'custom.tier': { contains: 'lv' } })).toEqual(['b']);
    }, jsonPaths);

    test('matches JSON booleans only with booleans, not with the string "true"', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.vip': true })).toEqual(['a']);
      expect(await find({ 'custom.vip': false })).toEqual(['b']);
      expect(await find({ 'custom.vip': 'true' })).toEqual(['c']);
    }, jsonPaths);

    test('follows nested paths and treats a non-object on the way as a missing key', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.address.city': 'Paris' })).toEqual(['a']);
      expect(await find({ 'custom.address.city': { ne: 'Paris' } })).toEqual(['b', 'c', 'd', 'e']);
      expect(await find({ 'custom.address.zip': { isNull: false } })).toEqual(['a']);
      expect(await find({ 'custom.address.city': { isNull: true } })).toEqual(['c', 'd', 'e']);
    }, jsonPaths);

    test('treats a missing key like a JSON null: isNull matches it, eq does not, ne does', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'custom.tier': { isNull: true } })).toEqual(['c', 'd']);
      expect(await find({ 'custom.tier': null })).toEqual(['c', 'd']);
      expect(await find({ 'custom.tier': { isNull: false } })).toEqual(['a', 'b', 'e']);
      expect(await find({ 'custom.tier': { ne: 'gold' } })).toEqual(['b', 'c', 'd', 'e']);
      expect(await find({ 'custom.n': { gt: -1000 } })).toEqual(['a', 'b', 'c', 'e']);
    }, jsonPaths);

    test('reads a path inside a nullable JSON field that is NULL as missing', async () => {
      const find = await seeded(ctx);
      expect(await find({ 'extra.x': 1 })).toEqual(['e']);
      expect(await find({ 'extra.x': { isNull: true } })).toEqual(['a', 'b', 'c', 'd']);
    }, jsonPaths);

    test('combines JSON paths with plain fields under and, or and not', async () => {
      const find = await seeded(ctx);
      expect(await find({ or: [{ 'custom.n': { gte: 100 } }, { 'custom.address.city': 'Lyon' }] })).toEqual(['b', 'e']);
      expect(await find({ not: { 'custom.tier': { startsWith: 'gold' } } })).toEqual(['b', 'c', 'd']);
      expect(await find({ name: { in: ['a', 'b', 'c'] }, 'custom.n': { lt: 10 } })).toEqual(['b', 'c']);
    }, jsonPaths);
  });
}
