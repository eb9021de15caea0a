/**
 * T1, F generalises (PAPER.md s.6): P(F(x) y > 0) >= 1 - 2 exp(-C D / (4 alpha^2 K)).
 * Candidate C = 2 [derived]: failure needs 1 + a <= 0 or 1 + a - b <= 0 with
 * a ~ N(0, K1 alpha^2/D), b ~ N(0, K2 alpha^2/D); two Chernoff tails, each <= exp(-D/(2 alpha^2 K)).
 */
import type { Theorem } from './theorem.ts';
import { MIXTURE_PARAMS } from './theorem.ts';
import { reluF } from './classifiers.ts';

export const T1: Theorem = {
  id: 'T1',
  title: 'T1: the ReLU limit F generalises',
  source: '[paper] Min & Vidal ICML 2024, Thm (F generalises); PAPER.md s.6',
  statement: 'For a new sample (x, y): P(F(x) y > 0) >= 1 - 2 exp(-C D / (4 alpha^2 K)) for a positive constant C.',
  params: MIXTURE_PARAMS,
  boundExpr: '1 - 2 * exp(-C * D / (4 * alpha^2 * K))',
  relation: '>=',
  controlled: 'failure',
  tailExpr: '2 * exp(-C * D / (4 * alpha^2 * K))',
  cSolutionExpr: '4 * alpha^2 * K * log(2 / q) / D',
  candidateC: 2,
  candidateNote: '[derived] PAPER.md s.6: Gaussian (Chernoff) tails and a union bound give C = 2',
  event: (s, y, p) => reluF(s, p.K1) * y > 0,
};
