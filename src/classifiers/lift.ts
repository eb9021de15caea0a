/**
 * Lifting a classifier on the projections to full inputs x in R^D (PAPER.md s.1, s.5): every
 * classifier built from the centres sees x only through s = M x (M the K x D matrix of centres as
 * rows), so f(x) = g(M x) and grad f(x) = M^T grad g(M x).
 */
import { ConfigError, requireInt } from '../validate.ts';
import type { DifferentiableClassifier, ProjectedClassifier } from './types.ts';

export interface LiftedClassifier extends DifferentiableClassifier {
  readonly reduced: ProjectedClassifier;
  /** K x D row-major centres. */
  readonly centres: Float64Array;
}

/** f(x) = reduced(M x) on inputs of length D; `centres` is K x D row-major (e.g. mixture.centres). */
export function liftToInput(reduced: ProjectedClassifier, centres: Float64Array, D: number): LiftedClassifier {
  requireInt('D', D, reduced.K);
  const K = reduced.K;
  if (centres.length !== K * D) throw new ConfigError('centres', centres.length, `a K x D array of length ${K * D}`);
  const s = new Float64Array(K);
  const gs = new Float64Array(K);
  const project = (x: Float64Array, off: number): void => {
    for (let k = 0; k < K; k++) {
      let acc = 0;
      const row = k * D;
      for (let i = 0; i < D; i++) acc += centres[row + i] * x[off + i];
      s[k] = acc;
    }
  };
  return {
    dim: D,
    reduced,
    centres,
    value(x, off = 0) {
      project(x, off);
      return reduced.value(s);
    },
    valueAndGrad(x, g, off = 0) {
      project(x, off);
      const f = reduced.valueAndGrad(s, gs);
      g.fill(0, 0, D);
      for (let k = 0; k < K; k++) {
        const c = gs[k];
        if (c === 0) continue;
        const row = k * D;
        for (let i = 0; i < D; i++) g[i] += c * centres[row + i];
      }
      return f;
    },
  };
}
