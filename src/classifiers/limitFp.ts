/**
 * The pReLU limit F^(p)(x) = sum_{k <= K1} relu(<x, mu_k>)^p - sum_{k > K1} relu(<x, mu_k>)^p of
 * PAPER.md s.5, for real p >= 1, on the projections s_k = <x, mu_k>.
 */
import { requireReal } from '../validate.ts';
import { validateSplit } from './limitF.ts';
import type { ProjectedClassifier } from './types.ts';

export interface LimitFpParams {
  K: number;
  K1: number;
  p: number;
}

/** relu(u)^p with relu(u)^0 read as 1{u > 0} (PAPER.md s.3). */
export function reluPow(u: number, p: number): number {
  if (u <= 0) return 0;
  return p === 1 ? u : Math.pow(u, p);
}

/** F^(p) on a projection vector (plain function, for hot loops). */
export function evalFp(s: ArrayLike<number>, K1: number, p: number, off = 0, K = s.length - off): number {
  let f = 0;
  for (let k = 0; k < K; k++) {
    const v = reluPow(s[off + k], p);
    f += k < K1 ? v : -v;
  }
  return f;
}

/** Validates p as a finite real >= 1. */
export function validateP(p: unknown): number {
  return requireReal('p', p, { min: 1 });
}

/** F^(p) as a classifier on the K projections; d/ds_k relu(s_k)^p = p relu(s_k)^(p-1). */
export function limitFp(params: LimitFpParams): ProjectedClassifier {
  const { K, K1 } = validateSplit(params.K, params.K1);
  const p = validateP(params.p);
  return {
    dim: K,
    K,
    K1,
    name: `F^(${p})`,
    value: (x, off = 0) => evalFp(x, K1, p, off, K),
    valueAndGrad(x, g, off = 0) {
      let f = 0;
      for (let k = 0; k < K; k++) {
        const u = x[off + k];
        const sign = k < K1 ? 1 : -1;
        if (u > 0) {
          const up1 = p === 1 ? 1 : Math.pow(u, p - 1);
          f += sign * up1 * u;
          g[k] = sign * p * up1;
        } else {
          g[k] = 0;
        }
      }
      return f;
    },
  };
}
