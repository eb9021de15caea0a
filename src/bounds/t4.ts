/**
 * T4, F^(p) is robust (PAPER.md s.6): for p > 2 and every delta in (0, sqrt 2),
 * P(min_{||d|| <= 1} F^(p)(x + ((sqrt2 - delta)/2) d) y > 0) >= 1 - 2(K+1) exp(-C D delta^2 / (2 alpha^2 K^2)).
 * The event is "the exact l2 radius of F^(p) at x exceeds r = (sqrt2 - delta)/2"; F^(p) depends on
 * x only through the projections and d only through its part in span{mu_k} (PAPER.md s.5,
 * "Reduction"), so the min over the D-ball equals the min over the K-ball around s.
 * Candidate C = 1/2 [derived]: robust when |z_k| + sum_l |z_l| < delta/sqrt 2; each of <= K
 * terms below delta/(sqrt2 K) fails with probability <= 2 exp(-D delta^2/(4 alpha^2 K^2)).
 */
import type { Theorem } from './theorem.ts';
import { MIXTURE_PARAMS, need } from './theorem.ts';
import { certifyRobustFp } from './robustFp.ts';
import { exactRobustFp } from './robustExact.ts';

/** Scratch buffers per K, so the event allocates nothing per sample. */
const scratch = new Map<number, Float64Array>();

/** Exact: is the l2 radius of y F^(p) at s strictly larger than r? Fast certificates, then B1's solver. */
export function robustFpAt(s: Float64Array, y: number, K1: number, p: number, r: number): boolean {
  let w = scratch.get(s.length);
  if (!w) { w = new Float64Array(s.length); scratch.set(s.length, w); }
  const c = certifyRobustFp(s, y, K1, p, r, w);
  if (c === 'robust') return true;
  if (c === 'broken') return false;
  return exactRobustFp(s, y, K1, p, r);
}

export const T4: Theorem = {
  id: 'T4',
  title: 'T4: the pReLU limit F^(p) is robust at radius (sqrt2 - delta)/2',
  source: '[paper] Min & Vidal ICML 2024, Thm (F^(p) robust); PAPER.md s.6',
  statement:
    'For p > 2 and every delta in (0, sqrt 2): P(min_{||d|| <= 1} F^(p)(x + ((sqrt2 - delta)/2) d) y > 0) ' +
    '>= 1 - 2(K+1) exp(-C D delta^2 / (2 alpha^2 K^2)).',
  params: [
    ...MIXTURE_PARAMS,
    { name: 'p', kind: 'real', min: 2, max: 50, minExclusive: true, note: 'p > 2 (the theorem\'s hypothesis)' },
    { name: 'delta', kind: 'real', min: 0, max: Math.SQRT2, minExclusive: true, maxExclusive: true, note: 'delta in (0, sqrt 2): radius (sqrt2 - delta)/2 in (0, sqrt2/2)' },
  ],
  boundExpr: '1 - 2 * (K + 1) * exp(-C * D * delta^2 / (2 * alpha^2 * K^2))',
  relation: '>=',
  controlled: 'failure',
  tailExpr: '2 * (K + 1) * exp(-C * D * delta^2 / (2 * alpha^2 * K^2))',
  cSolutionExpr: '2 * alpha^2 * K^2 * log(2 * (K + 1) / q) / (D * delta^2)',
  candidateC: 0.5,
  candidateNote: '[derived] PAPER.md s.6: M*(delta) = delta/sqrt2, K Gaussian tails at delta/(sqrt2 K), union bound: C = 1/2',
  event: (s, y, p) => robustFpAt(s, y, p.K1, need(p, 'p'), (Math.SQRT2 - need(p, 'delta')) / 2),
};
