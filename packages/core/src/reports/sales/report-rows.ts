import type { Money } from '../../common/zod-helpers.js';

/** Adds two sums of minor units, staying exact when either is a bigint. */
export function addMinor(a: number | bigint, b: number | bigint): number | bigint {
  return typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a) + BigInt(b) : a + b;
}

/** A sum metric as minor units: an empty group's null is zero. */
export const minorOf = (value: unknown): number | bigint => (value === null || value === undefined ? 0 : (value as number | bigint));

/**
 * Sums per currency, gathered from aggregate rows grouped by currency (a
 * report's group spans several of them). Never converts between currencies.
 */
export class MoneyTotals {
  readonly #sums = new Map<string, number | bigint>();

  /** Adds an amount in minor units (a sum metric; null counts as zero). */
  add(currency: string, minor: unknown): void {
    this.#sums.set(currency, addMinor(this.#sums.get(currency) ?? 0, minorOf(minor)));
  }

  /** The sums, one per currency seen, by currency code. */
  list(): Money[] {
    return [...this.#sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, minor]) => ({ minor, currency }));
  }
}

/** Groups keyed by a string, created on first use: the rows of a report in the making. */
export class Groups<T> {
  readonly #groups = new Map<string, T>();

  constructor(readonly create: (key: string) => T) {}

  /** The group of `key`, created when it is new. */
  of(key: string): T {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = this.create(key);
      this.#groups.set(key, group);
    }
    return group;
  }

  /** Every group, in creation order. */
  values(): T[] {
    return [...this.#groups.values()];
  }
}

/**
 * Orders report keys element by element: strings in code-unit order (what
 * `YYYY-MM-DD` periods and ids sort by), null (no owner, no source) after
 * every value, like the "unassigned" line at the bottom of a report.
 */
export function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? null, b[i] ?? null];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
