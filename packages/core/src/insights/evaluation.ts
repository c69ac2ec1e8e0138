import { ValidationError } from '../errors.js';

/**
 * Held-out evaluation helpers: the area under the ROC curve and the seeded
 * split of customers into training and test sets.
 */

/**
 * The area under the ROC curve: the probability that a random positive scores
 * above a random negative, ties counting one half. Computed from ranks
 * (Mann-Whitney U) with tied scores given their average rank, O(n log n).
 * Null when the labels hold only one class.
 * @example
 * auc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0]) // 0.875
 * @throws {ValidationError} for lists of unequal length
 */
export function auc(scores: readonly number[], labels: readonly (0 | 1 | boolean)[]): number | null {
  if (scores.length !== labels.length) throw ValidationError.single('auc needs one label per score', ['labels']);
  const order = scores.map((s, i) => ({ s, y: labels[i] === 1 || labels[i] === true })).sort((a, b) => a.s - b.s);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j += 1;
    // Ranks i+1 .. j share their mean.
    const rank = (i + 1 + j) / 2;
    for (let q = i; q < j; q++) {
      if (order[q]!.y) {
        positives += 1;
        rankSum += rank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Whether a customer falls in the test share of a seeded split: FNV-1a (32
 * bit) of `seed:id`, mapped to [0, 1), below `testShare`. Depends on the id
 * only, so a customer stays on its side however the rows are paged or ordered,
 * on every database and run.
 * @param testShare the share held out, 0 to 1
 * @default seed 1
 * @example
 * isHeldOut(contact.id, { seed: 1, testShare: 0.3 })
 */
export function isHeldOut(id: string, options: { seed?: number; testShare: number }): boolean {
  return splitPoint(id, options.seed ?? 1) < options.testShare;
}

/** The point of `id` in [0, 1) for a seed: FNV-1a over the UTF-16 code units of `seed:id`. */
export function splitPoint(id: string, seed: number): number {
  const text = `${seed}:${id}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // FNV's low bits mix poorly for short inputs that differ in the last character: finish with a murmur3 mix.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
