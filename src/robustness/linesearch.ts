/**
 * Minimum-norm search along a fixed direction (issue 4, item (4)): the smallest s in (0, sMax] with
 * margin(x0 + s u) <= 0, found by a scan for the first sign change followed by bisection. The value
 * returned is the norm of an actual flipping point, hence a valid upper bound on the minimal
 * flipping radius; a flip inside a scan cell that the scan misses only makes the bound looser.
 */
import type { AttackObjective } from './model.ts';
import { normOf, type Box, type NormKind } from './ball.ts';

export interface LineSearchOptions {
  /** Scan points in (0, sMax]. */
  scan: number;
  /** Bisection steps after the first sign change (each halves the bracket). */
  bisections: number;
  /**
   * Box for x0 + s u: points are clamped into it. Clamping only shrinks every |delta_i| (x0 is in
   * the box), so the flipping point's norm is at most the s reported.
   */
  box?: Box;
}

export const LINE_SEARCH_DEFAULTS: LineSearchOptions = { scan: 64, bisections: 50 };

/**
 * Smallest flipping step along u, scaled to norm `kind` (u is normalised to unit size in that norm).
 * Returns the radius s * 1 of the flipping point x0 + s u/||u|| (Infinity if none up to sMax).
 */
export function minNormAlong(
  obj: AttackObjective,
  x0: Float64Array,
  u: Float64Array,
  sMax: number,
  kind: NormKind = 'l2',
  options: Partial<LineSearchOptions> = {},
): number {
  const o = { ...LINE_SEARCH_DEFAULTS, ...options };
  const nu = normOf(kind, u);
  if (!(nu > 0) || !Number.isFinite(nu) || !(sMax > 0)) return Infinity;
  const D = x0.length;
  const x = new Float64Array(D);
  const flips = (s: number): boolean => {
    const c = s / nu;
    for (let i = 0; i < D; i++) x[i] = x0[i] + c * u[i];
    if (o.box) {
      const { lo, hi } = o.box;
      for (let i = 0; i < D; i++) x[i] = Math.min(typeof hi === 'number' ? hi : hi[i], Math.max(typeof lo === 'number' ? lo : lo[i], x[i]));
    }
    obj.evaluate(x);
    return obj.margin <= 0;
  };
  let lo = 0;
  let hi = NaN;
  for (let k = 1; k <= o.scan; k++) {
    const s = (sMax * k) / o.scan;
    if (flips(s)) {
      hi = s;
      break;
    }
    lo = s;
  }
  if (Number.isNaN(hi)) return Infinity;
  for (let b = 0; b < o.bisections && hi - lo > 1e-15 * hi; b++) {
    const mid = 0.5 * (lo + hi);
    if (flips(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
