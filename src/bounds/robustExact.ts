/**
 * The exact decision "l2 radius of y F^(p) at s > r" for the samples the fast certificates of
 * robustFp.ts leave undecided: engineer B1's certified solver (src/robustness/certifyFp.ts,
 * branch and bound of exactFp.ts in decision mode). It claims robustness only when certified.
 */
import { isRobustFp } from '../robustness/certifyFp.ts';

export function exactRobustFp(s: Float64Array, y: number, K1: number, p: number, r: number): boolean {
  return isRobustFp(s, y > 0 ? 1 : -1, K1, p, r);
}
