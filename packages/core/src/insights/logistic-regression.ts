import { ValidationError } from '../errors.js';

/**
 * L2-regularised logistic regression on standardised features, fitted by
 * Newton's method (IRLS). Written here rather than taken from npm: the one
 * maintained-looking package (`ml-logistic-regression`, last release 2020)
 * runs plain gradient descent with a fixed learning rate, no regularisation
 * and pulls in `ml-matrix`; Newton on a handful of features is ~100 lines,
 * converges in a few steps and gives the same bits on every run.
 */

/** Options of {@link fitLogistic}. */
export interface LogisticOptions {
  /**
   * Weight of the L2 penalty `l2 / 2 * |w|^2` added to the mean log loss; the
   * intercept is not penalised. 0 fits the plain maximum-likelihood model
   * (which does not exist for separable data: the coefficients then grow until
   * the iteration budget is spent).
   * @default 0.01
   */
  l2?: number;
  /** Newton steps at most; it stops earlier once no coefficient moves by more than 1e-10. @default 50 */
  iterations?: number;
}

/** A fitted model: coefficients on the standardised scale, `(x - mean) / std`. */
export interface LogisticFit {
  /** Per feature: the training mean. */
  means: number[];
  /** Per feature: the training standard deviation (population); 0 for a constant feature. */
  stds: number[];
  /** Per feature: the coefficient of the standardised value; 0 for a constant feature. */
  coefficients: number[];
  /** The intercept (the logit of a customer at every mean). */
  intercept: number;
  /** Newton steps taken. */
  iterations: number;
}

/** The logistic function, without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** `(x - mean) / std` per feature, 0 for constant features. */
export function standardise(x: readonly number[], fit: Pick<LogisticFit, 'means' | 'stds'>): number[] {
  return x.map((v, j) => (fit.stds[j]! > 0 ? (v - fit.means[j]!) / fit.stds[j]! : 0));
}

/** The logit (log odds) of one raw feature vector. */
export function logitOf(x: readonly number[], fit: LogisticFit): number {
  const z = standardise(x, fit);
  return z.reduce((sum, v, j) => sum + v * fit.coefficients[j]!, fit.intercept);
}

/**
 * Fits `P(y = 1 | x) = sigmoid(b + w . z)` where `z` is `x` standardised with
 * the training mean and standard deviation. Deterministic: the same rows in
 * the same order give the same bits.
 * @param rows raw feature vectors, all of one length
 * @param labels 0 or 1 per row
 * @throws {ValidationError} for no rows, rows of unequal length or labels other than 0 / 1
 */
export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], options: LogisticOptions = {}): LogisticFit {
  const l2 = options.l2 ?? 0.01;
  const budget = options.iterations ?? 50;
  const n = rows.length;
  if (n === 0 || labels.length !== n) throw ValidationError.single('fitLogistic needs one label per row and at least one row', ['labels']);
  const p = rows[0]!.length;
  if (rows.some((r) => r.length !== p)) throw ValidationError.single('fitLogistic needs rows of one length', ['rows']);
  if (labels.some((y) => y !== 0 && y !== 1)) throw ValidationError.single('fitLogistic needs labels 0 or 1', ['labels']);
  const means = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const stds = means.map((m, j) => {
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n);
    // A spread this small relative to the mean is rounding: the feature is constant.
    return sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 0;
  });
  // Only varying features enter the Newton system; a constant column would make it singular without L2.
  const active = stds.flatMap((s, j) => (s > 0 ? [j] : []));
  const z = rows.map((r) => [1, ...active.map((j) => (r[j]! - means[j]!) / stds[j]!)]);
  const k = active.length + 1;
  const beta = new Array<number>(k).fill(0);
  let steps = 0;
  while (steps < budget) {
    steps += 1;
    const grad = new Array<number>(k).fill(0);
    const hess = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const mu = sigmoid(zi.reduce((s, v, j) => s + v * beta[j]!, 0));
      const w = mu * (1 - mu);
      for (let a = 0; a < k; a++) {
        grad[a]! += (mu - labels[i]!) * zi[a]!;
        for (let b = 0; b <= a; b++) hess[a]![b]! += w * zi[a]! * zi[b]!;
      }
    }
    for (let a = 0; a < k; a++) {
      grad[a] = grad[a]! / n + (a > 0 ? l2 * beta[a]! : 0);
      for (let b = 0; b <= a; b++) {
        hess[a]![b] = hess[a]![b]! / n + (a === b && a > 0 ? l2 : 0);
        hess[b]![a] = hess[a]![b]!;
      }
    }
    const step = solve(hess, grad);
    if (step === undefined) break;
    let moved = 0;
    for (let a = 0; a < k; a++) {
      beta[a] = beta[a]! - step[a]!;
      moved = Math.max(moved, Math.abs(step[a]!));
    }
    if (moved < 1e-10) break;
  }
  const coefficients = new Array<number>(p).fill(0);
  active.forEach((j, i) => (coefficients[j] = beta[i + 1]!));
  return { means, stds, coefficients, intercept: beta[0]!, iterations: steps };
}

/** Solves `A x = b` by Gaussian elimination with partial pivoting; undefined when `A` is singular. */
function solve(matrix: readonly (readonly number[])[], rhs: readonly number[]): number[] | undefined {
  const k = rhs.length;
  const m = matrix.map((row, i) => [...row, rhs[i]!]);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (Math.abs(m[pivot]![c]!) < 1e-300) return undefined;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < k; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= k; j++) m[r]![j] = m[r]![j]! - f * m[c]![j]!;
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let s = m[r]![k]!;
    for (let j = r + 1; j < k; j++) s -= m[r]![j]! * x[j]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}
