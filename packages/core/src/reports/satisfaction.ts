import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { idSchema, parseInput, timestampSchema } from '../common/zod-helpers.js';
import type { GroupKey } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';
import { surveyModel } from '../surveys/survey.model.js';
import { reportPeriods, share } from './case-groups.js';

/** What the satisfaction report groups by: `agent` is the survey's `agentId`, `product` its `productId`, `period` its answer. */
export const satisfactionDimensions = ['agent', 'product', 'period'] as const;
/** One of {@link satisfactionDimensions}. */
export type SatisfactionDimension = (typeof satisfactionDimensions)[number];

const dimension = z.enum(satisfactionDimensions);

/** Options of `reports.satisfaction`. */
export const satisfactionOptionsSchema = z
  .strictObject({
    /** One dimension or several (rows per combination). @default 'agent' */
    by: z.union([dimension, z.array(dimension).min(1).max(satisfactionDimensions.length)]).optional().default('agent'),
    /** Period length when grouping by `period`. @default 'month' */
    period: z.enum(reportPeriods).optional().default('month'),
    /** Surveys answered at or after this instant. */
    from: timestampSchema.optional(),
    /** Surveys answered before this instant. */
    to: timestampSchema.optional(),
    /** Only surveys about this agent's service. */
    agentId: idSchema.optional(),
    /** Only surveys about this product. */
    productId: idSchema.optional(),
  })
  .optional()
  .default({ by: 'agent', period: 'month' });
/** Options of `reports.satisfaction`. */
export type SatisfactionOptions = z.input<typeof satisfactionOptionsSchema>;

/** CSAT answers (1 to 5) of a group. */
export interface CsatFigures {
  responses: number;
  /** Mean score; null without responses. */
  average: number | null;
  /** Answers of 4 or 5. */
  satisfied: number;
  /** satisfied / responses, 0 to 1; null without responses. */
  satisfiedShare: number | null;
}

/** NPS answers (0 to 10) of a group. */
export interface NpsFigures {
  responses: number;
  /** Answers of 9 or 10. */
  promoters: number;
  /** Answers of 7 or 8. */
  passives: number;
  /** Answers of 0 to 6. */
  detractors: number;
  /** Net Promoter Score: % promoters - % detractors, -100 to 100; null without responses. */
  score: number | null;
}

/** One row of a satisfaction report. */
export interface SatisfactionRow {
  /** When grouping by agent (null: surveys without agent). */
  agentId?: string | null;
  /** When grouping by product (null: surveys without product). */
  productId?: string | null;
  /** First day of the answer period, `YYYY-MM-DD`, when grouping by period. */
  period?: string;
  csat: CsatFigures;
  nps: NpsFigures;
}

/**
 * CSAT (average, share satisfied) and NPS of answered surveys per agent,
 * product and/or answer period: one SQL aggregate over surveys. Rows are
 * ordered by their keys.
 */
export async function satisfaction(ctx: TenantContext, options?: SatisfactionOptions): Promise<SatisfactionRow[]> {
  const opts = parseInput(satisfactionOptionsSchema, options, 'report options');
  const dims = [...new Set(typeof opts.by === 'string' ? [opts.by] : opts.by)];
  const where: Where = { status: 'answered', score: { ne: null } };
  if (opts.from !== undefined || opts.to !== undefined) {
    where.answeredAt = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  if (opts.agentId) where.agentId = opts.agentId;
  if (opts.productId) where.productId = opts.productId;
  const groupBy = dims.map((d): GroupKey => (d === 'agent' ? 'agentId' : d === 'product' ? 'productId' : { field: 'answeredAt', bucket: opts.period, as: 'period' }));
  const rows = await ctx.storage.aggregate({
    model: surveyModel,
    tenantId: ctx.tenantId,
    where,
    groupBy,
    metrics: {
      csat: { fn: 'count', filter: { kind: 'csat' } },
      csatAverage: { fn: 'avg', field: 'score', filter: { kind: 'csat' } },
      satisfied: { fn: 'count', filter: { kind: 'csat', score: { gte: 4 } } },
      nps: { fn: 'count', filter: { kind: 'nps' } },
      promoters: { fn: 'count', filter: { kind: 'nps', score: { gte: 9 } } },
      detractors: { fn: 'count', filter: { kind: 'nps', score: { lte: 6 } } },
    },
    orderBy: groupBy.map((g) => ({ key: typeof g === 'string' ? g : g.as })),
  });
  return rows.map((row) => {
    const out: SatisfactionRow = { csat: csatOf(row), nps: npsOf(row) };
    if (dims.includes('agent')) out.agentId = (row.agentId as string | null) ?? null;
    if (dims.includes('product')) out.productId = (row.productId as string | null) ?? null;
    if (dims.includes('period')) out.period = row.period as string;
    return out;
  });
}

function csatOf(row: Record<string, unknown>): CsatFigures {
  const responses = Number(row.csat);
  const satisfied = Number(row.satisfied);
  const average = row.csatAverage === null || row.csatAverage === undefined ? null : Number(row.csatAverage);
  return { responses, average, satisfied, satisfiedShare: share(satisfied, responses) };
}

function npsOf(row: Record<string, unknown>): NpsFigures {
  const responses = Number(row.nps);
  const promoters = Number(row.promoters);
  const detractors = Number(row.detractors);
  const net = share(promoters - detractors, responses);
  return { responses, promoters, passives: responses - promoters - detractors, detractors, score: net === null ? null : net * 100 };
}
