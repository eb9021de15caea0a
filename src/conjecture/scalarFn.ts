/**
 * Scalar functions with gradients, the input of dist(f, F) (PAPER.md s.7), and the subspace
 * reduction that makes its sup over the sphere cheap.
 *
 * `ScalarFn` is structurally the `valueAndGrad` half of src/robustness/model.ts's ScalarModel and of
 * src/classifiers' DifferentiableClassifier, so trained nets and the limits F, F^(p) pass as they are.
 */
import type { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import { ConfigError, requireInt, requireReal } from '../validate.ts';

export interface ScalarFn {
  readonly dim: number;
  /** Writes grad f(x) into g (length dim) and returns f(x). */
  valueAndGrad(x: Float64Array, g: Float64Array): number;
}

/**
 * The subspace V (orthonormal rows of `basis`, rank x D) that contains everything f and F depend on,
 * and their common degree of positive homogeneity.
 *
 * Why the sup may be taken on the unit sphere of V [derived]: if f and F depend on x only through
 * P_V x and are both positively homogeneous of the same degree k > 0 (f_p and F^(p) are p-homogeneous;
 * a two-layer net sees only span{w_j}, F^(p) only span{mu_k}), then h = c f - F satisfies, for
 * ||x|| = 1 with P_V x = t v (v unit in V, 0 <= t <= 1), |h(x)| = |h(t v)| = t^k |h(v)| <= |h(v)|.
 * So sup_{||x|| = 1} |h| = sup_{v in V, ||v|| = 1} |h(v)|. With unequal degrees h is not homogeneous
 * and the reduction fails (|a t - b t^3| can peak at t < 1), hence the degree check below.
 */
export interface SubspaceSpec {
  basis: Float64Array;
  rank: number;
  /** Common homogeneity degree of f and F (> 0). */
  degree: number;
}

/** g(z) = fn(Q^T z) on R^rank, gradient Q grad fn. */
export function restrictToSubspace(fn: ScalarFn, basis: Float64Array, rank: number): ScalarFn & { lift(z: Float64Array, out?: Float64Array): Float64Array } {
  const D = fn.dim;
  requireInt('rank', rank, 1, D);
  if (basis.length !== rank * D) throw new ConfigError('subspace.basis.length', basis.length, `rank * D = ${rank * D}`);
  const x = new Float64Array(D);
  const gx = new Float64Array(D);
  const lift = (z: Float64Array, out: Float64Array = new Float64Array(D)): Float64Array => {
    out.fill(0);
    for (let r = 0; r < rank; r++) {
      const c = z[r];
      if (c !== 0) for (let j = 0; j < D; j++) out[j] += c * basis[r * D + j];
    }
    return out;
  };
  return {
    dim: rank,
    lift,
    valueAndGrad(z, g) {
      lift(z, x);
      const v = fn.valueAndGrad(x, gx);
      for (let r = 0; r < rank; r++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += basis[r * D + j] * gx[j];
        g[r] = s;
      }
      return v;
    },
  };
}

/**
 * Largest relative violation of fn(t x) = t^degree fn(x) over random x on the sphere and
 * t in {0.5, 2}: a cheap numerical check of positive homogeneity.
 */
export function homogeneityError(fn: ScalarFn, degree: number, rng: Rng, trials = 8): number {
  requireReal('degree', degree, { min: 0, minExclusive: true });
  const d = fn.dim;
  const x = new Float64Array(d);
  const y = new Float64Array(d);
  const g = new Float64Array(d);
  let worst = 0;
  for (let t = 0; t < trials; t++) {
    rng.fillNormal(x);
    const n = norm2(x);
    for (let i = 0; i < d; i++) x[i] /= n;
    const f1 = fn.valueAndGrad(x, g);
    for (const s of [0.5, 2]) {
      for (let i = 0; i < d; i++) y[i] = s * x[i];
      const fs = fn.valueAndGrad(y, g);
      const expect = Math.pow(s, degree) * f1;
      worst = Math.max(worst, Math.abs(fs - expect) / Math.max(Math.abs(expect), Math.abs(fs), 1e-300));
    }
  }
  return worst;
}
