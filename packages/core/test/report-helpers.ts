import type { Case, TenantScope } from '@crmkit/core';
import { expect } from 'vitest';

/** A small deterministic generator (mulberry32): the same data on every target and run. */
export function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

/** The textbook continuous percentile (sorted values, linear interpolation between ranks). */
export function percentile(values: readonly (number | null)[], p: number): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo]! + (sorted[Math.ceil(rank)]! - sorted[lo]!) * (rank - lo);
}

/** Items by a string key, in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The instant `minutes` after `base`, ISO UTC. */
export const at = (base: string, minutes: number) => new Date(Date.parse(base) + minutes * 60_000).toISOString();
/** The month bucket key of an instant: its first day. */
export const monthOf = (iso: string) => `${iso.slice(0, 7)}-01`;
/** Equal up to float rounding, or both null. */
export const close = (actual: number | null, expected: number | null) => {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 9);
};

/** Every case of the tenant, through the public list. */
export async function allCases(t: TenantScope): Promise<Case[]> {
  const cases: Case[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.cases.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    cases.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return cases;
}

