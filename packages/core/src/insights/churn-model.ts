import { z } from 'zod';
import { currencySchema, timestampSchema } from '../common/zod-helpers.js';
import { contractKinds } from '../contracts/contract.schema.js';
import { orderStatuses } from '../orders/order-status.js';
import { churnFeatures } from './churn-features.js';
import { sigmoid } from './logistic-regression.js';

/**
 * What counts as churn. `noOrder`: a customer with an order before the cutoff
 * places no order in the `horizonDays` after it. `contractNotRenewed`: a
 * customer whose contracts ending in the `horizonDays` after the cutoff
 * (renewed, expired or cancelled by now) has none of them renewed.
 */
export const churnLabels = ['noOrder', 'contractNotRenewed'] as const;
/** One of {@link churnLabels}. */
export type ChurnLabel = (typeof churnLabels)[number];

const customFeature = z.string().regex(/^custom\.[A-Za-z0-9_-]{1,64}$/, 'a custom feature is custom.<field name>');
const featureSchema = z.union([z.enum(churnFeatures), customFeature]);
const columnSchema = z.union([z.enum(churnFeatures), customFeature, z.enum(contractKinds.map((k) => `contract.${k}` as const))]);
const defaultStatuses = ['placed', 'paid', 'fulfilled'] as const;

/** Options of `insights.trainChurnModel`. */
export const trainChurnOptionsSchema = z.strictObject({
  /** The instant features are computed at; labels look at the days after it. Must be `horizonDays` or more before now. */
  cutoff: timestampSchema,
  /** Length of the label window after the cutoff, in days. */
  horizonDays: z.number().int().min(1).max(3650),
  /** @default 'noOrder' */
  label: z.enum(churnLabels).optional().default('noOrder'),
  /** Features, built-in names or `custom.<field>` (numbers or booleans in the contact's custom fields). @default every built-in feature */
  features: z.array(featureSchema).min(1).max(64).optional().default([...churnFeatures]),
  /** Orders that count as purchases. @default ['placed', 'paid', 'fulfilled'] */
  statuses: z.array(z.enum(orderStatuses)).min(1).max(5).optional().default([...defaultStatuses]),
  /** Only orders in this currency count (monetary is a sum of one currency). @default every currency */
  currency: currencySchema.optional(),
  /** Cases opened within this many days before the cutoff are `recentCases`. @default 90 */
  recentCaseDays: z.number().int().min(1).max(3650).optional().default(90),
  /** L2 penalty weight on the mean log loss. @default 0.01 */
  l2: z.number().min(0).max(1000).optional().default(0.01),
  /** Newton steps at most. @default 50 */
  iterations: z.number().int().min(1).max(500).optional().default(50),
  /** Seed of the split by customer. @default 1 */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().default(1),
  /** Share of customers held out for the AUC. @default 0.3 */
  testShare: z.number().gt(0).lt(1).optional().default(0.3),
});
/** Options of `insights.trainChurnModel`. */
export type TrainChurnOptions = z.input<typeof trainChurnOptionsSchema>;

/** One feature of a {@link ChurnModel}. */
export interface ChurnModelFeature {
  /** `recencyDays`, `contract.subscription`, `custom.monthlyCharges`... */
  name: string;
  /** Training mean; also the value a missing one takes (so it contributes 0). */
  mean: number;
  /** Training standard deviation (population), > 0: constant features are left out of the model. */
  std: number;
  /** Coefficient of the standardised value `(x - mean) / std`: the change in log odds of churn per standard deviation. */
  coefficient: number;
}

/**
 * A fitted churn model: plain JSON the host keeps and passes back to
 * `insights.churnRisk`. Nothing is stored in the database.
 */
export interface ChurnModel {
  /** What this JSON is. */
  kind: 'crmkit.churn.logistic';
  /** Format version. */
  version: 1;
  /** The label it was trained on; also which customers `churnRisk` pages through. */
  label: ChurnLabel;
  /** The training cutoff, ISO UTC. */
  cutoff: string;
  /** The label window after the cutoff, in days. */
  horizonDays: number;
  /** Orders that count as purchases, in training and scoring. */
  statuses: (typeof orderStatuses)[number][];
  /** The only currency whose orders count, or null for every one. */
  currency: string | null;
  /** The window of `recentCases`, in days. */
  recentCaseDays: number;
  /** The features, in the order of the fit. */
  features: ChurnModelFeature[];
  /** The log odds of a customer at every training mean. */
  intercept: number;
  /** The L2 penalty weight it was fitted with. */
  l2: number;
  /** Customers in each part of the split; the model is fitted on `train` only. */
  training: { customers: number; churned: number; train: number; test: number; seed: number; testShare: number; iterations: number };
  /** Area under the ROC curve on the held-out customers; null when they hold one class only. */
  heldOutAuc: number | null;
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
/** Schema a model passed back in is checked against. */
export const churnModelSchema = z.strictObject({
  kind: z.literal('crmkit.churn.logistic'),
  version: z.literal(1),
  label: z.enum(churnLabels),
  cutoff: z.iso.datetime(),
  horizonDays: z.number().int().min(1),
  statuses: z.array(z.enum(orderStatuses)).min(1),
  currency: z.string().length(3).nullable(),
  recentCaseDays: z.number().int().min(1),
  features: z.array(z.strictObject({ name: columnSchema, mean: finite, std: finite.refine((v) => v > 0, 'must be > 0'), coefficient: finite })).max(128),
  intercept: finite,
  l2: finite,
  training: z.strictObject({
    customers: z.number().int(), churned: z.number().int(), train: z.number().int(), test: z.number().int(),
    seed: z.number().int(), testShare: z.number(), iterations: z.number().int(),
  }),
  heldOutAuc: z.number().nullable(),
}) satisfies z.ZodType<ChurnModel>;

/** One feature's part in a score. */
export interface ChurnContribution {
  /** The feature's name, as in {@link ChurnModelFeature.name}. */
  feature: string;
  /** The customer's value; null when it had none (it then takes the training mean). */
  value: number | null;
  /** `(value - mean) / std`. */
  standardised: number;
  /** The model's coefficient of the feature. */
  coefficient: number;
  /** coefficient x standardised: what the feature adds to the log odds. */
  contribution: number;
}

/** A churn-risk score with its explanation. */
export interface ChurnRisk {
  /** The customer scored. */
  contactId: string;
  /** The instant the features were computed at, ISO UTC. */
  at: string;
  /** Probability of churn, 0 to 1: sigmoid(logit). */
  score: number;
  /** Log odds: intercept + the sum of the contributions. */
  logit: number;
  /** The model's intercept: the logit of a customer at every training mean. */
  intercept: number;
  /** Per feature, largest |contribution| first. */
  contributions: ChurnContribution[];
}

/** Scores one customer's raw feature values (in `model.features` order). */
export function scoreRow(model: ChurnModel, contactId: string, at: string, values: readonly (number | null)[]): ChurnRisk {
  const contributions = model.features.map((f, j): ChurnContribution => {
    const value = values[j] ?? null;
    const standardised = value === null ? 0 : (value - f.mean) / f.std;
    return { feature: f.name, value, standardised, coefficient: f.coefficient, contribution: f.coefficient * standardised };
  });
  const logit = contributions.reduce((sum, c) => sum + c.contribution, model.intercept);
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
  return { contactId, at, score: sigmoid(logit), logit, intercept: model.intercept, contributions };
}
