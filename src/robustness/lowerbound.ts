/**
 * A certified lower bound on the minimal l2 flipping radius of a trained two-layer pReLU net
 * (PAPER.md s.2, s.5; issue 4 "certified lower bound"), valid for every p >= 1.
 *
 * Write the net as f(x) = b + sum_j a_j relu(u_j(x))^p with a_j = v_j ||w_j||, what_j = w_j/||w_j||
 * and u_j(x) = <x - centre, what_j> (PAPER.md s.2; units with w_j = 0 vanish). Reduction (s.5):
 * f(x + d) depends on d only through t_j = <d, what_j>, i.e. through d's part in span{w_j}. With
 * c_j = y a_j the margin is m(d) = y b + sum_j c_j relu(u_j + t_j)^p, and each term is monotone in t_j:
 * nondecreasing when c_j > 0, nonincreasing when c_j < 0. For ||d|| <= r:
 *
 * 1. |t_j| <= r (what_j is a unit vector).
 * 2. Groups: neurons are grouped around leader directions e_g (unit) with ||what_j - e_g|| <= eps_g.
 *    With tau_g = <d, e_g>, |t_j - tau_g| <= eps_g r, so neuron j is at least
 *    psi_j(tau_g) = c_j relu(u_j + max(-r, tau_g - eps_g r))^p if c_j > 0, or
 *                   c_j relu(u_j + min(r, tau_g + eps_g r))^p if c_j < 0,
 *    and Phi_g = sum_j psi_j splits into A_g (nondecreasing) + B_g (nonincreasing). Neurons outside
 *    every group ("minor") take their worst case over |t_j| <= r independently.
 * 3. Coupling: tau = E d with E the matrix of leaders, so ||tau||^2 <= sigma^2 r^2 for any
 *    sigma >= ||E||_op. sigma^2 is bounded above by trace((E E^T)^(2^s))^(1/2^s) (the largest
 *    eigenvalue is at most the 2^s-th root of the trace of the 2^s-th power), computed by repeated
 *    squaring with normalisation and a relative safety margin for rounding.
 * 4. Weak duality: for every lambda >= 0 and feasible tau,
 *    sum_g Phi_g(tau_g) >= sum_g min_{|tau| <= r} [Phi_g(tau) + lambda tau^2] - lambda sigma^2 r^2.
 * 5. Each one-dimensional minimum is bounded below on a grid of cells [a, b] of [-r, r] by
 *    A_g(a) + B_g(b) + lambda min_{[a,b]} tau^2 (monotonicity, no Lipschitz constant needed).
 * The result is a concave piecewise-linear function of lambda, maximised by ternary search; any
 * lambda gives a valid bound. Radius r is certified when the bound is positive, and the reported
 * radius is the largest certified r met in a bisection (each certificate stands on its own, so
 * monotonicity in r is not needed for validity).
 *
 * At F^(p) (neurons = centres, orthonormal, sigma = 1) with p = 1 this is exact (linear pieces);
 * for p = 3 at a noise-free centre the dual relaxation certifies ~0.66 against the exact sqrt(2)/2.
 * Nets with input normalisation (MNIST recipe) are not covered: the bound returns null for them.
 */
import type { PReluNet } from '../network/types.ts';
import { norm2 } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';

/** The fields of a trained net the bound reads (a PReluNet satisfies it). */
export type TwoLayerNet = Pick<PReluNet, 'D' | 'h' | 'p' | 'W' | 'v' | 'b' | 'hasBias' | 'centre' | 'normalise'>;

export interface LowerBoundOptions {
  /** Largest ||what_j - e_g|| inside a group. */
  groupTolerance: number;
  maxGroups: number;
  /** Cells of [-r, r] per group. */
  cells: number;
  /** Bisection steps on r. */
  bisections: number;
  /** Repeated squarings for the operator-norm bound (2^s-th root of a trace). */
  squarings: number;
}

export const LOWER_BOUND_DEFAULTS: LowerBoundOptions = { groupTolerance: 0.1, maxGroups: 64, cells: 512, bisections: 30, squarings: 10 };

export interface LowerBoundResult {
  /** Certified radius (0 when the point is misclassified); capped at rMax. */
  radius: number;
  /** y f(x). */
  margin: number;
  groups: number;
  minor: number;
  /** Upper bound used for ||E||_op. */
  sigma: number;
}

