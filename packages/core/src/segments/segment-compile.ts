import { parseInput } from '../common/zod-helpers.js';
import { listOptionsSchema } from '../common/list.js';
import { contactModel } from '../contacts/contact.model.js';
import { ValidationError } from '../errors.js';
import { storageLimits } from '../storage/limits.js';
import { resolveFieldRef, validateWhere, type Where } from '../storage/where.js';
import { metricWhere } from './segment-metrics.js';
import { type MetricCondition, metricConditionSchema, type SegmentRule } from './segment-rule.js';

const combinators = new Set(['and', 'or', 'not']);

/**
 * Checks a caller's rule and returns it as stored: the where-tree over
 * contact fields exactly as `contacts.list` validates it (the same
 * `listOptionsSchema`, refusing `inQuery`, and `validateWhere` against the
 * contact model, with its depth and size limits), `$metric` conditions
 * parsed. The compiled tree is validated too, evaluated at `now`.
 * @throws {ValidationError}
 */
export function parseRule(input: unknown, now: string): SegmentRule {
  const rule = normalize(input, 0);
  parseInput(listOptionsSchema, { where: rule }, 'segment rule');
  validateWhere(contactModel, compileRule(rule, now));
  return rule;
}

function normalize(input: unknown, depth: number): SegmentRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || input instanceof Date) {
    throw ValidationError.single('A segment rule must be an object');
  }
  if (depth > storageLimits.maxWhereDepth) {
    throw ValidationError.single(`A segment rule is nested too deeply (more than ${storageLimits.maxWhereDepth} levels)`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw ValidationError.single(`"${key}" takes a list of rules`, [key]);
      out[key] = value.map((child) => normalize(child, depth + 1));
    } else if (key === 'not') {
      out[key] = normalize(value, depth + 1);
    } else if (key === '$metric') {
      out[key] = parseInput(metricConditionSchema, value, 'metric condition');
    } else {
      // Refuses unknown fields here, before the key is ever used to build an object.
      resolveFieldRef(contactModel, key);
      out[key] = value;
    }
  }
  return out as SegmentRule;
}

/**
 * The contact where-tree of a stored rule at `now`: field conditions as
 * written, each `$metric` replaced by its semi-joins (see `metricWhere`),
 * relative times (`{ daysAgo }`) resolved against `now`.
 */
export function compileRule(rule: SegmentRule, now: string): Where {
  const out: Where = {};
  const and: Where[] = [];
  for (const key of Object.keys(rule)) {
    const value = rule[key];
    if (value === undefined) continue;
    if (key === 'and') and.push(...(value as SegmentRule[]).map((child) => compileRule(child, now)));
    else if (key === 'or') out.or = (value as SegmentRule[]).map((child) => compileRule(child, now));
    else if (key === 'not') out.not = compileRule(value as SegmentRule, now);
    else if (key === '$metric') and.push(metricWhere(value as MetricCondition, now));
    else if (!combinators.has(key)) out[key] = value as Where[string];
  }
  if (and.length > 0) out.and = and;
  return out;
}
