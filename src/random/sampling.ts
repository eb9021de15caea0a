/** Random objects built from an explicit `Rng`: sphere points, orthonormal frames, assignments. */
import type { Rng } from './rng.ts';
import { requireInt } from '../validate.ts';

/** Euclidean norm robust to underflow and overflow (scaled sum of squares). */
export function norm2(a: ArrayLike<number>, offset = 0, length = a.length - offset): number {
  let scale = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.abs(a[offset + i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let ss = 0;
  for (let i = 0; i < length; i++) {
    const t = a[offset + i] / scale;
    ss += t * t;
  }
  return scale * Math.sqrt(ss);
}

/** Uniform point on the unit sphere S^{d-1}. */
export function uniformSphere(rng: Rng, d: number, out = new Float64Array(d)): Float64Array {
  requireInt('d', d, 1);
  let n = 0;
  do {
    rng.fillNormal(out);
    n = norm2(out);
  } while (n === 0);
  for (let i = 0; i < d; i++) out[i] /= n;
  return out;
}

/**
 * K orthonormal vectors in R^D as the rows of a K x D row-major matrix: Gaussian vectors
 * orthonormalised by modified Gram-Schmidt applied twice (one pass loses orthogonality like
 * cond^2 * eps; the second pass restores it to ~1e-15, which the tests require to 1e-12).
 */
export function randomOrthonormalFrame(rng: Rng, K: number, D: number): Float64Array {
  requireInt('K', K, 1);
  requireInt('D', D, K);
  const Q = new Float64Array(K * D);
  for (let k = 0; k < K; k++) {
    const row = Q.subarray(k * D, (k + 1) * D);
    for (;;) {
      rng.fillNormal(row);
      for (let pass = 0; pass < 2; pass++) {
        for (let l = 0; l < k; l++) {
          let dot = 0;
          for (let i = 0; i < D; i++) dot += row[i] * Q[l * D + i];
          for (let i = 0; i < D; i++) row[i] -= dot * Q[l * D + i];
        }
      }
      const n = norm2(row);
      if (n > 1e-8) {
        for (let i = 0; i < D; i++) row[i] /= n;
        break;
      }
    }
  }
  return Q;
}

/** The canonical frame mu_k = e_k (the authors' choice). */
export function canonicalFrame(K: number, D: number): Float64Array {
  requireInt('K', K, 1);
  requireInt('D', D, K);
  const Q = new Float64Array(K * D);
  for (let k = 0; k < K; k++) Q[k * D + k] = 1;
  return Q;
}

/** In-place Fisher-Yates shuffle. */
export function shuffle<T extends { length: number; [i: number]: number }>(rng: Rng, a: T): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** n i.i.d. uniform cluster ids in 0..K-1 (the authors' sampling: counts only roughly equal). */
export function iidAssignment(rng: Rng, n: number, K: number): Int32Array {
  const z = new Int32Array(n);
  for (let i = 0; i < n; i++) z[i] = rng.int(K);
  return z;
}

/**
 * Exactly balanced assignment: floor(n/K) points per cluster, the n mod K left-over points given to
 * distinct clusters chosen at random, then shuffled (the theory's "exactly N per cluster").
 */
export function balancedAssignment(rng: Rng, n: number, K: number): Int32Array {
  const z = new Int32Array(n);
  const base = Math.floor(n / K);
  let i = 0;
  for (let k = 0; k < K; k++) for (let c = 0; c < base; c++) z[i++] = k;
  const extra = shuffle(rng, Int32Array.from({ length: K }, (_, k) => k));
  for (let r = 0; i < n; r++) z[i++] = extra[r];
  return shuffle(rng, z);
}