/** Certified upper bound on the largest eigenvalue of the m x m PSD matrix G (row-major). */
export function lambdaMaxUpper(G: Float64Array, m: number, squarings: number): number {
  let tr = 0;
  for (let i = 0; i < m; i++) tr += G[i * m + i];
  if (!(tr > 0)) return 0;
  let M = Float64Array.from(G, (v) => v / tr);
  let logc = Math.log(tr);
  let scale = 1;
  const T = new Float64Array(m * m);
  for (let s = 0; s < squarings; s++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let k = 0; k < m; k++) acc += M[i * m + k] * M[k * m + j];
        T[i * m + j] = acc;
      }
    }
    let t = 0;
    for (let i = 0; i < m; i++) t += T[i * m + i];
    for (let i = 0; i < m * m; i++) T[i] /= t;
    [M] = [Float64Array.from(T)];
    logc = 2 * logc + Math.log(t);
    scale *= 2;
  }
  // trace(G^(2^s)) = exp(logc); rounding in m^3 sums per squaring is far below the 1e-9 margin.
  return Math.exp(logc / scale) * (1 + 1e-9);
}

interface Prepared {
  margin: number;
  yb: number;
  p: number;
  u: Float64Array;
  c: Float64Array;
  group: Int32Array; // -1 = minor
  eps: Float64Array;
  members: number[][];
  sigma: number;
  minor: number;
}

function prepare(net: TwoLayerNet, x: Float64Array, y: number, o: LowerBoundOptions): Prepared {
  const { D, h, p, W, v } = net;
  const u = new Float64Array(h);
  const c = new Float64Array(h);
  const dirs = new Float64Array(h * D);
  const xt = Float64Array.from(x);
  if (net.centre) for (let i = 0; i < D; i++) xt[i] -= net.centre[i];
  const bias = net.hasBias ? net.b : 0;
  let margin = y * bias;
  for (let j = 0; j < h; j++) {
    const nw = norm2(W, j * D, D);
    if (!(nw > 0)) continue;
    let dot = 0;
    for (let i = 0; i < D; i++) {
      const w = W[j * D + i] / nw;
      dirs[j * D + i] = w;
      dot += w * xt[i];
    }
    u[j] = dot;
    c[j] = y * v[j] * nw;
    margin += c[j] * Math.pow(Math.max(dot, 0), p);
  }
  // Greedy grouping by decreasing |c_j| around leader directions.
  const order = Array.from({ length: h }, (_, j) => j).filter((j) => c[j] !== 0).sort((a, b) => Math.abs(c[b]) - Math.abs(c[a]));
  const leaders: number[] = [];
  const members: number[][] = [];
  const group = new Int32Array(h).fill(-1);
  const eps: number[] = [];
  let minor = 0;
  for (const j of order) {
    let placed = false;
    for (let g = 0; g < leaders.length && !placed; g++) {
      const l = leaders[g];
      let d2 = 0;
      for (let i = 0; i < D; i++) {
        const t = dirs[j * D + i] - dirs[l * D + i];
        d2 += t * t;
      }
      const d = Math.sqrt(d2);
      if (d <= o.groupTolerance) {
        group[j] = g;
        members[g].push(j);
        eps[g] = Math.max(eps[g], d);
        placed = true;
      }
    }
    if (placed) continue;
    if (leaders.length < o.maxGroups) {
      group[j] = leaders.length;
      leaders.push(j);
      members.push([j]);
      eps.push(0);
    } else {
      minor++;
    }
  }
  const m = leaders.length;
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += dirs[leaders[a] * D + i] * dirs[leaders[b] * D + i];
      G[a * m + b] = s;
      G[b * m + a] = s;
    }
  }
  // Gershgorin (max absolute row sum) is exact for orthonormal leaders; the trace-power bound is
  // better for correlated ones. Both are upper bounds, so take the smaller.
  let gersh = 0;
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let b = 0; b < m; b++) s += Math.abs(G[a * m + b]);
    gersh = Math.max(gersh, s);
  }
  gersh *= 1 + 1e-12 * (m + D);
  const sigma = m > 0 ? Math.sqrt(Math.max(1, Math.min(gersh, lambdaMaxUpper(G, m, o.squarings)))) : 1;
  return { margin, yb: y * bias, p, u, c, group, eps: Float64Array.from(eps), members, sigma, minor };
}

const pw = (t: number, p: number): number => (t > 0 ? Math.pow(t, p) : 0);

