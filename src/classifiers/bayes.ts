/**
 * The Bayes classifier of the ICML 2025 paper (PAPER.md s.5):
 *   f*(x) = sum_{k <= K1} exp(beta <x, mu_k>) - sum_{k > K1} exp(beta <x, mu_k>),  beta = D/alpha^2.
 * With beta ~ 1e4 (D = 1000, alpha = 0.3) the exponentials overflow, so f* is never formed
 * directly: with LP = logsumexp(beta s_P) and LN = logsumexp(beta s_N),
 *   sign f* = sign(LP - LN),  log|f*| = max(LP, LN) + log(1 - exp(-|LP - LN|)).
 * As a DifferentiableClassifier the Bayes rule is represented by the log-ratio
 *   g(x) = LP - LN = log(sum_P exp(beta s_k)) - log(sum_N exp(beta s_l)),
 * which has the sign of f* everywhere (f* > 0 iff LP > LN), is smooth, O(beta ||x||) in size and
 * never overflows; attacks and radii depend only on the sign, so they are those of f*.
 */
import { requireReal } from '../validate.ts';
import { validateSplit } from './limitF.ts';
import type { ProjectedClassifier } from './types.ts';

export interface BayesParams {
  K: number;
  K1: number;
  D: number;
  alpha: number;
}

/** log sum_{k in [lo, hi)} exp(beta s_k), stably. */
function logSumExp(s: ArrayLike<number>, off: number, lo: number, hi: number, beta: number): number {
  let m = -Infinity;
  for (let k = lo; k < hi; k++) m = Math.max(m, beta * s[off + k]);
  if (!Number.isFinite(m)) return m;
  let acc = 0;
  for (let k = lo; k < hi; k++) acc += Math.exp(beta * s[off + k] - m);
  return m + Math.log(acc);
}

/** sign(f*) and log|f*| at the projections s (logAbs = -Infinity when f* = 0 exactly). */
export function bayesLogAbs(s: ArrayLike<number>, K1: number, beta: number, off = 0, K = s.length - off): { sign: -1 | 0 | 1; logAbs: number } {
  const lp = logSumExp(s, off, 0, K1, beta);
  const ln = logSumExp(s, off, K1, K, beta);
  const d = lp - ln;
  if (d === 0) return { sign: 0, logAbs: -Infinity };
  // log(1 - exp(-|d|)) computed as log(-expm1(-|d|)), accurate for small and large |d|.
  return { sign: d > 0 ? 1 : -1, logAbs: Math.max(lp, ln) + Math.log(-Math.expm1(-Math.abs(d))) };
}

/** The Bayes log-ratio LP - LN (sign of f*) on a projection vector. */
export function evalBayesLogRatio(s: ArrayLike<number>, K1: number, beta: number, off = 0, K = s.length - off): number {
  return logSumExp(s, off, 0, K1, beta) - logSumExp(s, off, K1, K, beta);
}

/** beta = D / alpha^2, validating D >= 1 and alpha > 0 (alpha = 0 makes the Bayes rule undefined). */
export function bayesBeta(D: unknown, alpha: unknown): number {
  const d = requireReal('D', D, { min: 1 });
  const a = requireReal('alpha', alpha, { min: 0, minExclusive: true });
  return d / (a * a);
}

/**
 * The Bayes classifier on the K projections, represented by its log-ratio (see the module
 * comment). Gradient: d(LP - LN)/ds_k = beta softmax_P(beta s)_k on positive clusters and
 * -beta softmax_N(beta s)_k on negative ones.
 */
export function bayesClassifier(params: BayesParams): ProjectedClassifier {
  const { K, K1 } = validateSplit(params.K, params.K1);
  const beta = bayesBeta(params.D, params.alpha);
  return {
    dim: K,
    K,
    K1,
    name: 'Bayes',
    value: (x, off = 0) => evalBayesLogRatio(x, K1, beta, off, K),
    valueAndGrad(x, g, off = 0) {
      const lp = logSumExp(x, off, 0, K1, beta);
      const ln = logSumExp(x, off, K1, K, beta);
      for (let k = 0; k < K; k++) {
        const own = k < K1 ? lp : ln;
        g[k] = (k < K1 ? beta : -beta) * Math.exp(beta * x[off + k] - own);
      }
      return lp - ln;
    },
  };
}
