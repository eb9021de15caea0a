/**
 * T3, F^(p) generalises (PAPER.md s.6): P(F^(p)(x) y > 0) >= 1 - 2(K+1) exp(-C D / (alpha^2 K)).
 * The constant is [open] in PAPER.md. A constant derived for this toolkit (p >= 2), tested by the
 * T3 check like the paper's candidates: the sample (cluster k) is correct when every one of the K
 * projections has |z_j| < t = 1/(2 sqrt K), since then s_k > 1 - t >= 1/2 and the other class
 * contributes at most m t^p <= K (2 sqrt K)^-p <= 2^-p < s_k^p (p >= 2, m <= K - 1). Union bound:
 * 2K exp(-t^2 D / (2 alpha^2)) = 2K exp(-D / (8 alpha^2 K)), i.e. C = 1/8.
 */
import type { Theorem } from './theorem.ts';
import { MIXTURE_PARAMS, need } from './theorem.ts';
import { preluF } from './classifiers.ts';

export const T3: Theorem = {
  id: 'T3',
  title: 'T3: the pReLU limit F^(p) generalises',
  source: '[paper] Min & Vidal ICML 2024, Thm (F^(p) generalises); constant [open] PAPER.md s.6',
  statement: 'For a new sample (x, y): P(F^(p)(x) y > 0) >= 1 - 2(K+1) exp(-C D / (alpha^2 K)) for a positive constant C.',
  params: [...MIXTURE_PARAMS, { name: 'p', kind: 'real', min: 2, max: 50, note: 'pReLU power; the derived constant needs p >= 2 (the poster states no range)' }],
  boundExpr: '1 - 2 * (K + 1) * exp(-C * D / (alpha^2 * K))',
  relation: '>=',
  controlled: 'failure',
  tailExpr: '2 * (K + 1) * exp(-C * D / (alpha^2 * K))',
  cSolutionExpr: 'alpha^2 * K * log(2 * (K + 1) / q) / D',
  candidateC: 0.125,
  candidateNote: '[derived here, see src/bounds/t3.ts] per-coordinate |z_j| < 1/(2 sqrt K) and a union bound give C = 1/8 for p >= 2; PAPER.md lists T3 as [open]',
  event: (s, y, p) => preluF(s, p.K1, need(p, 'p')) * y > 0,
};
