/**
 * Fast certified decisions for F^(p) robustness, for callers that need millions of them (the
 * Monte-Carlo check of T4, PAPER.md s.6, whose event "min_{||d|| <= 1} F^(p)(x + r d) y > 0" is
 * "exact radius > r"). The cheap certified lower bound is in certifyFpBound.ts.
 */
import { requireReal } from '../validate.ts';
import type { Label } from './exactF.ts';
import { solveFp, validateFpInput } from './exactFp.ts';
import { fastLowerBoundFp } from './certifyFpBound.ts';

export { fastLowerBoundFp };

export type RobustDecision = 'robust' | 'flippable' | 'undecided';

/**
 * Is the exact minimal l2 radius of F^(p) at (s, y) larger than r? Certified both ways: 'robust'
 * comes from a certified lower bound > r, 'flippable' from a verified perturbation of norm <= r.
 * 'undecided' only when r lies inside a final bracket of width < 1e-6.
 */
export function decideRobustFp(s: ArrayLike<number>, y: Label, K1: number, p: number, r: number): RobustDecision {
  validateFpInput(s, y, K1, p);
  requireReal('r', r, { min: 0 });
  const lb = fastLowerBoundFp(s, y, K1, p);
  if (lb > r) return 'robust';
  const res = solveFp(s, y, K1, p, { threshold: r });
  if (res.decided) return res.decided;
  if (res.lower > r) return 'robust';
  if (res.upper <= r) return 'flippable';
  return 'undecided';
}

/**
 * Fast exact decision "radius of F^(p) at (s, y) > r" (T4's event). Cheap when the answer is
 * clear (one pass over s for the lower bound above); otherwise the certified branch and bound of
 * exactFp.ts runs in decision mode and stops as soon as either side is certified. In the
 * 'undecided' band (|radius - r| < 1e-6) it answers false: it claims robustness only when certified.
 */
export function isRobustFp(s: ArrayLike<number>, y: Label, K1: number, p: number, r: number): boolean {
  return decideRobustFp(s, y, K1, p, r) === 'robust';
}
