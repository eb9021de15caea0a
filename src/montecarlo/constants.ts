/**
 * Implied constants (issue 5): the bound q <= tail(C) is decreasing in C, so an interval
 * [qL, qU] for q maps to the interval [C(qU), C(qL)] of constants consistent with the data, where
 * C(q) is the largest C with q <= tail(C) (solved by mathjs, src/bounds/compile.ts). Over a grid,
 * the largest C for which the bound holds at every point is min_i C(q_i); if all the intervals
 * hold simultaneously (family-wise level), it lies in [min_i C(qU_i), min_i C(qL_i)].
 */
import { compileBound } from '../bounds/compile.ts';
import type { BoundParams, Theorem } from '../bounds/theorem.ts';

export interface CInterval {
  lower: number;
  estimate: number;
  upper: number;
}

/** The constants consistent with q in [qL, qU] at one parameter point (estimate from q-hat). */
export function impliedC(thm: Theorem, p: BoundParams, ci: { lower: number; estimate: number; upper: number }): CInterval {
  const cb = compileBound(thm);
  return { lower: cb.solveC(ci.upper, p), estimate: cb.solveC(ci.estimate, p), upper: cb.solveC(ci.lower, p) };
}

export interface LargestC extends CInterval {
  /** Index of the point where the estimate is attained (the binding point). */
  at: number;
}

/** Largest C valid at every point: componentwise minimum of the per-point intervals. */
export function largestCEverywhere(intervals: readonly CInterval[]): LargestC {
  let lower = Infinity, estimate = Infinity, upper = Infinity, at = -1;
  intervals.forEach((c, i) => {
    lower = Math.min(lower, c.lower);
    upper = Math.min(upper, c.upper);
    if (c.estimate < estimate) { estimate = c.estimate; at = i; }
  });
  return { lower, estimate, upper, at };
}