/** Cells sorted by min tau^2; the order depends only on the cell count (tau scales with r). */
const orderCache = new Map<number, Int32Array>();
function sqOrder(M: number, sq: Float64Array): Int32Array {
  let o = orderCache.get(M);
  if (!o) {
    o = Int32Array.from({ length: M }, (_, i) => i).sort((a, b) => sq[a] - sq[b] || a - b);
    orderCache.set(M, o);
  }
  return o;
}

/** The certified lower bound on min_{||d|| <= r} y f(x + d) (see the module comment). */
function boundAt(P: Prepared, r: number, cells: number): number {
  const { u, c, p } = P;
  let base = P.yb;
  for (let j = 0; j < u.length; j++) {
    if (c[j] === 0 || P.group[j] >= 0) continue;
    base += c[j] > 0 ? c[j] * pw(u[j] - r, p) : c[j] * pw(u[j] + r, p);
  }
  const m = P.members.length;
  if (m === 0) return base;
  const M = cells;
  const nodes = new Float64Array(M + 1);
  for (let i = 0; i <= M; i++) nodes[i] = -r + (2 * r * i) / M;
  const sq = new Float64Array(M);
  for (let i = 0; i < M; i++) sq[i] = nodes[i] <= 0 && nodes[i + 1] >= 0 ? 0 : Math.min(nodes[i] * nodes[i], nodes[i + 1] * nodes[i + 1]);
  const cellLow = new Float64Array(m * M);
  const A = new Float64Array(M + 1);
  const B = new Float64Array(M + 1);
  for (let g = 0; g < m; g++) {
    A.fill(0);
    B.fill(0);
    const e = P.eps[g] * r;
    for (const j of P.members[g]) {
      for (let i = 0; i <= M; i++) {
        const t = nodes[i];
        if (c[j] > 0) A[i] += c[j] * pw(u[j] + Math.max(-r, t - e), p);
        else B[i] += c[j] * pw(u[j] + Math.min(r, t + e), p);
      }
    }
    for (let i = 0; i < M; i++) cellLow[g * M + i] = A[i] + B[i + 1];
  }
  const s2r2 = P.sigma * P.sigma * r * r;
  // Per group, min_i (cellLow_i + lambda sq_i) over lambda >= 0 only involves the lower convex hull
  // of the points (sq_i, cellLow_i) up to its lowest point: precompute it once per r.
  const hulls: { s: Float64Array; c: Float64Array }[] = [];
  const order = sqOrder(M, sq);
  let lamMax = 0;
  for (let g = 0; g < m; g++) {
    const hs: number[] = [];
    const hc: number[] = [];
    for (const i of order) {
      const si = sq[i];
      const ci = cellLow[g * M + i];
      if (hs.length > 0 && hs[hs.length - 1] === si) {
        if (ci >= hc[hc.length - 1]) continue;
        hs.pop();
        hc.pop();
      }
      while (hs.length >= 2) {
        const k = hs.length;
        // Drop the middle point when it lies on or above the chord (lower hull, increasing s).
        const cross = (hs[k - 1] - hs[k - 2]) * (ci - hc[k - 2]) - (hc[k - 1] - hc[k - 2]) * (si - hs[k - 2]);
        if (cross <= 0) {
          hs.pop();
          hc.pop();
        } else break;
      }
      hs.push(si);
      hc.push(ci);
    }
    // Keep the hull up to its lowest point: beyond it a point is never optimal for lambda >= 0.
    let low = 0;
    for (let k = 1; k < hc.length; k++) if (hc[k] < hc[low]) low = k;
    const S = Float64Array.from(hs.slice(0, low + 1));
    const C = Float64Array.from(hc.slice(0, low + 1));
    hulls.push({ s: S, c: C });
    // Beyond lamMax the minimum sits at the hull's first point (smallest tau^2).
    for (let k = 1; k < S.length; k++) lamMax = Math.max(lamMax, (C[0] - C[k]) / (S[k] - S[0]));
  }
  const dual = (lam: number): number => {
    let s = base - lam * s2r2;
    for (let g = 0; g < m; g++) {
      const { s: S, c: C } = hulls[g];
      let mn = Infinity;
      for (let k = 0; k < S.length; k++) mn = Math.min(mn, C[k] + lam * S[k]);
      s += mn;
    }
    return s;
  };
  // Golden-section search on the concave dual (one new evaluation per iteration).
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = 0;
  let hi = lamMax;
  let best = Math.max(dual(0), dual(lamMax));
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let da = dual(a);
  let db = dual(b);
  for (let it = 0; it < 60 && hi - lo > 1e-10 * (1 + hi); it++) {
    if (da < db) {
      lo = a;
      a = b;
      da = db;
      b = lo + phi * (hi - lo);
      db = dual(b);
    } else {
      hi = b;
      b = a;
      db = da;
      a = hi - phi * (hi - lo);
      da = dual(a);
    }
    best = Math.max(best, da, db);
  }
  return best;
}

