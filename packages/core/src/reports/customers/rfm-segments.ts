/**
 * The named RFM segments, in the order their rules are tried (the first that
 * matches names the customer; every score combination matches one):
 *
 * | segment | R | F | M |
 * | --- | --- | --- | --- |
 * | `champions` | 4-5 | 4-5 | 4-5 |
 * | `loyal` | 3-5 | 4-5 | any |
 * | `potentialLoyalists` | 4-5 | 2-3 | any |
 * | `newCustomers` | 5 | 1 | any |
 * | `promising` | 4 | 1 | any |
 * | `needAttention` | 3 | 2-3 | any |
 * | `aboutToSleep` | 3 | 1 | any |
 * | `atRisk` | 1-2 | 3-5 | any |
 * | `hibernating` | 2 | 1-2 | any |
 * | `lost` | 1 | 1-2 | any |
 */
export const rfmSegments = [
  'champions', 'loyal', 'potentialLoyalists', 'newCustomers', 'promising', 'needAttention', 'aboutToSleep', 'atRisk', 'hibernating', 'lost',
] as const;
/** One of {@link rfmSegments}. */
export type RfmSegment = (typeof rfmSegments)[number];

/** An RFM score from 1 to 5. */
export type RfmScore = 1 | 2 | 3 | 4 | 5;

/**
 * The segment of a score combination, by the rules of {@link rfmSegments}.
 * @example
 * rfmSegment(5, 5, 4); // 'champions'
 * rfmSegment(1, 4, 5); // 'atRisk'
 */
export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r >= 4 && f >= 2) return 'potentialLoyalists';
  if (r === 5) return 'newCustomers';
  if (r === 4) return 'promising';
  if (r === 3) return f >= 2 ? 'needAttention' : 'aboutToSleep';
  if (f >= 3) return 'atRisk';
  return r === 2 ? 'hibernating' : 'lost';
}
