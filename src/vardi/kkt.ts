/**
 * KKT closeness of a two-layer ReLU net to the max-margin problem (PAPER.md s.6, Vardi bullet;
 * Lyu & Li 2020: GF on exp/logistic loss of a homogeneous net converges in direction to a KKT point
 * of   min ||theta||^2 / 2   s.t.   q_i(theta) = y_i f(x_i; theta) >= 1).
 *
 * KKT conditions (Clarke gradients; for ReLU we take 1[<w_j, x_i> > 0], the subgradient GF follows):
 *   stationarity      theta = sum_i lambda_i grad q_i(theta),  lambda >= 0,
 *   complementary     lambda_i (q_i - 1) = 0.
 * The net is first normalised by its margin: f is 2-homogeneous in theta = (W, v), so
 * theta / sqrt(gamma) with gamma = min_i q_i has minimum margin exactly 1. lambda is then fitted by
 * non-negative least squares (nnls.ts); the relative stationarity residual
 * ||theta - sum lambda_i grad q_i|| / ||theta|| is invariant under the normalisation (grad q_i is
 * 1-homogeneous), the slackness measure is not, which is why we normalise.
 *
 * Euler's identity <theta, grad q_i> = 2 q_i (2-homogeneity) gives, at an exact KKT point,
 * ||theta||^2 = 2 sum_i lambda_i q_i; the slackness measure below is
 *   sum_i lambda_i (q_i - 1) / sum_i lambda_i q_i   in [0, 1), zero exactly at a KKT point.
 */
import type { PReluNet } from '../network/types.ts';
import type { LabelledData } from './data.ts';
import { nnlsGram } from './nnls.ts';

export interface KktReport {
  /** min_i y_i f(x_i) before normalisation (<= 0: not interpolating, the rest is then NaN). */
  margin: number;
  /** ||theta - sum lambda_i grad q_i|| / ||theta|| at the fitted lambda. */
  stationarity: number;
  /** sum lambda_i (q_i - 1) / sum lambda_i q_i after normalisation. */
  slackness: number;
  /** Points with lambda_i > 1e-6 max lambda (the support of the fitted dual). */
  support: number;
  /** Points with normalised margin q_i <= 1.05 (the margin points). */
  marginPoints: number;
  /** Largest normalised margin among the support (1 at an exact KKT point). */
  supportMaxMargin: number;
  /** Fitted duals (normalised net). */
  lambda: number[];
}

/**
 * KKT report of a bias-free-output ReLU net (p = 1, no centring, no normalisation; hidden biases
 * through an appended constant coordinate are fine: they are just another input coordinate).
 */
export function kktReport(net: PReluNet, data: LabelledData): KktReport {
  if (net.p !== 1) throw new RangeError(`kktReport: ReLU nets only (p = 1), got p = ${net.p}`);
  if (net.hasBias || net.centre || net.normalise) throw new RangeError('kktReport: the net must be homogeneous (no output bias, centring or normalisation)');
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
  const nanReport: KktReport = { margin: gamma, stationarity: NaN, slackness: NaN, support: 0, marginPoints: 0, supportMaxMargin: NaN, lambda: [] };
  if (!(gamma > 0)) return nanReport;
  // Normalised parameters theta~ = theta / sqrt(gamma): pre~ = pre / sqrt(gamma), q~ = q / gamma.
  const s = 1 / Math.sqrt(gamma);
  const Wn = new Float64Array(h * D);
  const vn = new Float64Array(h);
  for (let t = 0; t < h * D; t++) Wn[t] = s * W[t];
  for (let j = 0; j < h; j++) vn[j] = s * v[j];
  for (let t = 0; t < n * h; t++) pre[t] *= s;
  for (let i = 0; i < n; i++) q[i] /= gamma;
  // grad q_i: d/dw_j = y_i v_j 1[pre_ij > 0] x_i,  d/dv_j = y_i relu(pre_ij).
  // Gram Q_ik = y_i y_k (<x_i, x_k> sum_j v_j^2 a_ij a_kj + sum_j relu_ij relu_kj); c_i = <theta, grad q_i>.
  const XX = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let t = 0;
      for (let m = 0; m < D; m++) t += X[i * D + m] * X[k * D + m];
      XX[i * n + k] = t;
      XX[k * n + i] = t;
    }
  }
  const Q = new Float64Array(n * n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ci = 0;
    for (let j = 0; j < h; j++) {
      const a = pre[i * h + j];
      if (a > 0) ci += vn[j] * a + a * vn[j]; // <w_j, v_j x_i> + v_j relu(<w_j, x_i>) (= 2 q_i by Euler)
    }
    c[i] = y[i] * ci;
    for (let k = i; k < n; k++) {
      let A = 0;
      let B = 0;
      for (let j = 0; j < h; j++) {
        const a = pre[i * h + j];
        const b = pre[k * h + j];
        if (a > 0 && b > 0) {
          A += vn[j] * vn[j];
          B += a * b;
        }
      }
      const val = y[i] * y[k] * (XX[i * n + k] * A + B);
      Q[i * n + k] = val;
      Q[k * n + i] = val;
    }
  }
  const { lambda } = nnlsGram(Q, c, n);
  // Explicit residual r = theta~ - sum_i lambda_i grad q_i (no cancellation in ||.||^2 differences).
  const rW = Wn.slice();
  const rv = vn.slice();
  for (let i = 0; i < n; i++) {
    const li = lambda[i];
    if (li === 0) continue;
    for (let j = 0; j < h; j++) {
      const a = pre[i * h + j];
      if (!(a > 0)) continue;
      const gw = li * y[i] * vn[j];
      for (let m = 0; m < D; m++) rW[j * D + m] -= gw * X[i * D + m];
      rv[j] -= li * y[i] * a;
    }
  }
  let rr = 0;
  let tt = 0;
  for (let t = 0; t < h * D; t++) {
    rr += rW[t] * rW[t];
    tt += Wn[t] * Wn[t];
  }
  for (let j = 0; j < h; j++) {
    rr += rv[j] * rv[j];
    tt += vn[j] * vn[j];
  }
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
    stationarity: Math.sqrt(rr / tt),
    slackness: den > 0 ? num / den : NaN,
    support,
    marginPoints,
    supportMaxMargin,
    lambda: Array.from(lambda),
  };
}
