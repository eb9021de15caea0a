/**
 * The common shape of the limiting classifiers of PAPER.md s.5 (F, F^(p), Bayes f*), shared with
 * the attack code (src/robustness/model.ts's ScalarModel is structurally the same): a scalar
 * function of an input of length `dim` with its input gradient. A point (x, y) is classified
 * correctly iff y f(x) > 0.
 *
 * Each classifier exists on the K projections s_k = <x, mu_k> (dim = K; PAPER.md s.1 "sufficient
 * statistic") and on full inputs x in R^D (dim = D), the latter built by `liftToInput`.
 */
export interface DifferentiableClassifier {
  readonly dim: number;
  /** f at the input stored in x[off .. off + dim). */
  value(x: Float64Array, off?: number): number;
  /** Writes grad f into g[0 .. dim) and returns f, for the input x[off .. off + dim). */
  valueAndGrad(x: Float64Array, g: Float64Array, off?: number): number;
}

/** A classifier on the projections that also says which clusters are positive (0..K1-1). */
export interface ProjectedClassifier extends DifferentiableClassifier {
  readonly K: number;
  readonly K1: number;
  readonly name: string;
}
