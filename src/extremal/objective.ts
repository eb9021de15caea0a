/**
 * The alignment-phase objective G_p and the extremal-vector field x^(p) of PAPER.md s.4.
 *
 *   x^(p)(w) = sum_i y_i relu(<x_i, w/||w||>)^(p-1) x_i     (p = 1: sum over i with <x_i, w> > 0)
 *   G_p(u)   = sum_i y_i relu(<x_i, u>)^p
 *
 * G_p is positively p-homogeneous, and its Euclidean gradient at a unit u is p x^(p)(u); the
 * direction dynamics of a neuron with sign s = sign(v_j) during the alignment phase is therefore
 * d u/dt ~ g(0) s p P_u x^(p)(u), Riemannian ascent (s = +1) or descent (s = -1) of G_p on the sphere.
 *
 * Noise-free clusters (N points at each centre mu_k) reduce exactly to K coordinates
 * c_k = <u, mu_k>: every <x_i, u> equals some c_k, so
 *   G_p(u) = N (sum_{k <= K1} relu(c_k)^p - sum_{k > K1} relu(c_k)^p),
 * which is `dataObjective` on the K "points" e_1..e_K with weights +-N. Why nothing is lost by
 * working in the span M = span{mu_k} [derived]: write u = M^T c + w with w orthogonal to M. The
 * gradient M^T grad_c G lies in M, so the sphere flow splits into dc/dt = s (grad_c G - p G c)
 * and dw/dt = -s p G(c) w. Extremal vectors with G != 0 satisfy grad G = p G u, hence u lies in M;
 * the Riemannian Hessian at such u is the K-dim tangent Hessian plus -p G on the D - K directions
 * orthogonal to M, which is negative for G > 0 (ascent) and positive for G < 0 (descent): the
 * out-of-span directions are always contracting at the points that can attract, so the K-dim
 * classification is complete for them. (Extremal vectors with G = 0 and grad G = 0, e.g. a neuron
 * with no active point, exist off the span; they are flat, never strict, and are reported as such.)
 */
import { ConfigError, requireFiniteArray, requireInt, requireReal } from '../validate.ts';

/** A p-homogeneous objective on R^dim, restricted by the callers to the unit sphere. */
export interface SphereObjective {
  readonly dim: number;
  readonly p: number;
  /**
   * Size of the problem: an upper bound of |G| on the unit sphere (sum_i |y_i| ||x_i||^p). Gradients
   * are bounded by p * scale and Riemannian Hessians by about p^2 * scale, so every tolerance is
   * expressed relative to it.
   */
  readonly scale: number;
  /** G(u), writing the Euclidean gradient into g (u of any norm, no allocation). */
  valueAndGrad(u: Float64Array, g: Float64Array): number;
}

/** relu(s)^e with the conventions of PAPER.md s.3: relu^0(s) = 1{s > 0}. */
function reluPow(s: number, e: number): number {
  if (!(s > 0)) return 0;
  if (e === 0) return 1;
  if (e === 1) return s;
  if (e === 2) return s * s;
  if (e === 3) return s * s * s;
  return Math.pow(s, e);
}

/** G_p and grad G_p of a data set: X is n x D row-major, y the labels (+-1) or real weights. */
export class DataObjective implements SphereObjective {
  readonly dim: number;
  readonly p: number;
  readonly scale: number;
  readonly n: number;
  readonly X: Float64Array;
  readonly y: Float64Array;

  constructor(X: Float64Array, y: Float64Array, p: number, D = X.length / Math.max(1, y.length)) {
    this.p = requireReal('p', p, { min: 1 });
    this.n = requireInt('n', y.length, 1);
    this.dim = requireInt('D', D, 1);
    if (X.length !== this.n * this.dim) throw new ConfigError('X.length', X.length, `n * D = ${this.n * this.dim}`);
    requireFiniteArray('X', X);
    requireFiniteArray('y', y);
    this.X = X;
    this.y = y;
    let scale = 0;
    for (let i = 0; i < this.n; i++) {
      let ss = 0;
      for (let j = 0; j < D; j++) ss += X[i * D + j] * X[i * D + j];
      scale += Math.abs(y[i]) * Math.pow(Math.sqrt(ss), p);
    }
    this.scale = scale;
  }

