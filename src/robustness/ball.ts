/**
 * Threat models: l2, l_inf and l1 balls around a clean point, optionally intersected with a box
 * (e.g. [0, 1] pixels, PAPER.md s.8 5.2.1). All functions act on the perturbation delta in place.
 *
 * With a box, l2 and l_inf use "project onto the ball, then clamp to the box" as AutoAttack does:
 * because x0 lies in the box, clamping x0 + delta only shrinks every |delta_i|, so the result stays
 * feasible (it is exact for l_inf, feasible but not the Euclidean projection for l2). For l1 the
 * projection onto ball-and-box is exact (soft-thresholding with clamped coordinates, threshold by a
 * linear-time breakpoint search, see projectL1), since the l1 attack's sparsity depends on it.
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
    // Written as !(lo <= x0 <= hi) so that a NaN x0 (or bound) is refused too.
    if (!(lo <= hi) || !(x0[i] >= lo && x0[i] <= hi)) throw new ConfigError(`x0[${i}]`, x0[i], `a value in the box [${lo}, ${hi}]`);
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

/**
 * Scratch for projectL1, grown on demand and never shrunk (module-level: one projection runs at a
 * time per thread, and reusing the buffers keeps the attack's l1 steps free of allocation). absD and
 * room are indexed by coordinate; top, bottom and width hold the breakpoints and rooms of the
 * contributing coordinates (|d_i| > 0 and u_i > 0), compacted.
 */
let absD = new Float64Array(0);
let room = new Float64Array(0);
let top = new Float64Array(0);
let bottom = new Float64Array(0);
let width = new Float64Array(0);

function growScratch(n: number): void {
  if (absD.length >= n) return;
  absD = new Float64Array(n);
  room = new Float64Array(n);
  top = new Float64Array(n);
  bottom = new Float64Array(n);
  width = new Float64Array(n);
}

/**
 * The lam in (0, aMax) with S(lam) = r, given S(0) > r > 0 and aMax = max |d_i|, from the m
 * contributing coordinates' breakpoints top = |d_i|, bottom = |d_i| - u_i and rooms width = u_i (the
 * three are reordered and overwritten). Breakpoint search (Kiwiel, J. Optim. Theory Appl. 2008,
 * "Breakpoint searching algorithms for the continuous quadratic knapsack problem"): keep a bracket
 * S(lo) > r >= S(hi) and the coordinates with a breakpoint strictly inside it (candidates); every
 * other coordinate is 0, u_i or |d_i| - lam on the whole bracket and enters the running sums C (the
 * u_i), A (the |d_i|) and K (their count), so there S(lam) = C + A - K lam + (candidates' terms).
 * Each pass evaluates S at a candidate breakpoint (the median of three candidates' at pseudo-random
 * positions), moves one end of the bracket there and drops the candidates left without a breakpoint
 * inside: O(m) expected on every input (at most 2m passes in the worst case), no sort. When none
 * is left, S is linear on the bracket and lam = (C + A - r) / K.
 */
function threshold(m: number, r: number, aMax: number): number {
  const ta = top;
  const tb = bottom;
  const tu = width;
  let lo = 0;
  let hi = aMax;
  let C = 0;
  let A = 0;
  let K = 0;
  // xorshift32 for the pivot positions, restarted on every call, so the result (the rounding of the
  // running sums depends on the path) is a function of the input alone, as the project requires.
  let x = 0x2545f491;
  for (;;) {
    let w = 0;
    for (let k = 0; k < m; k++) {
      const a = ta[k];
      const b = tb[k];
      if (a <= lo) continue; // 0 on the bracket
      if (b >= hi) C += tu[k]; // on the box face on the bracket
      else if (b <= lo && a >= hi) {
        A += a; // linear on the bracket
        K++;
      } else {
        ta[w] = a;
        tb[w] = b;
        tu[w] = tu[k];
        w++;
      }
    }
    m = w;
    if (m === 0) break;
    // Each candidate has a breakpoint strictly inside (lo, hi); the median of three of them, at
    // pseudo-random positions (fixed positions such as first / middle / last take O(m) passes on
    // organ-pipe or alternating orders; measured 150 passes at D = 784).
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j0 = (x >>> 0) % m;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j1 = (x >>> 0) % m;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j2 = (x >>> 0) % m;
    const b0 = tb[j0] > lo ? tb[j0] : ta[j0];
    const b1 = tb[j1] > lo ? tb[j1] : ta[j1];
    const b2 = tb[j2] > lo ? tb[j2] : ta[j2];
    const piv = b0 < b1 ? (b1 < b2 ? b1 : b0 < b2 ? b2 : b0) : b0 < b2 ? b0 : b1 < b2 ? b2 : b1;
    let s = C + A - K * piv;
    for (let k = 0; k < m; k++) {
      const a = ta[k];
      if (piv < a) s += piv > tb[k] ? a - piv : tu[k];
    }
    if (s > r) lo = piv;
    else if (s < r) hi = piv;
    else return piv;
  }
  if (K === 0) return hi; // S constant on the bracket: only by rounding; hi is the feasible end
  const lam = (C + A - r) / K;
  return lam < lo ? lo : lam > hi ? hi : lam;
}

