/**
 * dist(f, F) = inf_{c > 0} sup_{||x|| = 1} |c f(x) - F(x)| (PAPER.md s.7), computed properly, and
 * the authors' estimator for comparison.
 *
 * The outer problem uses convexity: h(c) = sup_x |c f(x) - F(x)| is a supremum of convex functions
 * of c, hence convex. Any finite set S of sphere points gives the convex piecewise-linear minorant
 * h_S(c) = max_{x in S} |c f(x) - F(x)| <= h(c), whose minimum over c >= 0 is found exactly (golden
 * section on a convex function); min_c h_S is a rigorous LOWER bound on dist. Kelley's cutting-plane
 * method alternates: c_k = argmin h_S, then a multi-start sphere ascent at c_k (warm-started from S)
 * adds its end points to S; the sup found at c_k is an estimate of h(c_k) >= dist (an UPPER estimate,
 * exact when the ascent finds the global maximum). The loop stops when the two meet within relTol.
 * The brief suggested golden section on log c with a multi-start sup at each trial c; the cutting-
 * plane model reuses every point ever found for every c, so it needs far fewer sup searches, and its
 * lower bound certifies the gap.
 */
import type { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import type { FlowOptions } from '../extremal/flow.ts';
import { ConfigError, requireInt, requireReal } from '../validate.ts';
import { homogeneityError, restrictToSubspace, type ScalarFn, type SubspaceSpec } from './scalarFn.ts';
import { GapObjective, randomStarts, supOnSphere, type SupEndpoint } from './sphereSup.ts';

export interface DistOptions {
  rng: Rng;
  /** Fresh random starts per sup search. Default 24. */
  starts?: number;
  /** Extra starting points in R^D (e.g. centres, class averages, data points). */
  extraStarts?: Float64Array[];
  /** Work on the sphere of this subspace (see SubspaceSpec for when that is exact). */
  subspace?: SubspaceSpec;
  /**
   * Kelley rounds (sup searches). Default 16. In one dimension Kelley's method shrinks the bracket
   * roughly like bisection when every round finds a new active point: measured on a ReLU net
   * (h = 40, D = 100) the gap reached 1e-6 relative after 10 rounds.
   */
  maxRounds?: number;
  /** Stop when upper - lower <= max(relTol * upper, 1e-12 max |F|). Default 1e-6. */
  relTol?: number;
  /** Largest model size (points kept in S). Default 400. */
  maxPoints?: number;
  flow?: Omit<FlowOptions, 'sign'>;
}

export interface DistRound {
  c: number;
  /** Sup of |c f - F| found at this c. */
  sup: number;
  /** min_c h_S(c) after this round (lower bound on dist). */
  lower: number;
}

export interface DistResult {
  /** Best upper estimate of dist: the smallest sup found over the tried c. */
  value: number;
  /** Rigorous lower bound min_c h_S(c) (given exact evaluations of f and F at points of S). */
  lower: number;
  /** The c attaining `value`. */
  c: number;
  /** The worst point (in R^D, unit norm) at c. */
  worstX: Float64Array;
  /** c* = 0 would be optimal on the model: f does not help approximate F at all. */
  boundary: boolean;
  /** value - lower, and whether it met the stopping tolerance within maxRounds. */
  gap: number;
  converged: boolean;
  rounds: DistRound[];
  startsPerRound: number;
  modelPoints: number;
  evaluations: number;
  dimSearched: number;
}

/** argmin over c >= 0 of max_i |c a_i - b_i| (convex piecewise linear), by golden section. */
export function minimiseMaxAbs(a: ArrayLike<number>, b: ArrayLike<number>): { c: number; value: number } {
  const m = a.length;
  if (m === 0 || b.length !== m) throw new ConfigError('model size', m, 'a positive number of (f, F) pairs');
  let maxA = 0;
  let maxB = 0;
  for (let i = 0; i < m; i++) {
    maxA = Math.max(maxA, Math.abs(a[i]));
    maxB = Math.max(maxB, Math.abs(b[i]));
  }
  const h = (c: number): number => {
    let v = 0;
    for (let i = 0; i < m; i++) v = Math.max(v, Math.abs(c * a[i] - b[i]));
    return v;
  };
  if (maxA === 0) return { c: 0, value: h(0) };
  // For c >= 2 maxB / maxA, h(c) >= c maxA - maxB >= maxB = h(0): the minimiser is in [0, hi].
  let lo = 0;
  let hi = (2 * maxB) / maxA + Number.MIN_VALUE;
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let h1 = h(x1);
  let h2 = h(x2);
  for (let it = 0; it < 200 && hi - lo > 1e-16 * hi; it++) {
    if (h1 <= h2) {
      hi = x2;
      x2 = x1;
      h2 = h1;
      x1 = hi - phi * (hi - lo);
      h1 = h(x1);
    } else {
      lo = x1;
      x1 = x2;
      h1 = h2;
      x2 = lo + phi * (hi - lo);
      h2 = h(x2);
    }
  }
  let c = (lo + hi) / 2;
  let value = h(c);
  if (h(0) <= value) {
    c = 0;
    value = h(0);
  }
  return { c, value };
}

/** dist(f, F) by Kelley's cutting planes over c and multi-start sphere ascents (module comment). */
export function dist(f: ScalarFn, F: ScalarFn, opts: DistOptions): DistResult {
  if (f.dim !== F.dim) throw new ConfigError('f.dim', f.dim, `equal to F.dim = ${F.dim}`);
  const D = f.dim;
  const nStarts = requireInt('starts', opts.starts ?? 24, 1);
  const maxRounds = requireInt('maxRounds', opts.maxRounds ?? 16, 1);
  const relTol = requireReal('relTol', opts.relTol ?? 1e-6, { min: 0 });
  const maxPoints = requireInt('maxPoints', opts.maxPoints ?? 400, 1);
  let fs = f;
  let Fs = F;
  let lift: (z: Float64Array) => Float64Array = (z) => z;
  let degree = 1;
  let dim = D;
  if (opts.subspace) {
    const sp = opts.subspace;
    degree = requireReal('subspace.degree', sp.degree, { min: 0, minExclusive: true });
    for (const [name, fn] of [['f', f], ['F', F]] as const) {
      const err = homogeneityError(fn, degree, opts.rng);
      if (!(err <= 1e-8)) throw new ConfigError(`subspace.degree (${name})`, degree, `the homogeneity degree of ${name}: measured relative violation ${err.toExponential(2)}`);
    }
    const rf = restrictToSubspace(f, sp.basis, sp.rank);
    fs = rf;
    Fs = restrictToSubspace(F, sp.basis, sp.rank);
    lift = (z) => rf.lift(z);
    dim = sp.rank;
  }
  const obj = new GapObjective(fs, Fs, degree);
  // Extra starts given in R^D are projected onto the subspace (coordinates Q x).
  const extra = (opts.extraStarts ?? []).map((x) => {
    if (x.length !== D) throw new ConfigError('extraStarts[i].length', x.length, `D = ${D}`);
    if (!opts.subspace) return x;
    const { basis, rank } = opts.subspace;
    const z = new Float64Array(rank);
    for (let r = 0; r < rank; r++) for (let j = 0; j < D; j++) z[r] += basis[r * D + j] * x[j];
    return z;
  }).filter((z) => norm2(z) > 0);

  const S: SupEndpoint[] = [];
  const addPoints = (pts: SupEndpoint[]): void => {
    for (const p of pts) S.push(p);
    if (S.length > maxPoints) {
      // Keep the points that matter most for the model near the current c: largest gaps first.
      S.sort((p, q) => q.gap - p.gap);
      S.length = maxPoints;
    }
  };
  // Initial c: least squares c = sum f F / sum f^2 over the starting points (1 if f vanishes there).
  const first = [...extra, ...randomStarts(opts.rng, nStarts, dim)];
  let sff = 0;
  let sfF = 0;
  for (const x of first) {
    const n = norm2(x);
    const u = x.map((v) => v / n);
    const [a, b] = obj.pair(u);
    sff += a * a;
    sfF += a * b;
  }
  let c = sff > 0 && sfF > 0 ? sfF / sff : 1;
  // Absolute floor of the stopping test (dist can be exactly 0, e.g. f = c F): 1e-12 max |F|.
  let fScale = 0;
  for (const x of first) fScale = Math.max(fScale, Math.abs(obj.pair(x.map((v) => v / norm2(x)))[1]));
  const absTol = 1e-12 * fScale;

  const rounds: DistRound[] = [];
  let best: { value: number; c: number; x: Float64Array } = { value: Infinity, c: 1, x: new Float64Array(dim) };
  let lower = 0;
  let evaluations = 0;
  let starts = first;
  let boundary = false;
  let converged = false;
  for (let k = 0; k < maxRounds; k++) {
    const sup = supOnSphere(obj, c, { starts, flow: opts.flow });
    evaluations += sup.evaluations;
    addPoints(sup.endpoints);
    if (sup.value < best.value) best = { value: sup.value, c, x: sup.x };
    const model = minimiseMaxAbs(S.map((p) => p.f), S.map((p) => p.F));
    lower = model.value;
    boundary = model.c === 0;
    rounds.push({ c, sup: sup.value, lower });
    if (best.value - lower <= Math.max(relTol * best.value, absTol)) {
      converged = true;
      break;
    }
    c = model.c;
    // Warm starts: the current worst points of the model at the new c, plus fresh random starts.
    const warm = [...S].sort((p, q) => Math.abs(c * q.f - q.F) - Math.abs(c * p.f - p.F)).slice(0, nStarts).map((p) => p.x);
    starts = [...warm, ...extra, ...randomStarts(opts.rng, nStarts, dim)];
  }
  // The sup search at best.c may have missed points that later rounds found: h_S(best.c) over the
  // final point set is also a lower estimate of h(best.c) and can exceed the search's own figure.
  // Taking the larger keeps value >= h_S(best.c) >= lower, as an upper estimate of dist must be.
  for (const pt of S) {
    const g = Math.abs(best.c * pt.f - pt.F);
    if (g > best.value) best = { value: g, c: best.c, x: pt.x };
  }
  const worst = lift(best.x);
  const nw = norm2(worst);
  return {
    value: best.value,
    lower,
    c: best.c,
    worstX: worst.map((v) => v / nw),
    boundary,
    gap: best.value - lower,
    converged,
    rounds,
    startsPerRound: nStarts,
    modelPoints: S.length,
    evaluations,
    dimSearched: dim,
  };
}

export interface AuthorsDistOptions {
  rng: Rng;
  /** Random starts (the authors: 10 x 1000). Default 10000. */
  starts?: number;
  /** Iterations per start. Default 2000. */
  iterations?: number;
  /** Step of the normalised ascent. Default 0.01. */
  step?: number;
}

export interface AuthorsDistResult {
  /** max over starts of |c f - F| at the final iterate. */
  value: number;
  /** max over every visited iterate (at least `value`). */
  bestVisited: number;
  /** The data-fitted c = E[f F] / E[f^2]. */
  c: number;
  worstX: Float64Array;
  starts: number;
  iterations: number;
}

/**
 * The authors' estimator (PAPER.md s.7): fit c = E[f F] / E[f^2] on the data X (n x D rows), then
 * from each random start run x <- x + step g/||g||, x <- x/||x|| with g = grad |c f - F| (the full
 * gradient normalised, then projected back to the sphere), `iterations` times, and report the
 * largest |c f - F| at the final iterates. It neither upper- nor lower-bounds dist for sure: c is not
 * optimised, and the ascent may miss the worst point.
 */
export function authorsDist(f: ScalarFn, F: ScalarFn, X: Float64Array, opts: AuthorsDistOptions): AuthorsDistResult {
  if (f.dim !== F.dim) throw new ConfigError('f.dim', f.dim, `equal to F.dim = ${F.dim}`);
  const D = f.dim;
  if (X.length === 0 || X.length % D !== 0) throw new ConfigError('X.length', X.length, `a positive multiple of D = ${D}`);
  const nStarts = requireInt('starts', opts.starts ?? 10000, 1);
  const iterations = requireInt('iterations', opts.iterations ?? 2000, 0);
  const step = requireReal('step', opts.step ?? 0.01, { min: 0, minExclusive: true });
  const n = X.length / D;
  const gf = new Float64Array(D);
  const gF = new Float64Array(D);
  let sff = 0;
  let sfF = 0;
  for (let i = 0; i < n; i++) {
    const xi = X.subarray(i * D, (i + 1) * D);
    const a = f.valueAndGrad(xi, gf);
    const b = F.valueAndGrad(xi, gF);
    sff += a * a;
    sfF += a * b;
  }
  if (!(sff > 0)) throw new ConfigError('f', 'zero on every data point', 'a function not identically zero on the data');
  const c = sfF / sff;
  const x = new Float64Array(D);
  const g = new Float64Array(D);
  let value = -Infinity;
  let bestVisited = -Infinity;
  let worstX = new Float64Array(D);
  const gapAt = (): number => {
    const a = f.valueAndGrad(x, gf);
    const b = F.valueAndGrad(x, gF);
    const v = c * a - b;
    const s = v >= 0 ? 1 : -1;
    for (let j = 0; j < D; j++) g[j] = s * (c * gf[j] - gF[j]);
    return Math.abs(v);
  };
  for (let s = 0; s < nStarts; s++) {
    opts.rng.fillNormal(x);
    let nx = norm2(x);
    for (let j = 0; j < D; j++) x[j] /= nx;
    let gap = gapAt();
    bestVisited = Math.max(bestVisited, gap);
    for (let it = 0; it < iterations; it++) {
      const ng = norm2(g);
      if (!(ng > 0)) break;
      for (let j = 0; j < D; j++) x[j] += (step * g[j]) / ng;
      nx = norm2(x);
      for (let j = 0; j < D; j++) x[j] /= nx;
      gap = gapAt();
      bestVisited = Math.max(bestVisited, gap);
    }
    if (gap > value) {
      value = gap;
      worstX = Float64Array.from(x);
    }
  }
  return { value, bestVisited, c, worstX, starts: nStarts, iterations };
}
