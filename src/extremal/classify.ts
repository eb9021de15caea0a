/**
 * Second-order classification of an extremal vector u (PAPER.md s.4: attracting extremal vectors
 * are local maxima of G_p for positive neurons, minima for negative ones).
 *
 * Two independent tests:
 * 1. Riemannian Hessian by central finite differences of the gradient of the pullback
 *    G(R_u(v)), R_u(v) = (u + v)/||u + v||, v in an orthonormal tangent basis B. The metric
 *    projection is a second-order retraction on the sphere, so the pullback Hessian at v = 0 is the
 *    Riemannian Hessian. Eigenvalues by Jacobi. Where G_p is smooth (p > 2, or away from the
 *    hyperplanes <x_i, u> = 0) this is the Hessian to O(h^2). At a kink (p <= 2 with some
 *    <x_i, u> = 0, e.g. the negative coordinates of mubar_+) the difference quotient at scale h is
 *    the jump of the one-sided slopes divided by 2h (p = 1) or of order h^(p-2) (1 < p < 2): large
 *    and of the sign of the two-sided curvature, so a strict kink maximum reads as a large negative
 *    eigenvalue, as it should. This is a finite-scale statement: "at scale h", documented in the
 *    result.
 *    Central differences cannot see a kink that is flat on one side and curved on the other (at p = 2
 *    the end points of the flow sit on the boundary of the flat orthant, where G_2 is flat one way and
 *    curved the other): the average reads as strict curvature. So the test adds one-sided curvatures
 *    along +-b_j for every basis vector and along as many random tangent directions:
 *    kappa(v) = 2 [G(exp_u(t v)) - G(u)] / t^2 on the geodesic, Richardson-extrapolated from t = h
 *    and h/2 (cancels the O(t) third-order term where G is smooth; at a kink where G changes
 *    linearly it keeps the sign of that change, with size ~ 1/h).
 *    Tolerance: tol = degTol * p^2 * scale (scale = sum_i |y_i| ||x_i||^p bounds |G|, so p^2 * scale
 *    bounds the Hessian). Saddle: Hessian eigenvalues or one-sided curvatures beyond tol of both
 *    signs (decisive even if others are ~0). Degenerate: otherwise, some eigenvalue or one-sided
 *    curvature within tol of 0. Otherwise local max (all < -tol) or local min (all > tol).
 *    At a kink (kappa(+b_j) and kappa(-b_j) differ beyond tol for some j) the central Hessian only
 *    averages the two sides and is reported but not used: the one-sided curvatures decide alone.
 * 2. Perturbation return, which is what "attracting" means for the flow and the only meaningful
 *    notion at p = 1 where G_1 is piecewise linear: move u by `radius` radians along random tangent
 *    directions, re-run the flow with the same sign, and call a trial returned when the end point is
 *    within `returnFraction * radius` of u. Attracting = every trial returned.
 */
