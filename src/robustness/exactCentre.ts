/**
 * Closed-form exact radii at noise-free centres x = mu_k (PAPER.md s.5, [derived]).
 *
 * - F: 1/sqrt(K) for every split (see exactF.ts).
 * - F^(p), p >= 2: sqrt(2)/2, along (mu_j - mu_k)/sqrt(2), j of the other class:
 *   F^(p)(mu_k + r d) = (1 - r/sqrt2)^p - (r/sqrt2)^p vanishes at r = sqrt(2)/2.
 * - F^(p), 1 <= p < 2: 1/sqrt(1 + m^(2/p - 1)), m = number of other-class clusters.
 *   Derivation: at s = e_k the attack lowers s_k by u and raises the m other-class coordinates
 *   by t_l with sum t_l^2 = v^2. w -> w^(p/2) is concave for p < 2, so the best spread is equal,
 *   sum t_l^p = m^(1 - p/2) v^p, and the flip condition (1 - u)^p <= m^(1 - p/2) v^p reads
 *   u + kappa v >= 1 with kappa = m^(1/p - 1/2). min u^2 + v^2 on that half-plane is
 *   1/(1 + kappa^2), i.e. r = 1/sqrt(1 + m^(2/p - 1)). (For p >= 2, w^(p/2) is convex and the
 *   best spread puts everything on one coordinate, kappa = 1, giving sqrt(2)/2; at p = 2 both agree.)
 *   The general certified solver (exactFp.ts) re-derives these numbers without using them.
 */
import { requireInt, requireReal } from '../validate.ts';

export function centreRadiusF(K: number): number {
  requireInt('K', K, 2);
  return 1 / Math.sqrt(K);
}

/** Radius of F^(p) at a noise-free centre of a class whose other class has m clusters. */
export function centreRadiusFp(p: number, m: number): number {
  requireReal('p', p, { min: 1 });
  requireInt('m', m, 1);
  if (p >= 2) return Math.SQRT1_2;
  return 1 / Math.sqrt(1 + Math.pow(m, 2 / p - 1));
}