/**
 * Euclidean projection of d onto {||d||_1 <= r, x0 + d in box}, in place; x0 must lie in the box
 * (requireInBox; a box that excludes x0 is treated as giving no room on that side).
 *
 * The problem is separable given the multiplier lam of the l1 constraint: with u_i >= 0 the box room
 * on the side of sign(d_i), d_i <- sign(d_i) min(max(|d_i| - lam, 0), u_i) (soft-threshold, then clamp;
 * the clamp of a 1-D convex problem's minimiser is its constrained minimiser, and 0 lies in the box).
 * If the clipped point already has size S(0) <= r, lam = 0. Otherwise lam > 0 solves S(lam) = r,
 * S(lam) = sum_i min(max(|d_i| - lam, 0), u_i), piecewise linear and non-increasing with breakpoints
 * |d_i| - u_i and |d_i| (slope minus the number of coordinates strictly between their two). The
 * root comes from a linear-time breakpoint search (threshold()). The l1-ball case is Duchi,
 * Shalev-Shwartz, Singer & Chandra, ICML 2008, "Efficient projections onto the l1-ball for learning
 * in high dimensions" (sort and sweep, Fig. 1, or linear-time pivoting, Fig. 2); the box adds the
 * second breakpoint per coordinate (the clamped soft-threshold of Croce & Hein, ICCV 2021). Sorting
 * the breakpoints and sweeping was tried first: at D = 784 Node 20's Float64Array sort alone cost
 * more than the whole search. Exact up to rounding: the result's l1 norm (summed in index order, as
 * normOf sums it) is then checked, and lam raised (a Newton step on S, or an ulp) until it is <= r.
 * NaN entries of d give 0 (as the previous bisection did); infinite ones are rejected.
 */
function projectL1(x0: Float64Array, d: Float64Array, r: number, box?: Box): void {
  if (!(r >= 0)) throw new ConfigError('radius', r, 'a number >= 0');
  const n = d.length;
  growScratch(n);
  const ab = absD;
  const ro = room;
  const loArr = box && typeof box.lo !== 'number' ? box.lo : null;
  const hiArr = box && typeof box.hi !== 'number' ? box.hi : null;
  const loS = box && typeof box.lo === 'number' ? box.lo : -Infinity;
  const hiS = box && typeof box.hi === 'number' ? box.hi : Infinity;
  // Sizes, rooms, S(0) (the size of the clipped point), and the contributing coordinates' breakpoints.
  const ta = top;
  const tb = bottom;
  const tu = width;
  let s0 = 0;
  let aMax = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    const a = v > 0 ? v : -v;
    if (a === Infinity) throw new ConfigError(`delta[${i}]`, v, 'a finite number');
    let u = v > 0 ? (hiArr ? hiArr[i] : hiS) - x0[i] : x0[i] - (loArr ? loArr[i] : loS);
    if (!(u > 0)) u = 0; // no room (or x0 outside the box on that side)
    ab[i] = a > 0 ? a : 0; // NaN -> 0
    ro[i] = u;
    if (a > 0 && u > 0) {
      s0 += a < u ? a : u;
      if (a > aMax) aMax = a;
      ta[m] = a;
      tb[m] = a - u; // -Infinity without a box: never saturates
      tu[m] = u;
      m++;
    }
  }
  if (r === 0) {
    d.fill(0);
    return;
  }
  let lam = 0;
  if (s0 > r) {
    lam = threshold(m, r, aMax);
    // Exact up to rounding; raise lam until the size, summed in index order as normOf sums the
    // result, is <= r: a Newton step on S (exact on its linear piece), or an ulp when that is
    // below one. (The output's box correction below only shrinks entries.)
    for (let it = 0; it < 16; it++) {
      let size = 0;
      let active = 0;
      for (let i = 0; i < n; i++) {
        const t = ab[i] - lam;
        if (t > 0) {
          const u = ro[i];
          if (t < u) {
            size += t;
            active++;
          } else size += u;
        }
      }
      if (size <= r) break;
      const next = lam + (active > 0 ? (size - r) / active : 0);
      lam = next > lam ? next : lam + (lam > 0 ? lam * Number.EPSILON : Number.MIN_VALUE);
    }
  }
  for (let i = 0; i < n; i++) {
    const t = ab[i] - lam;
    if (!(t > 0)) {
      d[i] = 0;
      continue;
    }
    const u = ro[i];
    let v = t < u ? t : u;
    // u was computed as hi - x0 (or x0 - lo), and x0 + (hi - x0) can round past hi for general
    // boxes (never for [0, 1]): shrink |d_i| by an ulp at a time until x0 + d_i is inside.
    if (d[i] > 0) {
      const hi = hiArr ? hiArr[i] : hiS;
      for (let j = 0; j < 4 && x0[i] + v > hi; j++) v -= v * Number.EPSILON;
      if (x0[i] + v > hi) v = 0;
      d[i] = v;
    } else {
      const lo = loArr ? loArr[i] : loS;
      for (let j = 0; j < 4 && x0[i] - v < lo; j++) v -= v * Number.EPSILON;
      if (x0[i] - v < lo) v = 0;
      d[i] = v > 0 ? -v : 0; // +0, as the clamp lo - x0 = 0 gives
    }
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
