/**
 * Per-neuron summaries used to read a trained net (PAPER.md s.3, s.4, s.8): norms, the conserved
 * quantities v_j^2 - ||w_j||^2, contributions |v_j| ||w_j|| (each unit's scale, since a unit is
 * 1-homogeneous in w_j and linear in v_j), unit directions and the stable rank of W.
 */
import { norm2 } from '../random/sampling.ts';
import { checkNet } from './create.ts';
import type { PReluNet } from './types.ts';

/** ||w_j|| for every unit. */
export function neuronNorms(net: PReluNet): Float64Array {
  checkNet(net);
  const out = new Float64Array(net.h);
  for (let j = 0; j < net.h; j++) out[j] = norm2(net.W, j * net.D, net.D);
  return out;
}

/** v_j^2 - ||w_j||^2 for every unit (conserved by gradient flow, PAPER.md s.3). */
export function balanceGaps(net: PReluNet): Float64Array {
  const nrm = neuronNorms(net);
  for (let j = 0; j < net.h; j++) nrm[j] = (net.v[j] - nrm[j]) * (net.v[j] + nrm[j]);
  return nrm;
}

/** |v_j| ||w_j||: the scale of unit j's output. */
export function contributions(net: PReluNet): Float64Array {
  const nrm = neuronNorms(net);
  for (let j = 0; j < net.h; j++) nrm[j] *= Math.abs(net.v[j]);
  return nrm;
}

/** Unit directions w_j/||w_j|| as an h x D row-major matrix (zero rows stay zero). */
export function neuronDirections(net: PReluNet): Float64Array {
  const nrm = neuronNorms(net);
  const out = net.W.slice();
  for (let j = 0; j < net.h; j++) {
    if (nrm[j] === 0) continue;
    for (let k = 0; k < net.D; k++) out[j * net.D + k] /= nrm[j];
  }
  return out;
}

/**
 * Stable rank ||A||_F^2 / ||A||_2^2 of an r x c row-major matrix (in [1, rank]); 0 for A = 0.
 * ||A||_2^2 is the top eigenvalue of the smaller Gram matrix, by power iteration to relative 1e-12
 * from a deterministic start (all-ones, perturbed), so no Rng is needed.
 */
export function stableRank(A: Float64Array, r: number, c: number): number {
  const byRows = r <= c;
  const m = byRows ? r : c;
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let bb = a; bb < m; bb++) {
      let s = 0;
      if (byRows) for (let k = 0; k < c; k++) s += A[a * c + k] * A[bb * c + k];
      else for (let k = 0; k < r; k++) s += A[k * c + a] * A[k * c + bb];
      G[a * m + bb] = s;
      G[bb * m + a] = s;
    }
  }
  let fro = 0;
  for (let a = 0; a < m; a++) fro += G[a * m + a];
  if (fro === 0) return 0;
  let x = new Float64Array(m);
  let y = new Float64Array(m);
  for (let a = 0; a < m; a++) x[a] = 1 + a / (7 * m);
  let lambda = 0;
  for (let it = 0; it < 10000; it++) {
    let nx = 0;
    for (let a = 0; a < m; a++) nx += x[a] * x[a];
    nx = Math.sqrt(nx);
    for (let a = 0; a < m; a++) x[a] /= nx;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let bb = 0; bb < m; bb++) s += G[a * m + bb] * x[bb];
      y[a] = s;
    }
    let next = 0;
    for (let a = 0; a < m; a++) next += x[a] * y[a];
    const done = Math.abs(next - lambda) <= 1e-12 * next;
    lambda = next;
    [x, y] = [y, x];
    if (done) break;
  }
  return fro / lambda;
}

/** Stable rank of the first-layer weights W (h x D). */
export function weightStableRank(net: PReluNet): number {
  checkNet(net);
  return stableRank(net.W, net.h, net.D);
}
