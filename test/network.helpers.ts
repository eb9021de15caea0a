/**
 * Shared builders for the network tests: small random nets and data from a seed, with inputs kept
 * away from the ReLU kinks so central finite differences are meaningful.
 */
import { Rng } from '../src/random/index.ts';
import type { PReluNet } from '../src/network/index.ts';

export interface Case {
  net: PReluNet;
  X: Float64Array;
  y: Float64Array;
  n: number;
}

export interface CaseOptions {
  D: number;
  h: number;
  n: number;
  p: number;
  bias: boolean;
  centre: boolean;
  normalise: boolean;
  seed: number;
  /** Minimum |<x~_i, w_j/||w_j||>| / ||x~_i|| for every (i, j); rows are redrawn until it holds. */
  kinkGap?: number;
}

/** A net with O(1) weights and data with ||x~|| ~ 1, so margins are O(1) for every p in [1, 5]. */
export function randomCase(o: CaseOptions): Case {
  const rng = new Rng(o.seed);
  const { D, h, n, p } = o;
  const W = rng.fillNormal(new Float64Array(h * D));
  const v = rng.fillNormal(new Float64Array(h));
  const centre = o.centre ? rng.fillNormal(new Float64Array(D), 0, 0.5) : null;
  const X = new Float64Array(n * D);
  const gap = o.kinkGap ?? 0;
  const xt = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let tries = 0; ; tries++) {
      if (tries > 1000) throw new Error('could not draw a row away from the kinks');
      rng.fillNormal(xt, 0, 1 / Math.sqrt(D));
      let ok = true;
      const xn = Math.hypot(...xt);
      for (let j = 0; j < h && ok; j++) {
        let u = 0, wn = 0;
        for (let k = 0; k < D; k++) {
          u += xt[k] * W[j * D + k];
          wn += W[j * D + k] ** 2;
        }
        if (Math.abs(u) < gap * Math.sqrt(wn) * xn) ok = false;
      }
      if (ok) break;
    }
    for (let k = 0; k < D; k++) X[i * D + k] = xt[k] + (centre ? centre[k] : 0);
  }
  const y = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
  const net: PReluNet = { D, h, p, W, v, b: o.bias ? 0.5 * rng.normal() : 0, hasBias: o.bias, centre, normalise: o.normalise };
  return { net, X, y, n };
}

/** max_k |a_k - b_k| / max_k |b_k| (max-norm relative error; 0/0 read as 0). */
export function relMaxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let k = 0; k < b.length; k++) {
    e = Math.max(e, Math.abs(a[k] - b[k]));
    s = Math.max(s, Math.abs(b[k]));
  }
  return e === 0 ? 0 : e / s;
}
