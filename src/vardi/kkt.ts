/**
 * KKT closeness of a two-layer ReLU net to the max-margin problem (PAPER.md s.6, Vardi bullet;
 * Lyu & Li 2020: GF on exp/logistic loss of a homogeneous net converges in direction to a KKT point
 * of   min ||theta||^2 / 2   s.t.   q_i(theta) = y_i f(x_i; theta) >= 1).
 *
 * KKT conditions with Clarke subgradients (f is not differentiable where <w_j, x_i> = 0):
 *   stationarity      theta = sum_i lambda_i h_i,  h_i in the Clarke subdifferential of q_i,
 *                     i.e. w_j = v_j sum_i lambda_i s_ij y_i x_i, v_j = sum_i lambda_i y_i relu(u_ij),
 *                     s_ij = 1[u_ij > 0] off the kink and s_ij in [0, 1] on it (u_ij = <w_j, x_i>);
 *   complementary     lambda_i (q_i - 1) = 0,  lambda >= 0.
 * The net is first normalised by its margin: f is 2-homogeneous in theta = (W, v), so
 * theta / sqrt(gamma) with gamma = min_i q_i has minimum margin exactly 1. The relative
 * stationarity residual min ||theta - sum lambda_i h_i|| / ||theta|| (Lyu & Li's epsilon divided by
 * ||theta~||) is invariant under that normalisation; the slackness measure is not, hence it.
 *
 * Why the kink freedom matters: at a KKT point of nearly orthogonal data, w_j is a combination of
 * the x_i, so <w_j, x_i> is ~0 for every pair with s_ij = 0 (about a third of all pairs in our
 * runs), and GF (a Filippov flow there) hovers at |cos(w_j, x_i)| ~ 1e-4..1e-3. Forcing
 * s_ij = 1[u_ij > 0] on those pairs (the fit used before) makes the residual jump between 0.2 and
 * 0.8 from one save point to the next as tiny pre-activations change sign. A pair counts as a kink
 * when |u_ij| <= kinkTol ||w_j|| ||x_i|| (the angle between w_j and the hyperplane x_i^perp is at
 * most asin(kinkTol)): the subgradient is then taken from a relative neighbourhood of w_j of radius
 * kinkTol (a Goldstein-type enlargement; kinkTol = 0 is the exact Clarke subdifferential at theta).
 * With mu_ij = lambda_i s_ij the fit is the convex cone problem of clarkeFit.ts.
 *
 * Euler's identity <theta, grad q_i> = 2 q_i (2-homogeneity) gives, at an exact KKT point,
 * ||theta||^2 = 2 sum_i lambda_i q_i; the slackness measure below is
 *   sum_i lambda_i (q_i - 1) / sum_i lambda_i q_i   in [0, 1), zero exactly at a KKT point.
 */
import type { PReluNet } from '../network/types.ts';
import { requireInt, requireReal } from '../validate.ts';
import { coneLsq, type ConeLsqProblem } from './clarkeFit.ts';
import type { LabelledData } from './data.ts';
import { nnlsGram } from './nnls.ts';

/**
 * Default kink tolerance: |cos(w_j, x_i)| <= 1e-2. Chosen before the verdicts from the observed gap
 * in the cosine distribution (pairs cluster below 1e-3, next ones above 3e-2 in the d = 400 runs);
 * the check also reports the residual at 0, 1e-3 and 1e-1.
 */
export const DEFAULT_KINK_TOL = 1e-2;

export interface KktOptions {
  kinkTol?: number;
  /** Stopping gap of the cone fit in relative-residual units (default 1e-5). */
  gapTol?: number;
  maxIter?: number;
  /** Also compute the one-sided fit s_ij = 1[u_ij > 0] (NNLS) for comparison (default true). */
  indicator?: boolean;
}

