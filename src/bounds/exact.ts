/**
 * Exact T1 and T2 probabilities as one-dimensional integrals (PAPER.md s.6 [derived]).
 *
 * For a point of cluster class with Ka own-class and Kb other-class clusters, a = <eps, own class
 * sum> ~ N(0, Ka s^2) and b = <eps, other class sum> ~ N(0, Kb s^2) are independent (s^2 =
 * alpha^2/D). With a = sa u, u ~ N(0,1), sa = sqrt(Ka) s, sb = sqrt(Kb) s:
 * - T1 failure: 1 + a <= 0, or 1 + a > 0 and b >= 1 + a:
 *     q = Q(1/sa) + int_{-1/sa}^inf phi(u) Q((1 + sa u)/sb) du.
 * - T2 (attack r = (1 + rho)/sqrt K along -y d0): stays correct iff 1 + a - r Ka/sqrt K > 0 and
 *   a - b > rho:  P = int_{(r Ka/sqrt K - 1)/sa}^inf phi(u) Q((rho - sa u)/sb) du.
 * Each class is drawn with probability Ka/K, so the total is the cluster-weighted mixture.
 * Everything is in log space (values far below 1e-300 are representable).
 */
import { logAddExp, logGaussTailIntegral, logNormalSf } from '../stats/index.ts';
import { requireInt, requireReal } from '../validate.ts';

function checkMixture(D: number, K: number, K1: number, alpha: number): void {
  requireInt('K', K, 2);
  requireInt('D', D, K);
  requireInt('K1', K1, 1, K - 1);
  requireReal('alpha', alpha, { min: 0, minExclusive: true });
}

function logT1FailureClass(Ka: number, Kb: number, s: number): number {
  const sa = Math.sqrt(Ka) * s;
  const sb = Math.sqrt(Kb) * s;
  return logAddExp(logNormalSf(1 / sa), logGaussTailIntegral(-1 / sa, 1 / sb, sa / sb));
}

/** log P(F(x) y <= 0): the exact T1 failure probability. */
export function logT1Failure(D: number, K: number, K1: number, alpha: number): number {
  checkMixture(D, K, K1, alpha);
  const s = alpha / Math.sqrt(D);
  const K2 = K - K1;
  return logAddExp(Math.log(K1 / K) + logT1FailureClass(K1, K2, s), Math.log(K2 / K) + logT1FailureClass(K2, K1, s));
}

function logT2Class(Ka: number, Kb: number, K: number, s: number, rho: number): number {
  const sa = Math.sqrt(Ka) * s;
  const sb = Math.sqrt(Kb) * s;
  const r = (1 + rho) / Math.sqrt(K);
  return logGaussTailIntegral((r * Ka / Math.sqrt(K) - 1) / sa, rho / sb, -sa / sb);
}

/** log P(F(x - y r d0) y > 0), r = (1 + rho)/sqrt(K): the exact T2 probability. */
export function logT2Probability(D: number, K: number, K1: number, alpha: number, rho: number): number {
  checkMixture(D, K, K1, alpha);
  requireReal('rho', rho, { min: 0, minExclusive: true });
  const s = alpha / Math.sqrt(D);
  const K2 = K - K1;
  return logAddExp(Math.log(K1 / K) + logT2Class(K1, K2, K, s, rho), Math.log(K2 / K) + logT2Class(K2, K1, K, s, rho));
}

/** The Gaussian-tail upper bound on T2's probability: log P(N(0, K alpha^2/D) > rho). */
export function logT2GaussianTail(D: number, K: number, alpha: number, rho: number): number {
  return logNormalSf(rho / (alpha * Math.sqrt(K / D)));
}

/**
 * The alpha at which an increasing function q(alpha) (a failure or attack-success probability)
 * equals a target, by bisection in log alpha. Used to place grid points where the probabilities
 * lie between 1e-4 and 0.5 (issue 5).
 */
export function solveAlphaForTarget(logQ: (alpha: number) => number, target: number, lo = 1e-3, hi = 1e3): number {
  requireReal('target', target, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const lt = Math.log(target);
  let a = Math.log(lo), b = Math.log(hi);
  for (let i = 0; i < 100; i++) {
    const m = 0.5 * (a + b);
    if (logQ(Math.exp(m)) < lt) a = m; else b = m;
  }
  return Math.exp(0.5 * (a + b));
}