/** Largest radius (up to rMax) at which the bound certifies y f(x + d) > 0 for all ||d|| <= r. */
export function certifiedRadius(net: TwoLayerNet, x: Float64Array, y: number, rMax: number, options: Partial<LowerBoundOptions> = {}): LowerBoundResult | null {
  const o = { ...LOWER_BOUND_DEFAULTS, ...options };
  requireReal('rMax', rMax, { min: 0, minExclusive: true });
  requireInt('lowerBound.cells', o.cells, 1);
  requireInt('lowerBound.bisections', o.bisections, 0);
  requireInt('lowerBound.maxGroups', o.maxGroups, 0);
  requireReal('lowerBound.groupTolerance', o.groupTolerance, { min: 0, max: 2 });
  if (net.normalise) return null;
  // Every grouping gives a valid bound, and more groups is not always better: near-parallel leaders
  // in separate groups inflate sigma (measured on GF-trained nets: p = 3 median 0.64 with 10 groups,
  // 0.46 with 24). So try group caps 1..16, then 24, 32, 48, ... up to maxGroups, and keep the best
  // certificate; a cap is only bisected when it certifies beyond the best radius so far.
  const caps: number[] = [];
  for (let c = 1; c <= Math.min(16, o.maxGroups); c++) caps.push(c);
  for (let c = 24; c < o.maxGroups; c = Math.round(c * 1.5)) caps.push(c);
  if (o.maxGroups > 16) caps.push(o.maxGroups);
  if (o.maxGroups === 0) caps.push(0);
  let best: LowerBoundResult | null = null;
  let bestHi = rMax;
  // Coarse bisection (a quarter of the cells) per improving cap, then the remaining steps on the
  // best cap only, with all the cells. Both are valid bounds; the coarse one only picks the cap.
  const coarse = Math.min(o.bisections, 12);
  const coarseCells = Math.max(1, Math.min(o.cells, Math.max(64, o.cells >> 2)));
  let bestP: Prepared | null = null;
  let bestScale = 0;
  for (const cap of caps) {
    const P = prepare(net, x, y, { ...o, maxGroups: cap });
    // A cap above the number of distinct groups repeats the previous grouping.
    const last = P.members.length < cap;
    const out = { margin: P.margin, groups: P.members.length, minor: P.minor, sigma: P.sigma };
    if (!(P.margin > 0)) return { radius: 0, ...out };
    // Rounding guard: a certificate needs the bound to clear the scale of the summed terms.
    let scale = Math.abs(P.yb);
    for (let j = 0; j < P.u.length; j++) scale += Math.abs(P.c[j]) * pw(Math.abs(P.u[j]) + rMax, P.p);
    const ok = (r: number): boolean => boundAt(P, r, coarseCells) > 1e-12 * scale;
    let lo = 0;
    if (best !== null) {
      // Worth bisecting only if this grouping beats the current best by a relative 1e-3.
      const trial = Math.min(rMax, best.radius * 1.001);
      if (best.radius >= rMax || !ok(trial)) {
        if (last) break;
        continue;
      }
      lo = trial;
    }
    if (ok(rMax)) {
      best = { radius: rMax, ...out };
      bestP = null;
      break;
    }
    let hi = rMax;
    for (let s = 0; s < coarse; s++) {
      const mid = 0.5 * (lo + hi);
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    best = { radius: lo, ...out };
    bestHi = hi;
    bestP = P;
    bestScale = scale;
    if (last) break;
  }
  if (best !== null && bestP !== null) {
    const P = bestP;
    const fine = (r: number): boolean => boundAt(P, r, o.cells) > 1e-12 * bestScale;
    let lo = best.radius;
    let hi = bestHi;
    // With cells a multiple of 4 the fine cells refine the coarse ones, so the fine bound is at least
    // the coarse one; widen the bracket when it certifies at the coarse hi.
    if (hi < rMax && fine(hi)) hi = Math.min(rMax, hi * 1.05 + 1e-12);
    if (fine(hi)) lo = hi;
    for (let s = coarse; s < o.bisections + 6 && lo < hi; s++) {
      const mid = 0.5 * (lo + hi);
      if (fine(mid)) lo = mid;
      else hi = mid;
    }
    best = { ...best, radius: lo };
  }
  return best;
}