import type { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';
import { sphereFlow, type FlowOptions } from './flow.ts';
import { symmetricEigenvalues, tangentBasis } from './linalg.ts';
import type { SphereObjective } from './objective.ts';

export type CriticalKind = 'local max' | 'local min' | 'saddle' | 'degenerate';

export interface HessianOptions {
  /**
   * Finite-difference step in radians. Default 1e-3: flow end points approach kinks only to within
   * delta ~ gradTol * scale / |G| (~1e-8), and a one-sided curvature across such a kink carries a
   * spurious ~ 8 N delta / h, which must stay below the tolerance.
   */
  h?: number;
  /**
   * Degeneracy tolerance relative to p^2 * scale. Default 1e-4 (the curvatures at the paper's strict
   * extremal vectors are O(p |G| / K) and above, 1e-2 or more relative, for |p - 2| >= 0.05).
   */
  degTol?: number;
  /** Tangent dimension (default dim - 1: the full tangent space; below that a random subspace). */
  tangentDim?: number;
  /** Needed when tangentDim < dim - 1. */
  rng?: Rng;
}

export interface SecondOrderResult {
  kind: CriticalKind;
  /** True when the end point is at a kink of G (one-sided curvatures differ): decided by them alone. */
  kink: boolean;
  /** max_j |kappa(+b_j) - kappa(-b_j)|. */
  asymmetry: number;
  /** Eigenvalues of the Riemannian Hessian on the tested tangent subspace, ascending. */
  eigenvalues: number[];
  /** The absolute tolerance used for "zero". */
  tolerance: number;
  /** Counts of eigenvalues below -tol, within tol, above tol. */
  negative: number;
  zero: number;
  positive: number;
  /** Counts of one-sided directional curvatures below -tol, within tol, above tol. */
  oneSided: { negative: number; zero: number; positive: number; min: number; max: number };
  h: number;
  tangentDim: number;
}

/** Riemannian Hessian of G at unit u on the tangent basis B (m x d rows), by central differences. */
export function riemannianHessianFD(obj: SphereObjective, u: Float64Array, B: Float64Array, m: number, h: number): Float64Array {
  const d = obj.dim;
  const H = new Float64Array(m * m);
  const x = new Float64Array(d);
  const g = new Float64Array(d);
  const plus = new Float64Array(m);
  const minus = new Float64Array(m);
  // Gradient of the pullback at v: B (I - r r^T) grad G(r) / ||u + v||, r = (u + v)/||u + v||.
  const pullbackGrad = (j: number, t: number, out: Float64Array): void => {
    for (let i = 0; i < d; i++) x[i] = u[i] + t * B[j * d + i];
    const nx = norm2(x);
    for (let i = 0; i < d; i++) x[i] /= nx;
    obj.valueAndGrad(x, g);
    let c = 0;
    for (let i = 0; i < d; i++) c += x[i] * g[i];
    for (let i = 0; i < d; i++) g[i] = (g[i] - c * x[i]) / nx;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += B[a * d + i] * g[i];
      out[a] = s;
    }
  };
  for (let j = 0; j < m; j++) {
    pullbackGrad(j, h, plus);
    pullbackGrad(j, -h, minus);
    for (let a = 0; a < m; a++) H[a * m + j] = (plus[a] - minus[a]) / (2 * h);
  }
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const s = 0.5 * (H[a * m + b] + H[b * m + a]);
      H[a * m + b] = s;
      H[b * m + a] = s;
    }
  }
  return H;
}

/**
 * One-sided curvature of G along the geodesic from u in the unit tangent direction v (see the module
 * comment): kappa(t) = 2 (G(cos t u + sin t v) - G(u)) / t^2, Richardson-combined 2 kappa(h/2) - kappa(h).
 * No first-order term is removed: at a kink maximum the one-sided gradient is not zero, and a
 * strict local maximum at scale h is exactly "every such kappa < 0". At a smooth near-critical
 * point with residual gradient eps the slope adds ~ 6 eps / h, negligible after the flow converged.
 */
export function oneSidedCurvature(obj: SphereObjective, u: Float64Array, v: Float64Array, G0: number, h: number, x: Float64Array, g: Float64Array): number {
  const d = obj.dim;
  const at = (t: number): number => {
    const c = Math.cos(t);
    const s = Math.sin(t);
    for (let i = 0; i < d; i++) x[i] = c * u[i] + s * v[i];
    const G = obj.valueAndGrad(x, g);
    return (2 * (G - G0)) / (t * t);
  };
  return 2 * at(h / 2) - at(h);
}

/** Second-order test at a (near-)extremal unit vector u. */
export function classifySecondOrder(obj: SphereObjective, u: Float64Array, opts: HessianOptions = {}): SecondOrderResult {
  const h = requireReal('h', opts.h ?? 1e-3, { min: 0, minExclusive: true, max: 0.1 });
  const degTol = requireReal('degTol', opts.degTol ?? 1e-4, { min: 0 });
  const m = requireInt('tangentDim', opts.tangentDim ?? obj.dim - 1, 0, obj.dim - 1);
  const d = obj.dim;
  const B = tangentBasis(u, m, opts.rng);
  const H = riemannianHessianFD(obj, u, B, m, h);
  const ev = symmetricEigenvalues(H, m);
  const tol = degTol * obj.p * obj.p * obj.scale;
  let negative = 0;
  let zero = 0;
  let positive = 0;
  for (const e of ev) {
    if (e < -tol) negative++;
    else if (e > tol) positive++;
    else zero++;
  }
  // One-sided curvatures along +-b_j and along m random tangent directions (if an rng is given).
  const x = new Float64Array(d);
  const g = new Float64Array(d);
  const G0 = obj.valueAndGrad(u, g);
  const one = { negative: 0, zero: 0, positive: 0, min: Infinity, max: -Infinity };
  const v = new Float64Array(d);
  const tally = (): number => {
    const k = oneSidedCurvature(obj, u, v, G0, h, x, g);
    if (k < -tol) one.negative++;
    else if (k > tol) one.positive++;
    else one.zero++;
    one.min = Math.min(one.min, k);
    one.max = Math.max(one.max, k);
    return k;
  };
  let asymmetry = 0;
  for (let j = 0; j < m; j++) {
    const pair: number[] = [];
    for (const sgn of [1, -1]) {
      for (let i = 0; i < d; i++) v[i] = sgn * B[j * d + i];
      pair.push(tally());
    }
    asymmetry = Math.max(asymmetry, Math.abs(pair[0] - pair[1]));
  }
  if (opts.rng && m > 0) {
    const R = tangentBasis(u, 1, opts.rng);
    for (let r = 0; r < m; r++) {
      const Rr = r === 0 ? R : tangentBasis(u, 1, opts.rng);
      for (let i = 0; i < d; i++) v[i] = Rr[i];
      tally();
    }
  }
  // A kink: the curvatures along +b_j and -b_j differ beyond the tolerance (for smooth G they
  // agree to O(h^2) plus 12 |<grad_R, b_j>| / h, negligible at a converged end point). The central
  // Hessian averages the two sides there and is not evidence; the one-sided test alone decides.
  const kink = asymmetry > tol;
  let kind: CriticalKind;
  const anyNeg = one.negative > 0 || (!kink && negative > 0);
  const anyPos = one.positive > 0 || (!kink && positive > 0);
  if (anyNeg && anyPos) kind = 'saddle';
  else if (one.zero > 0 || (!kink && zero > 0)) kind = 'degenerate';
  else kind = anyPos ? 'local min' : 'local max';
  return { kind, kink, asymmetry, eigenvalues: Array.from(ev), tolerance: tol, negative, zero, positive, oneSided: one, h, tangentDim: m };
}

