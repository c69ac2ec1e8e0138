import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import type { Page } from '../common/list.js';
import { assertExists } from '../common/references.js';
import { idSchema, parseInput, timestampSchema } from '../common/zod-helpers.js';
import { serviceContractModel } from '../contracts/contract.model.js';
import { ValidationError } from '../errors.js';
import { orderModel } from '../orders/order.model.js';
import type { Where } from '../storage/where.js';
import { type ChurnFeature, type FeatureSpec, featureColumns, featureValues, orderScope } from './churn-features.js';
import { type ChurnLabel, type ChurnModel, type ChurnRisk, churnModelSchema, scoreRow, trainChurnOptionsSchema, type TrainChurnOptions } from './churn-model.js';
import { auc, isHeldOut } from './evaluation.js';
import { fitLogistic, logitOf } from './logistic-regression.js';

// Customers per statement: each page is one grouped aggregate per feature source.
const pageSize = 1000;
const dayMs = 86_400_000;

/** Options of `insights.churnRisk`. */
export const churnRiskOptionsSchema = z.strictObject({
  /** A model from `trainChurnModel`, as returned (or after a JSON round trip). */
  model: churnModelSchema,
  /** Score as of this instant. @default now (the CRM clock) */
  at: timestampSchema.optional(),
});
/** Options of `insights.churnRisk`. */
export type ChurnRiskOptions = z.input<typeof churnRiskOptionsSchema>;

const pageSchema = z.strictObject({ limit: z.number().int().min(1).max(1000).optional().default(50), cursor: z.string().max(4096).optional() });

/** The customers a model is trained on or scores, grouped per contact in SQL: `at` is the cutoff or the scoring instant. */
function population(label: ChurnLabel, spec: Pick<FeatureSpec, 'statuses' | 'currency'>, at: string, horizonDays: number | null) {
  if (label === 'noOrder') return { model: orderModel, where: { ...orderScope(spec), placedAt: { lt: at } } as Where };
  const day = at.slice(0, 10);
  if (horizonDays === null) return { model: serviceContractModel, where: { contactId: { ne: null }, status: 'active', startDate: { lte: day } } as Where };
  const end = new Date(Date.parse(`${day}T00:00:00.000Z`) + horizonDays * dayMs).toISOString().slice(0, 10);
  return { model: serviceContractModel, where: { contactId: { ne: null }, status: { in: ['renewed', 'expired', 'cancelled'] }, endDate: { gte: day, lt: end } } as Where };
}

/** One page of a population's contact ids (and, for contract labels, how many of the contracts were renewed), in contact id order. */
async function populationPage(ctx: TenantContext, pop: ReturnType<typeof population>, after: string | undefined, limit: number) {
  const rows = await ctx.storage.aggregate({
    model: pop.model as typeof orderModel,
    tenantId: ctx.tenantId,
    where: after === undefined ? pop.where : { ...pop.where, and: [{ contactId: { gt: after } }] },
    groupBy: ['contactId'],
    metrics: pop.model === serviceContractModel ? { renewed: { fn: 'count', filter: { status: 'renewed' } } } : { n: { fn: 'count' } },
    orderBy: [{ key: 'contactId' }],
    limit,
  });
  return rows.map((r) => ({ id: String(r.contactId), renewed: Number(r.renewed ?? 0) }));
}

/**
 * Fits a churn model on the tenant's history: per-customer features as of
 * the cutoff and the stated label in the days after it, paged through SQL
 * aggregates; a seeded 70/30 split by contact id; L2 logistic regression on
 * the 70 %; AUC on the 30 %.
 * @throws {ValidationError} for invalid options, a label window that has not
 * ended yet, or training customers of one class only
 */
