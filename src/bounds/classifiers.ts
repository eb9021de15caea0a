/**
 * The limiting classifiers of PAPER.md s.5 on the projections s_k = <x, mu_k> (clusters 0..K1-1
 * positive), taken from engineer B1's src/classifiers (one definition in the project). The hot
 * Monte-Carlo loops (src/montecarlo/events.ts) inline the same formulas and are tested against
 * these.
 */
import { evalF, evalFp, evalBayesLogRatio } from '../classifiers/index.ts';

/** F(x) = relu(<x, mu_+>) - relu(<x, mu_->). */
export function reluF(s: ArrayLike<number>, K1: number): number {
  return evalF(s, K1);
}

/** F^(p)(x) = sum_{k < K1} relu(s_k)^p - sum_{k >= K1} relu(s_k)^p. */
export function preluF(s: ArrayLike<number>, K1: number, p: number): number {
  return evalFp(s, K1, p);
}

/** sign of the Bayes classifier f* (ICML 2025, PAPER.md s.5), via B1's overflow-free log-ratio. */
export function bayesSign(s: ArrayLike<number>, K1: number, D: number, alpha: number): number {
  return Math.sign(evalBayesLogRatio(s, K1, D / (alpha * alpha)));
}
