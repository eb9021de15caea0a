/**
 * The ReLU limit F(x) = relu(<x, mu_+>) - relu(<x, mu_->) of PAPER.md s.5, on the projections
 * s_k = <x, mu_k>: <x, mu_+> = sum_{k < K1} s_k and <x, mu_-> = sum_{k >= K1} s_k.
 */
import { requireInt } from '../validate.ts';
import type { ProjectedClassifier } from './types.ts';

export interface LimitParams {
  K: number;
  K1: number;
}

/** Validates K >= 2 and K1 in 1..K-1 (errors name the field). */
export function validateSplit(K: unknown, K1: unknown): { K: number; K1: number } {
  const k = requireInt('K', K, 2);
  return { K: k, K1: requireInt('K1', K1, 1, k - 1) };
}

/** F on a projection vector (plain function, for hot loops). */
export function evalF(s: ArrayLike<number>, K1: number, off = 0, K = s.length - off): number {
  let a = 0;
  let b = 0;
  for (let k = 0; k < K; k++) {
    if (k < K1) a += s[off + k];
    else b += s[off + k];
  }
  return Math.max(a, 0) - Math.max(b, 0);
}

/**
 * F as a classifier on the K projections. The gradient is 1{a > 0} on positive coordinates and
 * -1{b > 0} on negative ones (the one-sided choice 0 at the kinks a = 0 or b = 0).
 */
export function limitF(params: LimitParams): ProjectedClassifier {
  const { K, K1 } = validateSplit(params.K, params.K1);
  return {
    dim: K,
    K,
    K1,
    name: 'F',
    value: (x, off = 0) => evalF(x, K1, off, K),
    valueAndGrad(x, g, off = 0) {
      let a = 0;
      let b = 0;
      for (let k = 0; k < K; k++) {
        if (k < K1) a += x[off + k];
        else b += x[off + k];
      }
      const ga = a > 0 ? 1 : 0;
      const gb = b > 0 ? -1 : 0;
      for (let k = 0; k < K; k++) g[k] = k < K1 ? ga : gb;
      return Math.max(a, 0) - Math.max(b, 0);
    },
  };
}