export async function trainChurnModel(ctx: TenantContext, options: TrainChurnOptions): Promise<ChurnModel> {
  const opts = parseInput(trainChurnOptionsSchema, options, 'churn model options');
  const labelEnd = new Date(Date.parse(opts.cutoff) + opts.horizonDays * dayMs).toISOString();
  if (labelEnd > ctx.now()) {
    throw ValidationError.single(`The label window ends ${labelEnd}, after now: its outcome is not known yet`, ['horizonDays']);
  }
  const columns = featureColumns(opts.features as ChurnFeature[]);
  const spec: FeatureSpec = { columns, at: opts.cutoff, statuses: opts.statuses, currency: opts.currency ?? null, recentCaseDays: opts.recentCaseDays };
  const pop = population(opts.label, spec, opts.cutoff, opts.horizonDays);
  const rows: { id: string; x: (number | null)[]; y: number }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await populationPage(ctx, pop, after, pageSize);
    const ids = page.map((p) => p.id);
    const values = await featureValues(ctx, spec, ids);
    const labels = opts.label === 'noOrder' ? await ordersInWindow(ctx, spec, ids, opts.cutoff, labelEnd) : undefined;
    for (const p of page) rows.push({ id: p.id, x: values.get(p.id)!, y: labels ? (labels.has(p.id) ? 0 : 1) : p.renewed > 0 ? 0 : 1 });
    if (page.length < pageSize) break;
    after = ids[ids.length - 1];
  }
  const split = { seed: opts.seed, testShare: opts.testShare };
  const train = rows.filter((r) => !isHeldOut(r.id, split));
  const test = rows.filter((r) => isHeldOut(r.id, split));
  const churnedInTrain = train.filter((r) => r.y === 1).length;
  if (churnedInTrain === 0 || churnedInTrain === train.length) {
    throw ValidationError.single(`The ${train.length} training customers need both churned and retained ones`, ['cutoff']);
  }
  // Missing values take the mean of the known training values, so they sit at 0 after standardising.
  const fills = columns.map((_, j) => {
    const known = train.flatMap((r) => (r.x[j] === null ? [] : [r.x[j]!]));
    return known.length === 0 ? 0 : known.reduce((s, v) => s + v, 0) / known.length;
  });
  const filled = (x: (number | null)[]) => x.map((v, j) => v ?? fills[j]!);
  const fit = fitLogistic(train.map((r) => filled(r.x)), train.map((r) => r.y), { l2: opts.l2, iterations: opts.iterations });
  const heldOutAuc = auc(test.map((r) => logitOf(filled(r.x), fit)), test.map((r) => (r.y === 1 ? 1 : 0)));
  return {
    kind: 'crmkit.churn.logistic',
    version: 1,
    label: opts.label,
    cutoff: opts.cutoff,
    horizonDays: opts.horizonDays,
    statuses: [...opts.statuses],
    currency: opts.currency ?? null,
    recentCaseDays: opts.recentCaseDays,
    features: columns.flatMap((name, j) => (fit.stds[j]! > 0 ? [{ name, mean: fit.means[j]!, std: fit.stds[j]!, coefficient: fit.coefficients[j]! }] : [])),
    intercept: fit.intercept,
    l2: opts.l2,
    training: {
      customers: rows.length, churned: rows.filter((r) => r.y === 1).length, train: train.length, test: test.length,
      seed: opts.seed, testShare: opts.testShare, iterations: fit.iterations,
    },
    heldOutAuc,
  };
}

/** The customers among `ids` with a counted order in [from, to). */
async function ordersInWindow(ctx: TenantContext, spec: FeatureSpec, ids: string[], from: string, to: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ctx.storage.aggregate({
    model: orderModel,
    tenantId: ctx.tenantId,
    where: { ...orderScope(spec), contactId: { in: ids }, placedAt: { gte: from, lt: to } },
    groupBy: ['contactId'],
    metrics: { n: { fn: 'count' } },
  });
  return new Set(rows.map((r) => String(r.contactId)));
}

/** The scoring spec of a model: its own feature columns, statuses and currency. */
function specOf(model: ChurnModel, at: string): FeatureSpec {
  return { columns: model.features.map((f) => f.name), at, statuses: model.statuses, currency: model.currency, recentCaseDays: model.recentCaseDays };
}

/**
 * The churn risk of one customer as of `at`.
 * @throws {NotFoundError} for an unknown contact @throws {ValidationError} for an invalid model
 */
export async function churnRiskOf(ctx: TenantContext, contactId: string, options: ChurnRiskOptions): Promise<ChurnRisk> {
  const id = parseInput(idSchema, contactId, 'contact id');
  const opts = parseInput(churnRiskOptionsSchema, options, 'churn risk options');
  await assertExists(ctx.storage, ctx, 'contact', id);
  const at = opts.at ?? ctx.now();
  const model = opts.model as ChurnModel;
  const values = await featureValues(ctx, specOf(model, at), [id]);
  return scoreRow(model, id, at, values.get(id)!);
}

/**
 * A page of churn risks of the customers a model applies to as of `at` (with
 * an order before it, or an active contract), in contact id order.
 * @throws {ValidationError} for an invalid model, page or cursor
 */
export async function churnRiskPage(ctx: TenantContext, page: { limit?: number; cursor?: string }, options: ChurnRiskOptions): Promise<Page<ChurnRisk>> {
  const { limit, cursor } = parseInput(pageSchema, page, 'churn risk page');
  const opts = parseInput(churnRiskOptionsSchema, options, 'churn risk options');
  const model = opts.model as ChurnModel;
  const at = opts.at ?? ctx.now();
  // Not keyed on `at`: a default `at` moves between page calls, the population order does not.
  const scope = `${ctx.tenantId}\ninsights.churnRisk\n${model.label}`;
  const after = cursor === undefined ? undefined : String(ctx.runtime.cursors.decode(scope, cursor)[0]);
  const spec = specOf(model, at);
  const ids = (await populationPage(ctx, population(model.label, spec, at, null), after, limit + 1)).map((p) => p.id);
  const shown = ids.slice(0, limit);
  const values = await featureValues(ctx, spec, shown);
  const items = shown.map((id) => scoreRow(model, id, at, values.get(id)!));
  return ids.length > limit ? { items, nextCursor: ctx.runtime.cursors.encode(scope, [shown[shown.length - 1]]) } : { items };
}
