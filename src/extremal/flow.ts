/**
 * The reduced alignment flow of PAPER.md s.4 on the unit sphere: d u/dt = s p P_u x^(p)(u) =
 * s P_u grad G_p(u), Riemannian ascent (s = +1, positive neurons) or descent (s = -1) of G_p.
 *
 * Scheme: retracted gradient steps u <- (u + eta s P_u grad G)/||.|| with an Armijo (sufficient
 * increase of s G) backtracking rule, eta doubled after every accepted step, each step capped at
 * `maxAngle` radians and eta capped at maxRate / (p |G(u)|). The last cap keeps the scheme faithful
 * to the continuous flow across the kinks of G_p (p <= 2): for a point with <x_i, u> < 0 the
 * Riemannian gradient moves <x_i, u> by -s p G <x_i, u> dt (from the -<grad G, u> u = -p G u part),
 * so in continuous time an inactive point approaches its hyperplane only exponentially and never
 * crosses it; a step with eta p |G| >= 1 would jump across, a purely numerical event that changes
 * which extremal vector is reached (at p = 1 it is what decides between a partial class average and
 * mubar_+). Why not an RK integrator: only the end points (the extremal vectors the flow
 * selects) matter here, not the time parametrisation, and for p = 1 G_1 is piecewise linear with a
 * discontinuous gradient, where a monotone line-search scheme cannot chatter forever: s G increases at
 * every accepted step, so the iteration either reaches a small Riemannian gradient ('converged'),
 * cannot find any increase at a step above `minAngle` ('stalled', which happens at kinks of G_1 where
 * the one-sided slopes point away from each other), or runs out of steps. It never hangs.
 *
 * Kinks (p <= 2 on noisy data): when no step along the one-sided gradient increases s G, u sits on a
 * ridge where the gradient jumps. The continuous flow then slides along the ridge with the
 * minimum-norm element of the convex hull of the gradients on both sides (Filippov's sliding mode;
 * for the concave kinks that block ascent it is the slow solution of Brezis). The scheme imitates it
 * with a small gradient bundle: the projected gradient at the nearest rejected trial point is added,
 * the minimum-norm convex combination becomes the search direction, and so on up to `maxBundle`
 * gradients (gradient sampling of Burke, Lewis and Overton in its simplest form). A minimum-norm
 * element below the tolerance certifies a (Clarke) stationary point at the sampled scale: 'converged'.
 */
import { norm2 } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';
import type { SphereObjective } from './objective.ts';

export type FlowStop = 'converged' | 'stalled' | 'max-steps' | 'non-finite';

export interface FlowOptions {
  /** +1: ascent of G_p (positive neurons), -1: descent (negative neurons). */
  sign: 1 | -1;
  /** Stop when ||P_u grad G|| <= gradTol * p * scale (relative to the problem's size). Default 1e-9. */
  gradTol?: number;
  /** Step cap. Default 20000. */
  maxSteps?: number;
  /** Largest angle (radians) of one step. Default 0.5. */
  maxAngle?: number;
  /** Give up ('stalled') when the backtracked eta * ||grad|| falls below this angle. Default 1e-14. */
  minAngle?: number;
  /** Armijo constant. Default 1e-4. */
  armijo?: number;
  /** eta <= maxRate / (p |G(u)|), see the module comment. Default 0.5. */
  maxRate?: number;
  /** Largest gradient bundle at a kink, see the module comment. Default 8. */
  maxBundle?: number;
}

export interface FlowResult {
  u: Float64Array;
  /** G_p(u) (not multiplied by the sign). */
  value: number;
  /** ||P_u grad G_p(u)|| at the end (the one-sided gradient, relu'(0) = 0). */
  gradNorm: number;
  /**
   * Norm of the minimum-norm element of the last gradient bundle (equal to gradNorm when the end
   * was reached without one): the stationarity measure at a kink.
   */
  stationarity: number;
  /** Accepted steps that needed a gradient bundle (kink sliding). */
  bundleSteps: number;
  /** The stopping tolerance in absolute units (gradTol * p * scale). */
  gradTolAbs: number;
  steps: number;
  evaluations: number;
  reason: FlowStop;
}

/** Riemannian gradient P_u g written into r; returns its norm. u must be unit. */
export function projectTangent(u: Float64Array, g: Float64Array, r: Float64Array): number {
  let c = 0;
  for (let i = 0; i < u.length; i++) c += u[i] * g[i];
  for (let i = 0; i < u.length; i++) r[i] = g[i] - c * u[i];
  return norm2(r);
}

