/**
 * Fast certified decisions for F^(p) robustness, for callers that need millions of them (the
 * Monte-Carlo check of T4, PAPER.md s.6, whose event "min_{||d|| <= 1} F^(p)(x + r d) y > 0" is
 * "exact radius > r").
 *
 * Cheap certified lower bound (the Minkowski step of T4's proof skeleton, sharpened): write
 * Phi(v) = ||relu(v)||_p. A perturbation d flips the point only if
 *   Phi(s_own + d_own) <= Phi(s_oth + d_oth).
 * Lowering own coordinates only helps the attacker, and relu(s) - relu(s + min(d, 0)) is a
 * nonnegative vector supported on the n+ own coordinates with s_k > 0 and bounded by |d|, so
 *   Phi(s_own + d_own) >= Phi(s_own) - kappa_own ||d_own||_2,  kappa_own = n+^max(0, 1/p - 1/2)
 * (||v||_p <= n^(1/p - 1/2) ||v||_2 on n coordinates when p < 2, and <= ||v||_2 when p >= 2);
 * likewise Phi(s_oth + d_oth) <= Phi(s_oth) + kappa_oth ||d_oth||_2 with kappa_oth = m^max(0, 1/p - 1/2).
 * By Cauchy-Schwarz a flip needs ||d|| >= (Phi(s_own) - Phi(s_oth)) / sqrt(kappa_own^2 + kappa_oth^2).
 * At noise-free centres this bound equals the exact radius (sqrt(2)/2 for p >= 2 and
 * 1/sqrt(1 + m^(2/p - 1)) for p < 2), so it settles most noisy points too.
 */
import type { Label } from './exactF.ts';

function pnormRelu(s: ArrayLike<number>, lo: number, hi: number, p: number): { norm: number; positive: number } {
  let m = 0;
  let positive = 0;
  for (let k = lo; k < hi; k++) if (s[k] > 0) {
    positive++;
    if (s[k] > m) m = s[k];
  }
  if (m === 0) return { norm: 0, positive };
  let acc = 0;
  for (let k = lo; k < hi; k++) if (s[k] > 0) acc += Math.pow(s[k] / m, p);
  return { norm: m * Math.pow(acc, 1 / p), positive };
}

/** The certified lower bound of the module comment (0 when the point is misclassified). */
export function fastLowerBoundFp(s: ArrayLike<number>, y: Label, K1: number, p: number): number {
  const K = s.length;
  const pos = pnormRelu(s, 0, K1, p);
  const neg = pnormRelu(s, K1, K, p);
  const [own, oth, mOth] = y === 1 ? [pos, neg, K - K1] : [neg, pos, K1];
  const gap = own.norm - oth.norm;
  if (!(gap > 0)) return 0;
  const e = Math.max(0, 1 / p - 0.5);
  const kOwn = e === 0 ? 1 : Math.pow(Math.max(own.positive, 1), e);
  const kOth = e === 0 ? 1 : Math.pow(mOth, e);
  return gap / Math.sqrt(kOwn * kOwn + kOth * kOth);
}

