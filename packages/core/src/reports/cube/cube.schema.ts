import { z } from 'zod';
import { listOptionsSchema } from '../../common/list.js';
import { ValidationError } from '../../errors.js';
import { type DateBucket, dateBuckets } from '../../storage/adapter.js';
import { validateTimeZone } from '../../storage/time-zone.js';
import { resolveFieldRef, validateWhere, type Where } from '../../storage/where.js';
import {
  catalogueOf,
  type CubeDateField,
  type CubeDimension,
  cubeFunctions,
  type CubeMeasure,
  type CubeSource,
  cubeSources,
} from './cube-catalogue.js';

/** The options of a cube over one source; see {@link CubeOptions}. */
export interface CubeOptionsOf<S extends CubeSource> {
  /** The records measured. */
  source: S;
  /**
   * What to compute per cell: `count` (records), or `<measure>.<function>`
   * with a function of {@link cubeFunctions} (`amount.sum`, `resolutionMinutes.p90`).
   * Money measures (deal `amount` and `weightedAmount`, order `revenue`) make
   * `currency` a dimension of the cube: amounts are never added across currencies.
   * One to 16 measures, each once.
   */
  measures: readonly CubeMeasure<S>[];
  /**
   * How to slice: catalogue names (`owner`, `stage`, `status`, `channel`...),
   * `team`, and custom fields as `custom.<path>`. At most 8, each once.
   * @default [] (one cell over every matching record)
   */
  dimensions?: readonly CubeDimension<S>[];
  /**
   * Date buckets as dimensions: a timestamp or date field of the source and
   * its bucket, `{ closedAt: 'month' }`. The key is the bucket's first day,
   * `YYYY-MM-DD`, in `timeZone`. At most 3.
   * @default {}
   */
  periods?: Partial<Record<CubeDateField<S>, DateBucket>>;
  /**
   * The IANA zone whose calendar cuts the periods (date fields are calendar days already).
   * @default 'UTC'
   */
  timeZone?: string;
  /**
   * Which records take part: a where-tree over the source's stored fields and
   * JSON paths (`custom.tier`), as in `list` (no `inQuery`).
   */
  filters?: Where;
  /**
   * Also compute the measures over every matching record (per currency with money measures).
   * @default false
   */
  totals?: boolean;
  /**
   * Most cells returned; `truncated` tells when there were more.
   * @default 10_000
   */
  limit?: number;
}

/**
 * Options of `reports.cube`: the source, then what to measure, how to slice
 * and which records take part. Names are checked against the source's
 * catalogue ({@link cubeCatalogue}).
 */
export type CubeOptions = { [S in CubeSource]: CubeOptionsOf<S> }[CubeSource];

const maxPeriods = 3;
const whereSchema = listOptionsSchema.unwrap().unwrap().shape.where;

/** Options of `reports.cube` as parsed: every default applied, every name checked against the catalogue. */
export const cubeOptionsSchema = z
  .strictObject({
    source: z.enum(cubeSources),
    measures: z.array(z.string().max(200)).min(1).max(16),
    dimensions: z.array(z.string().max(300)).max(8).optional().default([]),
    periods: z.record(z.string().max(64), z.enum(dateBuckets)).optional().default({}),
    timeZone: z.string().max(64).optional().default('UTC'),
    filters: whereSchema,
    totals: z.boolean().optional().default(false),
    limit: z.number().int().min(1).max(100_000).optional().default(10_000),
  })
  .superRefine((o, ctx) => {
    const entry = catalogueOf(o.source);
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = (list: readonly string[], i: number) => list.indexOf(list[i]!) !== i;
    o.measures.forEach((measure, i) => {
      if (seen(o.measures, i)) return issue(['measures', i], `Measure ${JSON.stringify(measure)} is given twice`);
      if (measure === 'count') return;
      const dot = measure.lastIndexOf('.');
      const name = measure.slice(0, dot);
      const fn = measure.slice(dot + 1);
      if (dot < 0 || !Object.hasOwn(entry.measures, name)) {
        return issue(['measures', i], `Unknown measure ${JSON.stringify(measure)} of ${o.source}: use count or one of ${Object.keys(entry.measures).join(', ')} with .sum, .avg...`);
      }
      if (!(cubeFunctions as readonly string[]).includes(fn)) issue(['measures', i], `Unknown function ${JSON.stringify(fn)}: use one of ${cubeFunctions.join(', ')}`);
    });
    o.dimensions.forEach((dimension, i) => {
      if (seen(o.dimensions, i)) return issue(['dimensions', i], `Dimension ${JSON.stringify(dimension)} is given twice`);
      if (dimension === 'team' || Object.hasOwn(entry.dimensions, dimension)) return;
      if (dimension.startsWith('custom.')) {
        try {
          resolveFieldRef(entry.model, dimension);
          return;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return issue(['dimensions', i], error.message);
        }
      }
      issue(['dimensions', i], `Unknown dimension ${JSON.stringify(dimension)} of ${o.source}: use team, custom.<field> or one of ${Object.keys(entry.dimensions).join(', ')}`);
    });
    const periods = Object.keys(o.periods);
    if (periods.length > maxPeriods) issue(['periods'], `At most ${maxPeriods} periods`);
    for (const field of periods) {
      if (!entry.dateFields.includes(field)) issue(['periods', field], `Unknown date field ${JSON.stringify(field)} of ${o.source}: use one of ${entry.dateFields.join(', ')}`);
    }
    try {
      validateTimeZone(o.timeZone, ['timeZone']);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issue(['timeZone'], error.message);
    }
    try {
      validateWhere(entry.model, o.filters);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const problem of error.issues) issue(['filters', ...problem.path], problem.message);
    }
  });

/** Parsed {@link CubeOptions}. */
export type ParsedCubeOptions = z.output<typeof cubeOptionsSchema>;