/** Run the flow from u0 (normalised first; u0 itself is not modified). */
export function sphereFlow(obj: SphereObjective, u0: Float64Array, opts: FlowOptions): FlowResult {
  const d = obj.dim;
  const s = opts.sign;
  const gradTol = requireReal('gradTol', opts.gradTol ?? 1e-9, { min: 0 });
  const maxRate = requireReal('maxRate', opts.maxRate ?? 0.5, { min: 0, minExclusive: true, max: 1, maxExclusive: true });
  const maxSteps = requireInt('maxSteps', opts.maxSteps ?? 20000, 0);
  const maxAngle = requireReal('maxAngle', opts.maxAngle ?? 0.5, { min: 0, minExclusive: true, max: Math.PI / 2 });
  const minAngle = requireReal('minAngle', opts.minAngle ?? 1e-14, { min: 0, minExclusive: true });
  const armijo = requireReal('armijo', opts.armijo ?? 1e-4, { min: 0, max: 0.5, maxExclusive: true });
  const maxBundle = requireInt('maxBundle', opts.maxBundle ?? 8, 2);
  const tolAbs = gradTol * obj.p * obj.scale;

  const u = new Float64Array(d);
  const n0 = norm2(u0);
  for (let i = 0; i < d; i++) u[i] = u0[i] / n0;
  const g = new Float64Array(d);
  const r = new Float64Array(d);
  const trial = new Float64Array(d);
  const gTrial = new Float64Array(d);

  let value = obj.valueAndGrad(u, g);
  let evaluations = 1;
  let gradNorm = projectTangent(u, g, r);
  let stationarity = gradNorm;
  let eta = maxAngle / Math.max(gradNorm, 1e-300);
  let steps = 0;
  let bundleSteps = 0;
  const dir = new Float64Array(d);
  const bundle: Float64Array[] = [];
  const result = (reason: FlowStop): FlowResult => ({ u, value, gradNorm, stationarity, gradTolAbs: tolAbs, steps, bundleSteps, evaluations, reason });

  /**
   * Armijo line search along dir (tangent, norm dn) from u; on success moves u. On failure leaves
   * the smallest rejected trial point's projected gradient in gTrialProj (the other side of the kink
   * that blocked the step).
   */
  const gTrialProj = new Float64Array(d);
  const gScratch = new Float64Array(d);
  const search = (dn: number): boolean => {
    let step = Math.min(eta, maxAngle / dn, maxRate / (obj.p * Math.max(Math.abs(value), 1e-300)));
    let rejected = false;
    while (step * dn >= minAngle) {
      for (let i = 0; i < d; i++) trial[i] = u[i] + step * s * dir[i];
      const nt = norm2(trial);
      for (let i = 0; i < d; i++) trial[i] /= nt;
      const vt = obj.valueAndGrad(trial, gTrial);
      evaluations++;
      if (!Number.isFinite(vt)) return false;
      if (s * (vt - value) >= armijo * step * dn * dn) {
        u.set(trial);
        g.set(gTrial);
        value = vt;
        eta = 2 * step;
        return true;
      }
      // Keep the gradient of the nearest rejected trial whose gradient differs from the one at u
      // (the far side of the nearest kink); the tiniest trials fail by roundoff and carry no news.
      projectTangent(u, gTrial, gScratch);
      let diff = 0;
      for (let i = 0; i < d; i++) diff += (gScratch[i] - r[i]) * (gScratch[i] - r[i]);
      if (Math.sqrt(diff) > 1e-9 * obj.p * obj.scale) {
        gTrialProj.set(gScratch);
        rejected = true;
      }
      step *= 0.5;
    }
    if (!rejected) gTrialProj.set(r);
    return false;
  };

  if (!(n0 > 0) || !Number.isFinite(value) || !Number.isFinite(gradNorm)) return result('non-finite');
  while (true) {
    if (gradNorm <= tolAbs) return result('converged');
    if (steps >= maxSteps) return result('max-steps');
    dir.set(r);
    let moved = search(gradNorm);
    if (!moved) {
      // The step may have been limited by a small eta inherited from zigzagging across kinks:
      // retry once from the largest allowed step.
      eta = Infinity;
      moved = search(gradNorm);
    }
    if (!moved) {
      // Non-smooth point (a kink of G_p for p <= 2) or roundoff: gradient bundle, see the module comment.
      if (!Number.isFinite(value)) return result('non-finite');
      bundle.length = 0;
      bundle.push(Float64Array.from(r));
      while (!moved && bundle.length < maxBundle) {
        bundle.push(Float64Array.from(gTrialProj));
        stationarity = minNormConvex(bundle, dir);
        if (stationarity <= tolAbs) return result('converged');
        eta = Infinity;
        moved = search(stationarity);
        if (moved) bundleSteps++;
      }
      if (!moved) return result('stalled');
    }
    steps++;
    gradNorm = projectTangent(u, g, r);
    stationarity = gradNorm;
    if (!Number.isFinite(gradNorm)) return result('non-finite');
  }
}

/**
 * Minimum-norm element of the convex hull of the vectors (written to out; returns its norm), by
 * pairwise Frank-Wolfe with exact line search on the Gram matrix (linear convergence on a simplex,
 * unlike plain Frank-Wolfe which zigzags; bundles hold a handful of vectors).
 */
export function minNormConvex(vs: Float64Array[], out: Float64Array, iterations = 2000): number {
  const m = vs.length;
  const d = out.length;
  const Q = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += vs[a][i] * vs[b][i];
      Q[a * m + b] = t;
      Q[b * m + a] = t;
    }
  }
  let start = 0;
  for (let a = 1; a < m; a++) if (Q[a * m + a] < Q[start * m + start]) start = a;
  const lam = new Float64Array(m);
  lam[start] = 1;
  const Ql = new Float64Array(m);
  for (let it = 0; it < iterations; it++) {
    for (let a = 0; a < m; a++) {
      let t = 0;
      for (let b = 0; b < m; b++) t += Q[a * m + b] * lam[b];
      Ql[a] = t;
    }
    let to = 0;
    for (let a = 1; a < m; a++) if (Ql[a] < Ql[to]) to = a;
    let away = -1;
    for (let a = 0; a < m; a++) if (lam[a] > 0 && (away < 0 || Ql[a] > Ql[away])) away = a;
    const slope = Ql[away] - Ql[to];
    const curv = Q[to * m + to] - 2 * Q[to * m + away] + Q[away * m + away];
    if (!(slope > 1e-15 * Math.max(Ql[away], 1e-300)) || !(curv > 0)) break;
    const gamma = Math.min(lam[away], slope / curv);
    lam[to] += gamma;
    lam[away] -= gamma;
  }
  out.fill(0);
  for (let a = 0; a < m; a++) for (let i = 0; i < d; i++) out[i] += lam[a] * vs[a][i];
  return norm2(out);
}
