/**
 * T2, F is not robust (PAPER.md s.6): with d0 = (mu_+ - mu_-)/sqrt(K) and the attack -y d0
 * ([derived]: a fixed direction can flip only one class, so the attack follows the label),
 * P(F(x - y ((1 + rho)/sqrt K) d0) y > 0) <= 2 exp(-C D rho^2 / (alpha^2 K)).
 * On projections the attack shifts s_k by -y r/sqrt(K) for positive k and +y r/sqrt(K) for
 * negative k (r = (1 + rho)/sqrt(K)), exactly, because <d0, mu_k> = +-1/sqrt(K).
 * Candidate C = 1/2 [derived]: success of the defence needs a - b > rho, a - b ~ N(0, K alpha^2/D).
 */
import type { Theorem } from './theorem.ts';
import { MIXTURE_PARAMS, need } from './theorem.ts';

/** y F(x - y r d0) on projections, without copying s. */
export function attackedMarginF(s: ArrayLike<number>, y: number, K1: number, rho: number): number {
  const K = s.length;
  const shift = ((1 + rho) / Math.sqrt(K)) / Math.sqrt(K);
  let sp = 0, sn = 0;
  for (let k = 0; k < K; k++) {
    if (k < K1) sp += s[k]; else sn += s[k];
  }
  sp -= y * shift * K1;
  sn += y * shift * (K - K1);
  return y * (Math.max(sp, 0) - Math.max(sn, 0));
}

export const T2: Theorem = {
  id: 'T2',
  title: 'T2: the ReLU limit F is not robust at radius (1 + rho)/sqrt(K)',
  source: '[paper] Min & Vidal ICML 2024, Thm (F not robust); attack direction [derived] PAPER.md s.6',
  statement:
    'There is d0 on the unit sphere (d0 = (mu_+ - mu_-)/sqrt(K), applied as -y d0) such that for every rho > 0: ' +
    'P(F(x - y ((1 + rho)/sqrt K) d0) y > 0) <= 2 exp(-C D rho^2 / (alpha^2 K)).',
  params: [...MIXTURE_PARAMS, { name: 'rho', kind: 'real', min: 0, max: 1e3, minExclusive: true, note: 'rho > 0: attack radius (1 + rho)/sqrt(K) above 1/sqrt(K)' }],
  boundExpr: '2 * exp(-C * D * rho^2 / (alpha^2 * K))',
  relation: '<=',
  controlled: 'event',
  tailExpr: '2 * exp(-C * D * rho^2 / (alpha^2 * K))',
  cSolutionExpr: 'alpha^2 * K * log(2 / q) / (D * rho^2)',
  candidateC: 0.5,
  candidateNote: '[derived] PAPER.md s.6: P <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)), so C = 1/2',
  event: (s, y, p) => attackedMarginF(s, y, p.K1, need(p, 'rho')) > 0,
};