export interface KktReport {
  /** min_i y_i f(x_i) before normalisation (<= 0: not interpolating, the rest is then NaN). */
  margin: number;
  /** min ||theta - sum lambda_i h_i|| / ||theta|| with Clarke freedom on kink pairs. */
  stationarity: number;
  /** Certified lower bound on that minimum (clarkeFit.ts; NaN if the bound is unavailable). */
  stationarityLower: number;
  /** The same residual with s_ij = 1[u_ij > 0] fixed on every pair (NNLS; NaN if not computed). */
  stationarityIndicator: number;
  /** sum lambda_i (q_i - 1) / sum lambda_i q_i after normalisation (Clarke-fit lambda). */
  slackness: number;
  /** Points with lambda_i > 1e-6 max lambda (the support of the fitted dual). */
  support: number;
  /** Points with normalised margin q_i <= 1.05 (the margin points). */
  marginPoints: number;
  /** Largest normalised margin among the support (1 at an exact KKT point). */
  supportMaxMargin: number;
  /** Pairs (i, j) treated as kinks, and the total n h. */
  kinkPairs: number;
  pairs: number;
  kinkTol: number;
  fitIterations: number;
  fitConverged: boolean;
  /** Fitted duals (normalised net). */
  lambda: number[];
}

/** Pair codes. */
const INACTIVE = 0;
const ACTIVE = 1;
const KINK = 2;

/**
 * The structured Gram operator of the KKT fit. Columns of G (parameter space (W, v)):
 *   lambda_i:  w-block j: y_i v_j x_i for ACTIVE pairs;   v-entry j: y_i relu(u_ij) (all j)
 *   mu_p, p = (i, j) KINK:  w-block j: y_i v_j x_i
 * so (G z) has w-block j = v_j sum_k e_j[k] x_k with e_j[k] = y_k (lambda_k | mu_kj | 0) by code,
 * and v-entry j = S_j = sum_k y_k relu(u_kj) lambda_k. Hence, with XX the data Gram matrix,
 *   (G^T G z)_lambda_k = y_k [sum_{j ACTIVE at k} v_j^2 (XX e_j)_k + sum_j relu(u_kj) S_j],
 *   (G^T G z)_mu_(i,j) = y_i v_j^2 (XX e_j)_i,
 * which costs O(h n^2) instead of O(h D n) per product and never forms the (n + m)^2 Gram.
 */
interface Structured {
  problem: ConeLsqProblem;
  /** Kink pairs in i-major order (pair index i * h + j). */
  kinks: Int32Array;
  /** e_j for a z (h x n), for the explicit residual. */
  fillE(z: Float64Array, E: Float64Array): void;
}

function structured(n: number, h: number, y: Float64Array, XX: Float64Array, pre: Float64Array, vn: Float64Array, code: Uint8Array, thetaSq: number): Structured {
  const kinkList: number[] = [];
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) if (code[i * h + j] === KINK) kinkList.push(i * h + j);
    childStart[i + 1] = kinkList.length;
  }
  const kinks = Int32Array.from(kinkList);
  const m = kinks.length;
  // Index of pair (i, j)'s mu among the variables (or -1).
  const muIndex = new Int32Array(n * h).fill(-1);
  for (let p = 0; p < m; p++) muIndex[kinks[p]] = n + p;
  const dim = n + m;
  const c = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < h; j++) {
      const u = pre[i * h + j];
      if (code[i * h + j] === ACTIVE) s += vn[j] * u; // <w_j, y_i v_j x_i> / y_i
      if (u > 0) s += vn[j] * u; // v_j relu(u_ij)
    }
    c[i] = y[i] * s;
  }
  for (let p = 0; p < m; p++) {
    const i = Math.floor(kinks[p] / h);
    const j = kinks[p] - i * h;
    c[n + p] = y[i] * vn[j] * pre[kinks[p]];
  }
  const v2 = new Float64Array(h);
  for (let j = 0; j < h; j++) v2[j] = vn[j] * vn[j];
  const E = new Float64Array(h * n);
  const F = new Float64Array(h * n);
  const S = new Float64Array(h);
  const fillE = (z: Float64Array, Eo: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        const t = i * h + j;
        const cd = code[t];
        Eo[j * n + i] = cd === ACTIVE ? y[i] * z[i] : cd === KINK ? y[i] * z[muIndex[t]] : 0;
      }
    }
  };
  const apply = (z: Float64Array, out: Float64Array): void => {
    fillE(z, E);
    for (let j = 0; j < h; j++) {
      const Fj = j * n;
      // F_j = XX e_j as row dot products (XX symmetric; contiguous reads, no read-modify-write).
      for (let i = 0; i < n; i++) {
        const row = i * n;
        let s0 = 0;
        let s1 = 0;
        let k = 0;
        for (; k + 1 < n; k += 2) {
          s0 += XX[row + k] * E[Fj + k];
          s1 += XX[row + k + 1] * E[Fj + k + 1];
        }
        if (k < n) s0 += XX[row + k] * E[Fj + k];
        F[Fj + i] = s0 + s1;
      }
      let s = 0;
      for (let k = 0; k < n; k++) {
        const u = pre[k * h + j];
        if (u > 0) s += y[k] * u * z[k];
      }
      S[j] = s;
    }
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < h; j++) {
        const t = k * h + j;
        if (code[t] === ACTIVE) s += v2[j] * F[j * n + k];
        const u = pre[t];
        if (u > 0) s += u * S[j];
      }
      out[k] = y[k] * s;
    }
    for (let p = 0; p < m; p++) {
      const i = Math.floor(kinks[p] / h);
      const j = kinks[p] - i * h;
      out[n + p] = y[i] * v2[j] * F[j * n + i];
    }
  };
  const diag = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < h; j++) {
      const t = k * h + j;
      if (code[t] === ACTIVE) s += v2[j] * XX[k * n + k];
      const u = pre[t];
      if (u > 0) s += u * u;
    }
    diag[k] = s;
  }
  for (let p = 0; p < m; p++) {
    const i = Math.floor(kinks[p] / h);
    diag[n + p] = v2[kinks[p] - i * h] * XX[i * n + i];
  }
  return { problem: { n, childStart, c, thetaSq, apply, diag }, kinks, fillE };
}