  valueAndGrad(u: Float64Array, g: Float64Array): number {
    const { X, y, n, dim: D, p } = this;
    g.fill(0);
    let G = 0;
    for (let i = 0; i < n; i++) {
      const row = i * D;
      let s = 0;
      for (let j = 0; j < D; j++) s += X[row + j] * u[j];
      if (!(s > 0)) continue;
      G += y[i] * reluPow(s, p);
      const coef = y[i] * p * reluPow(s, p - 1);
      for (let j = 0; j < D; j++) g[j] += coef * X[row + j];
    }
    return G;
  }
}

/** G_p(u) on a data set. */
export function gp(X: Float64Array, y: Float64Array, u: Float64Array, p: number): number {
  return new DataObjective(X, y, p, u.length).valueAndGrad(u, new Float64Array(u.length));
}

/**
 * The extremal-vector field x^(p)(w) = sum_i y_i relu(<x_i, w/||w||>)^(p-1) x_i (PAPER.md s.4),
 * computed as grad G_p(w/||w||) / p.
 */
export function extremalField(X: Float64Array, y: Float64Array, w: Float64Array, p: number, out = new Float64Array(w.length)): Float64Array {
  let nn = 0;
  for (let i = 0; i < w.length; i++) nn += w[i] * w[i];
  const norm = Math.sqrt(nn);
  if (!(norm > 0)) throw new ConfigError('w', 'zero vector', 'a nonzero vector');
  const u = Float64Array.from(w, (x) => x / norm);
  new DataObjective(X, y, p, w.length).valueAndGrad(u, out);
  for (let i = 0; i < out.length; i++) out[i] /= p;
  return out;
}

export interface ClusterObjectiveParams {
  K: number;
  K1: number;
  p: number;
  /** Points per cluster (default 1: G is then the per-cluster-normalised objective). */
  N?: number;
}

/**
 * Noise-free clusters in the reduced coordinates c_k = <u, mu_k> (see the module comment):
 * G_p(c) = N (sum_{k < K1} relu(c_k)^p - sum_{k >= K1} relu(c_k)^p) with 0-based k.
 */
export function clusterObjective(params: ClusterObjectiveParams): DataObjective {
  const K = requireInt('K', params.K, 2);
  const K1 = requireInt('K1', params.K1, 1, K - 1);
  const N = requireReal('N', params.N ?? 1, { min: 0, minExclusive: true });
  const X = new Float64Array(K * K);
  const y = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    X[k * K + k] = 1;
    y[k] = k < K1 ? N : -N;
  }
  return new DataObjective(X, y, params.p, K);
}

/**
 * An objective seen through an orthonormal basis Q (r x D rows): H(z) = G(Q^T z). Used to run the
 * flow in the span of a data set (exact for the attracting points by the argument in the module
 * comment, with M replaced by the data span) or in the K-dim centre coordinates of a frame.
 */
export class SubspaceObjective implements SphereObjective {
  readonly dim: number;
  readonly p: number;
  readonly scale: number;
  private readonly x: Float64Array;
  private readonly gx: Float64Array;

  constructor(readonly inner: SphereObjective, readonly basis: Float64Array, rank: number) {
    this.dim = requireInt('rank', rank, 1, inner.dim);
    if (basis.length !== rank * inner.dim) throw new ConfigError('basis.length', basis.length, `rank * D = ${rank * inner.dim}`);
    this.p = inner.p;
    this.scale = inner.scale;
    this.x = new Float64Array(inner.dim);
    this.gx = new Float64Array(inner.dim);
  }

  /** Q^T z in R^D. */
  lift(z: Float64Array, out: Float64Array = new Float64Array(this.inner.dim)): Float64Array {
    const D = this.inner.dim;
    out.fill(0);
    for (let r = 0; r < this.dim; r++) {
      const c = z[r];
      if (c !== 0) for (let j = 0; j < D; j++) out[j] += c * this.basis[r * D + j];
    }
    return out;
  }

  valueAndGrad(z: Float64Array, g: Float64Array): number {
    const D = this.inner.dim;
    this.lift(z, this.x);
    const v = this.inner.valueAndGrad(this.x, this.gx);
    for (let r = 0; r < this.dim; r++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += this.basis[r * D + j] * this.gx[j];
      g[r] = s;
    }
    return v;
  }
}