export interface PerturbationOptions {
  rng: Rng;
  sign: 1 | -1;
  /** Number of perturbed restarts. Default 8. */
  trials?: number;
  /**
   * Perturbation angle in radians. Default 0.05, with returnFraction 0.25: on noisy data at p = 1 the
   * flow ends at kink points only within a few 1e-3 rad of the maximum (a vertex of the piecewise-
   * linear G_1 the gradient bundle cannot pin down exactly), so the return threshold (0.0125 rad) must
   * sit above that; saddles send perturbations O(0.1..1) rad away and flat (p = 2) sets keep them at
   * ~ radius times the flat fraction of the perturbation, both far from the threshold.
   */
  radius?: number;
  /** A trial returned if its end is within returnFraction * radius of u. Default 0.25. */
  returnFraction?: number;
  flow?: Omit<FlowOptions, 'sign'>;
}

export interface PerturbationResult {
  trials: number;
  returned: number;
  /** Largest end-point angle (radians) from u over the trials. */
  maxEndAngle: number;
  radius: number;
  attracting: boolean;
  /** End points of the trials that did not return (where the flow escaped to). */
  escapes: Float64Array[];
}

/** Angle between unit vectors, accurate for small angles (2 asin(||a - b||/2)). */
export function angleBetween(a: Float64Array, b: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i] - b[i]) * (a[i] - b[i]);
  return 2 * Math.asin(Math.min(1, Math.sqrt(ss) / 2));
}

/** Perturb-and-return test of attraction under the flow with the given sign. */
export function perturbationReturn(obj: SphereObjective, u: Float64Array, opts: PerturbationOptions): PerturbationResult {
  const trials = requireInt('trials', opts.trials ?? 8, 1);
  const radius = requireReal('radius', opts.radius ?? 0.05, { min: 0, minExclusive: true, max: 1 });
  const frac = requireReal('returnFraction', opts.returnFraction ?? 0.25, { min: 0, minExclusive: true, max: 1 });
  const d = obj.dim;
  const dir = new Float64Array(d);
  const start = new Float64Array(d);
  let returned = 0;
  let maxEndAngle = 0;
  const escapes: Float64Array[] = [];
  for (let t = 0; t < trials; t++) {
    opts.rng.fillNormal(dir);
    let c = 0;
    for (let i = 0; i < d; i++) c += dir[i] * u[i];
    for (let i = 0; i < d; i++) dir[i] -= c * u[i];
    const nd = norm2(dir);
    for (let i = 0; i < d; i++) start[i] = Math.cos(radius) * u[i] + (Math.sin(radius) * dir[i]) / nd;
    const end = sphereFlow(obj, start, { ...opts.flow, sign: opts.sign });
    const ang = angleBetween(end.u, u);
    maxEndAngle = Math.max(maxEndAngle, ang);
    if (ang <= frac * radius) returned++;
    else escapes.push(end.u);
  }
  return { trials, returned, maxEndAngle, radius, attracting: returned === trials, escapes };
}
