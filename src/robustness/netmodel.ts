/**
 * Trained pReLU nets (src/network, PAPER.md s.2) as attack models, and the reduction of an l2
 * attack to the row span of W (PAPER.md s.5 Reduction).
 *
 * Reduction: f(x + d) depends on d only through <d, w_j>, so only d's part in span{w_j} matters and
 * the orthogonal part wastes budget. With Q (m x D) an orthonormal basis of the row span and
 * x~ = x - centre = Q^T a + r_perp (r_perp orthogonal to every w_j), <x~ + d, w_j> = <a + Q d, Q w_j>:
 * the net is the m-dimensional net W' = W Q^T evaluated at a + z, z = Q d, ||z|| <= ||d||. Minimal
 * l2 attacks (and the certified bound) are therefore the same in the reduced net, which has
 * m = rank(W) <= min(h, D) inputs. Input normalisation reads ||x~|| including r_perp, so nets with
 * `normalise` are not reduced.
 */
import { freezeNet } from '../network/frozen.ts';
import type { PReluNet } from '../network/types.ts';
import type { ScalarModel } from './model.ts';
import { ConfigError } from '../validate.ts';

/**
 * A PReluNet as a ScalarModel (allocation-free per call), through a frozen snapshot (frozen.ts): unit
 * norms computed once, blocked dots, and no gradient work when only the value is asked for. The
 * net's weights must not change while the model is in use (attacks evaluate fixed nets).
 */
export function netModel(net: PReluNet): ScalarModel {
  const frozen = freezeNet(net);
  return {
    dim: net.D,
    value: (x) => frozen.evaluate(x),
    valueAndGrad: (x, g) => frozen.evaluate(x, g),
  };
}

/**
 * Orthonormal basis (rows, m x D) of span{w_j} by modified Gram-Schmidt applied twice; a row whose
 * residual is below tol * ||w_j|| is dropped as dependent.
 */
export function rowSpanBasis(W: Float64Array, h: number, D: number, tol = 1e-10): { m: number; Q: Float64Array } {
  const Q = new Float64Array(Math.min(h, D) * D);
  const row = new Float64Array(D);
  let m = 0;
  for (let j = 0; j < h && m < D; j++) {
    let n0 = 0;
    for (let i = 0; i < D; i++) {
      row[i] = W[j * D + i];
      n0 += row[i] * row[i];
    }
    n0 = Math.sqrt(n0);
    if (!(n0 > 0)) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l < m; l++) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += row[i] * Q[l * D + i];
        for (let i = 0; i < D; i++) row[i] -= dot * Q[l * D + i];
      }
    }
    let n = 0;
    for (let i = 0; i < D; i++) n += row[i] * row[i];
    n = Math.sqrt(n);
    if (n <= tol * n0) continue;
    for (let i = 0; i < D; i++) Q[m * D + i] = row[i] / n;
    m++;
  }
  return { m, Q: Q.slice(0, m * D) };
}

export interface ReducedNet {
  /** The m-input net W' = W Q^T (no centre, same v, b, p). */
  net: PReluNet;
  /** Basis of the row span (m x D). */
  Q: Float64Array;
  m: number;
  /** Reduced coordinates a = Q (x - centre) of the n given points (n x m). */
  points: Float64Array;
}

/** Reduce `net` and the n points X (n x D) to the row span of W (see the module comment). */
export function reduceToRowSpan(net: PReluNet, X: Float64Array, n: number, tol = 1e-10): ReducedNet {
  if (net.normalise) throw new ConfigError('net.normalise', true, 'false (input normalisation does not reduce to the row span)');
  const { D, h } = net;
  const { m, Q } = rowSpanBasis(net.W, h, D, tol);
  const W = new Float64Array(h * m);
  for (let j = 0; j < h; j++) {
    for (let l = 0; l < m; l++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += net.W[j * D + i] * Q[l * D + i];
      W[j * m + l] = s;
    }
  }
  const points = new Float64Array(n * m);
  for (let k = 0; k < n; k++) {
    for (let l = 0; l < m; l++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += (X[k * D + i] - (net.centre ? net.centre[i] : 0)) * Q[l * D + i];
      points[k * m + l] = s;
    }
  }
  const reduced: PReluNet = { D: m, h, p: net.p, W, v: Float64Array.from(net.v), b: net.hasBias ? net.b : 0, hasBias: net.hasBias, centre: null, normalise: false };
  return { net: reduced, Q, m, points };
}

/** Lift a reduced perturbation z (length m) back to input space: d = Q^T z. */
export function liftPerturbation(Q: Float64Array, m: number, D: number, z: Float64Array): Float64Array {
  const d = new Float64Array(D);
  for (let l = 0; l < m; l++) for (let i = 0; i < D; i++) d[i] += z[l] * Q[l * D + i];
  return d;
}