/**
 * KKT report of a bias-free-output ReLU net (p = 1, no centring, no normalisation; hidden biases
 * through an appended constant coordinate are fine: they are just another input coordinate).
 */
export function kktReport(net: PReluNet, data: LabelledData, o: KktOptions = {}): KktReport {
  if (net.p !== 1) throw new RangeError(`kktReport: ReLU nets only (p = 1), got p = ${net.p}`);
  if (net.hasBias || net.centre || net.normalise) throw new RangeError('kktReport: the net must be homogeneous (no output bias, centring or normalisation)');
  const kinkTol = o.kinkTol === undefined ? DEFAULT_KINK_TOL : requireReal('kinkTol', o.kinkTol, { min: 0, max: 1 });
  const gapTol = o.gapTol === undefined ? 1e-5 : requireReal('gapTol', o.gapTol, { min: 0 });
  const maxIter = o.maxIter === undefined ? 20000 : requireInt('maxIter', o.maxIter, 1, 1e8);
  const { D, h, W, v } = net;
  const { n, X, y } = data;
  if (data.D !== D) throw new RangeError(`kktReport: data has D = ${data.D}, net has D = ${D}`);
  // Pre-activations and margins.
  const pre = new Float64Array(n * h);
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < h; j++) {
      let t = 0;
      for (let k = 0; k < D; k++) t += W[j * D + k] * X[i * D + k];
      pre[i * h + j] = t;
      if (t > 0) f += v[j] * t;
    }
    q[i] = y[i] * f;
  }
  let gamma = Infinity;
  for (let i = 0; i < n; i++) gamma = Math.min(gamma, q[i]);
  const nanReport: KktReport = {
    margin: gamma,
    stationarity: NaN,
    stationarityLower: NaN,
    stationarityIndicator: NaN,
    slackness: NaN,
    support: 0,
    marginPoints: 0,
    supportMaxMargin: NaN,
    kinkPairs: 0,
    pairs: n * h,
    kinkTol,
    fitIterations: 0,
    fitConverged: false,
    lambda: [],
  };
  if (!(gamma > 0)) return nanReport;
  // Normalised parameters theta~ = theta / sqrt(gamma): pre~ = pre / sqrt(gamma), q~ = q / gamma.
  const s = 1 / Math.sqrt(gamma);
  const Wn = new Float64Array(h * D);
  const vn = new Float64Array(h);
  for (let t = 0; t < h * D; t++) Wn[t] = s * W[t];
  for (let j = 0; j < h; j++) vn[j] = s * v[j];
  for (let t = 0; t < n * h; t++) pre[t] *= s;
  for (let i = 0; i < n; i++) q[i] /= gamma;
  let thetaSq = 0;
  for (let t = 0; t < h * D; t++) thetaSq += Wn[t] * Wn[t];
  for (let j = 0; j < h; j++) thetaSq += vn[j] * vn[j];
  const XX = new Float64Array(n * n);
  const xn = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let t = 0;
      for (let m = 0; m < D; m++) t += X[i * D + m] * X[k * D + m];
      XX[i * n + k] = t;
      XX[k * n + i] = t;
    }
    xn[i] = Math.sqrt(XX[i * n + i]);
  }
  const wn = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let t = 0;
    for (let k = 0; k < D; k++) t += Wn[j * D + k] * Wn[j * D + k];
    wn[j] = Math.sqrt(t);
  }
  const code = new Uint8Array(n * h);
  let kinkPairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const u = pre[i * h + j];
      const cd = Math.abs(u) <= kinkTol * wn[j] * xn[i] ? KINK : u > 0 ? ACTIVE : INACTIVE;
      code[i * h + j] = cd;
      if (cd === KINK) kinkPairs++;
    }
  }
  const st = structured(n, h, y, XX, pre, vn, code, thetaSq);
  const fit = coneLsq(st.problem, { gapTol, maxIter });
  const stationarity = explicitResidual(st, fit.z, n, h, D, X, y, Wn, vn, pre, thetaSq);

  let stationarityIndicator = NaN;
  if (o.indicator !== false) {
    // s_ij = 1[u_ij > 0] on every pair: plain NNLS in lambda (exact, Lawson-Hanson) on the Gram
    // matrix assembled column by column from the same operator.
    const codeI = new Uint8Array(n * h);
    for (let t = 0; t < n * h; t++) codeI[t] = pre[t] > 0 ? ACTIVE : INACTIVE;
    const sI = structured(n, h, y, XX, pre, vn, codeI, thetaSq);
    const Q = new Float64Array(n * n);
    const e = new Float64Array(n);
    const col = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      e.fill(0);
      e[k] = 1;
      sI.problem.apply(e, col);
      for (let i = 0; i < n; i++) Q[i * n + k] = col[i];
    }
    const { lambda } = nnlsGram(Q, sI.problem.c, n);
    stationarityIndicator = explicitResidual(sI, lambda, n, h, D, X, y, Wn, vn, pre, thetaSq);
  }

  const lambda = fit.z.subarray(0, n);
  let lmax = 0;
  for (let i = 0; i < n; i++) lmax = Math.max(lmax, lambda[i]);
  let num = 0;
  let den = 0;
  let support = 0;
  let marginPoints = 0;
  let supportMaxMargin = 0;
  for (let i = 0; i < n; i++) {
    num += lambda[i] * (q[i] - 1);
    den += lambda[i] * q[i];
    if (lambda[i] > 1e-6 * lmax) {
      support++;
      supportMaxMargin = Math.max(supportMaxMargin, q[i]);
    }
    if (q[i] <= 1.05) marginPoints++;
  }
  return {
    margin: gamma,
    stationarity,
    // The explicit residual and the Gram-form one differ by rounding only; keep the bound below it.
    stationarityLower: Math.min(fit.lowerBound, stationarity),
    stationarityIndicator,
    slackness: den > 0 ? num / den : NaN,
    support,
    marginPoints,
    supportMaxMargin,
    kinkPairs,
    pairs: n * h,
    kinkTol,
    fitIterations: fit.iterations,
    fitConverged: fit.converged,
    lambda: Array.from(lambda),
  };
}

/** ||theta~ - G z|| / ||theta~|| formed explicitly in parameter space (no Gram-form cancellation). */
function explicitResidual(st: Structured, z: Float64Array, n: number, h: number, D: number, X: Float64Array, y: Float64Array, Wn: Float64Array, vn: Float64Array, pre: Float64Array, thetaSq: number): number {
  const E = new Float64Array(h * n);
  st.fillE(z, E);
  const r = new Float64Array(D);
  let rr = 0;
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < D; k++) r[k] = Wn[j * D + k];
    for (let i = 0; i < n; i++) {
      const e = E[j * n + i];
      if (e === 0) continue;
      const a = vn[j] * e;
      for (let k = 0; k < D; k++) r[k] -= a * X[i * D + k];
    }
    let rv = vn[j];
    for (let i = 0; i < n; i++) {
      const u = pre[i * h + j];
      if (u > 0) rv -= z[i] * y[i] * u;
    }
    for (let k = 0; k < D; k++) rr += r[k] * r[k];
    rr += rv * rv;
  }
  return Math.sqrt(rr / thetaSq);
}
