/**
 * Threat models: l2, l_inf and l1 balls around a clean point, optionally intersected with a box
 * (e.g. [0, 1] pixels, PAPER.md s.8 5.2.1). All functions act on the perturbation delta in place.
 *
 * With a box, l2 and l_inf use "project onto the ball, then clamp to the box" as AutoAttack does:
 * because x0 lies in the box, clamping x0 + delta only shrinks every |delta_i|, so the result stays
 * feasible (it is exact for l_inf, feasible but not the Euclidean projection for l2). For l1 the
 * projection onto ball-and-box is exact (soft-thresholding with clamped coordinates, threshold by
 * bisection), since the l1 attack's sparsity depends on it.
 */
import { norm2 } from '../random/sampling.ts';
import { ConfigError } from '../validate.ts';

export type NormKind = 'l2' | 'linf' | 'l1';
export const NORMS: readonly NormKind[] = ['l2', 'linf', 'l1'];

/** Box constraint on x0 + delta (scalars or per-coordinate arrays). */
export interface Box {
  lo: number | Float64Array;
  hi: number | Float64Array;
}

const at = (b: number | Float64Array, i: number): number => (typeof b === 'number' ? b : b[i]);

/** Check that x0 lies in the box (the feasibility argument above needs it). */
export function requireInBox(x0: Float64Array, box: Box | undefined): void {
  if (!box) return;
  for (let i = 0; i < x0.length; i++) {
    const lo = at(box.lo, i);
    const hi = at(box.hi, i);
    if (!(lo <= hi) || x0[i] < lo || x0[i] > hi) throw new ConfigError(`x0[${i}]`, x0[i], `a value in the box [${lo}, ${hi}]`);
  }
}

/** The size of delta in the given norm. */
export function normOf(kind: NormKind, d: Float64Array): number {
  if (kind === 'l2') return norm2(d);
  let s = 0;
  if (kind === 'linf') {
    for (let i = 0; i < d.length; i++) s = Math.max(s, Math.abs(d[i]));
  } else {
    for (let i = 0; i < d.length; i++) s += Math.abs(d[i]);
  }
  return s;
}

function clampToBox(x0: Float64Array, d: Float64Array, box: Box): void {
  for (let i = 0; i < d.length; i++) {
    const x = x0[i] + d[i];
    const lo = at(box.lo, i);
    const hi = at(box.hi, i);
    if (x < lo) d[i] = lo - x0[i];
    else if (x > hi) d[i] = hi - x0[i];
  }
}

/** l1 projection of u onto {||d||_1 <= r, x0 + d in box} (exact, by bisection on the threshold). */
function projectL1(x0: Float64Array, d: Float64Array, r: number, box?: Box): void {
  const n = d.length;
  const clip = (i: number, v: number): number => {
    if (!box) return v;
    const lo = at(box.lo, i) - x0[i];
    const hi = at(box.hi, i) - x0[i];
    return v < lo ? lo : v > hi ? hi : v;
  };
  const sizeAt = (lam: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(d[i]) - lam;
      if (a > 0) s += Math.abs(clip(i, Math.sign(d[i]) * a));
    }
    return s;
  };
  if (sizeAt(0) <= r) {
    for (let i = 0; i < n; i++) d[i] = clip(i, d[i]);
    return;
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) hi = Math.max(hi, Math.abs(d[i]));
  for (let it = 0; it < 100 && hi - lo > 1e-15 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (sizeAt(mid) > r) lo = mid;
    else hi = mid;
  }
  for (let i = 0; i < n; i++) {
    const a = Math.abs(d[i]) - hi;
    d[i] = a > 0 ? clip(i, Math.sign(d[i]) * a) : 0;
  }
}

/** Project the perturbation d onto the threat model (ball of radius r, then box). In place. */
export function projectBall(kind: NormKind, x0: Float64Array, d: Float64Array, r: number, box?: Box): void {
  if (kind === 'l2') {
    const n = norm2(d);
    if (n > r) {
      const s = r / n;
      for (let i = 0; i < d.length; i++) d[i] *= s;
    }
    if (box) clampToBox(x0, d, box);
  } else if (kind === 'linf') {
    for (let i = 0; i < d.length; i++) d[i] = Math.max(-r, Math.min(r, d[i]));
    if (box) clampToBox(x0, d, box);
  } else {
    projectL1(x0, d, r, box);
  }
}

/**
 * Steepest-ascent direction of the given norm for gradient g, scaled to unit size in that norm:
 * g/||g||_2 (l2), sign(g) (l_inf). Written into out; a zero gradient gives a zero direction (as the
 * authors' normalisation with +1e-12 does). l1 steps are sparse and handled by the APGD-l1 step.
 */
export function steepestDirection(kind: 'l2' | 'linf', g: Float64Array, out: Float64Array): void {
  if (kind === 'l2') {
    const n = norm2(g);
    const s = n > 0 && Number.isFinite(n) ? 1 / n : 0;
    for (let i = 0; i < g.length; i++) out[i] = g[i] * s;
  } else {
    for (let i = 0; i < g.length; i++) out[i] = Math.sign(g[i]);
  }
}
