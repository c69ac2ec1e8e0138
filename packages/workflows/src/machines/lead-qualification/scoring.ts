import { fieldValue } from '../fields.js';

/** A value a scoring rule compares with. */
export type ScalarValue = string | number | boolean | null;

/**
 * One rule of a lead score: when the lead's `field` (a dotted path such as
 * `custom.budget`) matches, the lead gets `points` (negative points count against it).
 * - `equals`: the value is exactly this;
 * - `gte`: the value is a number at least this;
 * - `contains`: text containing this (case-insensitive), or a list with this element.
 */
export type ScoringRule =
  | { field: string; points: number; equals: ScalarValue }
  | { field: string; points: number; gte: number }
  | { field: string; points: number; contains: string };

function matches(value: unknown, rule: ScoringRule): boolean {
  if ('equals' in rule) return value === rule.equals;
  if ('gte' in rule) return typeof value === 'number' && value >= rule.gte;
  const needle = rule.contains.toLowerCase();
  if (typeof value === 'string') return value.toLowerCase().includes(needle);
  if (Array.isArray(value)) return value.some((item) => (typeof item === 'string' ? item.toLowerCase() === needle : item === rule.contains));
  return false;
}

/**
 * The score of a lead: the sum of the points of the rules it matches.
 * @example
 * scoreLead({ employees: 250, title: 'Head of IT' }, [{ field: 'employees', gte: 200, points: 40 }, { field: 'title', contains: 'head', points: 20 }]) // 60
 */
export function scoreLead(lead: Record<string, unknown>, rules: readonly ScoringRule[]): number {
  return rules.reduce((score, rule) => (matches(fieldValue(lead, rule.field), rule) ? score + rule.points : score), 0);
}
