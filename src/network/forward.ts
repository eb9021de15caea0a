/**
 * Evaluation of f_p and its input gradient (PAPER.md s.2; conventions in activation.ts).
 *
 * Input normalisation (the authors' MNIST recipe): each unit is divided by s(x) = ||x~||^(p-1).
 * Writing x~ = ||x~|| xhat, the unit becomes ||w_j|| ||x~|| relu(<xhat, what_j>)^p, so f - b is
 * positively 1-homogeneous in x~ for every p (without it f - b is p-homogeneous in x~). With
 * centring, f(xbar + t(x - xbar)) - b = t (f(x) - b) for t > 0: normalisation turns the pReLU net
 * into a cone-shaped function like a ReLU net, keeping p only in the angular profile
 * relu(cos)^p. The tests check both homogeneity degrees.
 */
import { checkNet, checkBatch } from './create.ts';
import { kernelBackend, unitDots, wasmEngine } from './kernels.ts';
import { inverseNorms, powq, rowNorm, sampleFactor } from './activation.ts';
import { workspaceFor } from './workspace.ts';
import type { PReluNet, Workspace } from './types.ts';
import { ConfigError, requireInt } from '../validate.ts';

/**
 * f(x_i) for the n rows of X (n x D row-major) into out[0..n). Pass a workspace to avoid the two
 * length-h scratch arrays a call otherwise allocates.
 */
export function forward(net: PReluNet, X: Float64Array, n: number, out?: Float64Array, ws?: Workspace): Float64Array {
  checkNet(net);
  checkBatch(net, X, n);
  const res = out ?? new Float64Array(n);
  if (res.length < n) throw new ConfigError('out', `Float64Array(${res.length})`, `a Float64Array of length >= n = ${n}`);
  const { D, h, p, W, v, centre } = net;
  const w = ws === undefined ? null : workspaceFor(net, 1, ws);
  const u = w ? w.u : new Float64Array(2 * h);
  const invNorm = inverseNorms(W, h, D, w ? w.invNorm : new Float64Array(h));
  if (((w ? w.kernels : null) ?? kernelBackend()) === 'wasm-simd' && wasmEngine().supports(h, D)) {
    wasmEngine().forward(net, X, n, res, invNorm);
    return res;
  }
  const q = p - 1;
  const b = net.hasBias ? net.b : 0;
  for (let i0 = 0; i0 < n; i0 += 2) {
    const rows = Math.min(2, n - i0);
    unitDots(X, i0, rows, centre, W, h, D, u);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const uo = r * h;
      const invS = sampleFactor(net.normalise, p, X, i * D, D, centre);
      let f = 0;
      if (invS !== 0) {
        for (let j = 0; j < h; j++) {
          const uj = u[uo + j];
          if (uj > 0) f += v[j] * uj * powq(uj * invNorm[j], q);
        }
      }
      res[i] = f * invS + b;
    }
  }
  return res;
}

/** Margins y_i f(x_i) into out[0..n). */
export function margins(net: PReluNet, X: Float64Array, y: Float64Array, n: number, out?: Float64Array, ws?: Workspace): Float64Array {
  checkBatch(net, X, n, y);
  const m = forward(net, X, n, out, ws);
  for (let i = 0; i < n; i++) m[i] *= y[i];
  return m;
}

/**
 * f(x) and df/dx for the single input x[xOffset .. xOffset + D); the gradient goes to out[0..D).
 * No allocation: each unit's norm and dot product are computed in one fused pass.
 *   df/dx = (1/s) sum_j v_j p uhat_j^(p-1) w_j  -  [normalise] (p - 1) (f - b) x~ / ||x~||^2.
 * At a ReLU kink (u_j = 0) the unit's derivative is taken as 0 (relu'(0) = 0).
 */
export function inputGrad(net: PReluNet, x: Float64Array, out: Float64Array, xOffset = 0): number {
  checkNet(net);
  const { D, h, p, W, v, centre } = net;
  requireInt('xOffset', xOffset, 0);
  if (!(x instanceof Float64Array) || x.length < xOffset + D) {
    throw new ConfigError('x', x instanceof Float64Array ? `Float64Array(${x.length})` : x, `a Float64Array with at least xOffset + D = ${xOffset + D} entries`);
  }
  if (!(out instanceof Float64Array) || out.length < D) {
    throw new ConfigError('out', out instanceof Float64Array ? `Float64Array(${out.length})` : out, `a Float64Array of length >= D = ${D}`);
  }
  out.fill(0, 0, D);
  const b = net.hasBias ? net.b : 0;
  const invS = sampleFactor(net.normalise, p, x, xOffset, D, centre);
  if (invS === 0) return b;
  const q = p - 1;
  let f = 0;
  for (let j = 0; j < h; j++) {
    const o = j * D;
    let u = 0, ss = 0;
    if (centre === null) {
      for (let k = 0; k < D; k++) {
        const wk = W[o + k];
        u += x[xOffset + k] * wk;
        ss += wk * wk;
      }
    } else {
      for (let k = 0; k < D; k++) {
        const wk = W[o + k];
        u += (x[xOffset + k] - centre[k]) * wk;
        ss += wk * wk;
      }
    }
    if (!(u > 0)) continue;
    const nrm = ss > 1e-290 && ss < 1e290 ? Math.sqrt(ss) : rowNorm(W, o, D, null);
    const t = powq(u / nrm, q);
    f += v[j] * u * t;
    const c = v[j] * p * t * invS;
    for (let k = 0; k < D; k++) out[k] += c * W[o + k];
  }
  f *= invS;
  if (net.normalise && p !== 1) {
    const xn = rowNorm(x, xOffset, D, centre);
    const c = (-(p - 1) * f) / xn / xn;
    if (centre === null) for (let k = 0; k < D; k++) out[k] += c * x[xOffset + k];
    else for (let k = 0; k < D; k++) out[k] += c * (x[xOffset + k] - centre[k]);
  }
  return f + b;
}

/**
 * The hidden features a_ij = relu(<x~_i, w_j>)^p / (||w_j||^(p-1) s(x_i)) as an n x h row-major
 * matrix, so that f(x_i) = sum_j v_j a_ij + b. Their stable rank (neurons.ts) is the statistic the
 * authors report growing with p on MNIST (PAPER.md s.8).
 */
export function hiddenFeatures(net: PReluNet, X: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkNet(net);
  checkBatch(net, X, n);
  const { D, h, p, W, centre } = net;
  const res = out ?? new Float64Array(n * h);
  if (res.length < n * h) throw new ConfigError('out', `Float64Array(${res.length})`, `a Float64Array of length >= n*h = ${n * h}`);
  const u = new Float64Array(2 * h);
  const invNorm = inverseNorms(W, h, D, new Float64Array(h));
  for (let i0 = 0; i0 < n; i0 += 2) {
    const rows = Math.min(2, n - i0);
    unitDots(X, i0, rows, centre, W, h, D, u);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const invS = sampleFactor(net.normalise, p, X, i * D, D, centre);
      for (let j = 0; j < h; j++) {
        const uj = u[r * h + j];
        res[i * h + j] = uj > 0 && invS !== 0 ? uj * powq(uj * invNorm[j], p - 1) * invS : 0;
      }
    }
  }
  return res;
}
