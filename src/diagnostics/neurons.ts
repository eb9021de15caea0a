/**
 * Per-neuron diagnostics of a pReLU net (PAPER.md sections 3 and 4): norms, the conserved
 * balances v_j^2 - ||w_j||^2, contributions |v_j| ||w_j||, cosines of the neurons against
 * reference directions (mubar_+, mubar_-, mu_1..mu_K) and the stable rank of W.
 */
import type { PReluNet } from '../network/types.ts';
import type { OrthonormalMixture } from '../data/mixture.ts';
import { ConfigError } from '../validate.ts';

/** ||w_j|| for every neuron (Math.hypot-free scaled sum so 1e-160 weights do not underflow). */
export function neuronNorms(net: PReluNet, out = new Float64Array(net.h)): Float64Array {
  const { W, h, D } = net;
  for (let j = 0; j < h; j++) {
    let m = 0;
    for (let k = 0; k < D; k++) m = Math.max(m, Math.abs(W[j * D + k]));
    if (m === 0) {
      out[j] = 0;
      continue;
    }
    let s = 0;
    const inv = 1 / m;
    for (let k = 0; k < D; k++) {
      const a = W[j * D + k] * inv;
      s += a * a;
    }
    out[j] = m * Math.sqrt(s);
  }
  return out;
}

/** v_j^2 - ||w_j||^2, conserved by gradient flow for every j (PAPER.md section 3). */
export function balances(net: PReluNet, out = new Float64Array(net.h)): Float64Array {
  const { W, v, h, D } = net;
  for (let j = 0; j < h; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += W[j * D + k] * W[j * D + k];
    out[j] = v[j] * v[j] - s;
  }
  return out;
}

/**
 * The conservation residual max_j |(v_j^2 - ||w_j||^2) - initial_j| and its value relative to the
 * largest neuron norm squared max_j (v_j^2 + ||w_j||^2) (the scale the 1e-8 criterion uses).
 */
export function conservationResidual(net: PReluNet, initial: Float64Array): { absolute: number; relative: number } {
  if (initial.length !== net.h) throw new ConfigError('initial balances', `length ${initial.length}`, `length h = ${net.h}`);
  const { W, v, h, D } = net;
  let worst = 0;
  let scale = 0;
  for (let j = 0; j < h; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += W[j * D + k] * W[j * D + k];
    worst = Math.max(worst, Math.abs(v[j] * v[j] - s - initial[j]));
    scale = Math.max(scale, v[j] * v[j] + s);
  }
  return { absolute: worst, relative: scale > 0 ? worst / scale : worst };
}

/** |v_j| ||w_j||: the neuron's weight in f (for p = 1 exactly its output scale on unit inputs). */
export function contributions(net: PReluNet, out = new Float64Array(net.h)): Float64Array {
  neuronNorms(net, out);
  for (let j = 0; j < net.h; j++) out[j] *= Math.abs(net.v[j]);
  return out;
}

/** Named reference directions, m rows of length D. */
export interface References {
  names: string[];
  R: Float64Array;
  m: number;
  D: number;
}

/** [mubar_+, mubar_-, mu_1..mu_K] of a mixture (PAPER.md section 1). */
export function mixtureReferences(mix: OrthonormalMixture): References {
  const { D, K } = mix;
  const R = new Float64Array((K + 2) * D);
  R.set(mix.classAverage(1), 0);
  R.set(mix.classAverage(-1), D);
  R.set(mix.centres, 2 * D);
  const names = ['mubar+', 'mubar-', ...Array.from({ length: K }, (_, k) => `mu${k + 1}`)];
  return { names, R, m: K + 2, D };
}

/** cos(w_j, r_k) as an h x m row-major matrix (0 for a zero neuron). */
export function cosineMatrix(net: PReluNet, refs: References, out = new Float64Array(net.h * refs.m)): Float64Array {
  const { W, h, D } = net;
  if (refs.D !== D) throw new ConfigError('references.D', refs.D, `D = ${D}`);
  const { R, m } = refs;
  const rn = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += R[k * D + i] * R[k * D + i];
    rn[k] = Math.sqrt(s);
  }
  const wn = neuronNorms(net);
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += W[j * D + i] * R[k * D + i];
      const den = wn[j] * rn[k];
      out[j * m + k] = den > 0 ? s / den : 0;
    }
  }
  return out;
}

/**
 * Stable rank ||W||_F^2 / ||W||_2^2, with ||W||_2^2 the top eigenvalue of the smaller Gram matrix
 * (W W^T or W^T W) by power iteration with a Rayleigh quotient (error ~ (l2/l1)^(2k)). W is rescaled
 * first so 1e-7 weights do not underflow.
 */
export function stableRank(W: Float64Array, h: number, D: number, iterations = 300): number {
  let mx = 0;
  for (let i = 0; i < h * D; i++) mx = Math.max(mx, Math.abs(W[i]));
  if (mx === 0) return 0;
  const inv = 1 / mx;
  const rowsFirst = h <= D;
  const m = rowsFirst ? h : D;
  const G = new Float64Array(m * m);
  let fro = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let s = 0;
      if (rowsFirst) for (let k = 0; k < D; k++) s += W[a * D + k] * W[b * D + k];
      else for (let k = 0; k < h; k++) s += W[k * D + a] * W[k * D + b];
      s *= inv * inv;
      G[a * m + b] = s;
      G[b * m + a] = s;
    }
    fro += G[a * m + a];
  }
  let x = new Float64Array(m);
  let yv = new Float64Array(m);
  for (let i = 0; i < m; i++) x[i] = 1 + 0.01 * Math.sin(i + 1);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    let nx = 0;
    for (let i = 0; i < m; i++) nx += x[i] * x[i];
    nx = Math.sqrt(nx);
    for (let i = 0; i < m; i++) x[i] /= nx;
    let rq = 0;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let b = 0; b < m; b++) s += G[a * m + b] * x[b];
      yv[a] = s;
      rq += x[a] * s;
    }
    const done = Math.abs(rq - lambda) <= 1e-14 * rq;
    lambda = rq;
    [x, yv] = [yv, x];
    if (done) break;
  }
  return lambda > 0 ? fro / lambda : 0;
}

/** Fraction of samples with y_i f(x_i) > 0 (a zero output counts as wrong). */
export function accuracyFromMargins(margins: ArrayLike<number>, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (margins[i] > 0) c++;
  return c / n;
}
