/**
 * Small dense linear algebra for the second-order test of extremal vectors (PAPER.md s.4):
 * a cyclic Jacobi eigen-solver for symmetric matrices and orthonormal bases of tangent spaces.
 *
 * Why Jacobi: the Hessians classified here are at most a few hundred wide (K-dim reduced coordinates
 * for noise-free clusters, D - 1 for data sets), Jacobi is unconditionally accurate for symmetric
 * matrices (small eigenvalues to absolute accuracy ~ eps * ||H||, which the degeneracy test needs)
 * and it has no failure modes to handle.
 */
import { norm2 } from '../random/sampling.ts';
import type { Rng } from '../random/rng.ts';
import { ConfigError, requireInt } from '../validate.ts';

/** Eigenvalues (ascending) of a symmetric n x n row-major matrix; `A` is not modified. */
export function symmetricEigenvalues(A: Float64Array, n: number, maxSweeps = 100): Float64Array {
  requireInt('n', n, 0);
  if (A.length !== n * n) throw new ConfigError('A.length', A.length, `n * n = ${n * n}`);
  const a = Float64Array.from(A);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  const stop = 1e-30 * total;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off <= stop || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = a[i * n + i];
  return ev.sort();
}

/** <a, b> over the first `d` entries. */
export function dot(a: Float64Array, b: Float64Array, d = a.length): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i] * b[i];
  return s;
}

/** Scale `u` to unit norm in place; returns the norm it had. */
export function normalise(u: Float64Array): number {
  const n = norm2(u);
  if (n > 0 && Number.isFinite(n)) for (let i = 0; i < u.length; i++) u[i] /= n;
  return n;
}

/**
 * An orthonormal basis of a subspace of the tangent space T_u S^{d-1} = u^perp, as the rows of an
 * m x d row-major matrix. With m = d - 1 it spans all of u^perp (built from the canonical vectors,
 * Gram-Schmidt twice against u and the earlier rows, skipping near-dependent ones); with m < d - 1
 * it is a uniformly random m-dimensional subspace (needs `rng`).
 */
export function tangentBasis(u: Float64Array, m = u.length - 1, rng?: Rng): Float64Array {
  const d = u.length;
  requireInt('tangent dimension', m, 0, d - 1);
  if (m < d - 1 && !rng) throw new ConfigError('rng', rng, 'a Rng when the tangent dimension is below d - 1');
  const B = new Float64Array(m * d);
  const v = new Float64Array(d);
  let rows = 0;
  let next = 0;
  while (rows < m) {
    if (m < d - 1) rng!.fillNormal(v);
    else {
      if (next >= d) throw new Error('tangentBasis: ran out of canonical vectors (u not unit?)');
      v.fill(0);
      v[next++] = 1;
    }
    for (let pass = 0; pass < 2; pass++) {
      const cu = dot(v, u);
      for (let i = 0; i < d; i++) v[i] -= cu * u[i];
      for (let r = 0; r < rows; r++) {
        let c = 0;
        for (let i = 0; i < d; i++) c += v[i] * B[r * d + i];
        for (let i = 0; i < d; i++) v[i] -= c * B[r * d + i];
      }
    }
    const n = norm2(v);
    if (n < 1e-6) continue;
    for (let i = 0; i < d; i++) B[rows * d + i] = v[i] / n;
    rows++;
  }
  return B;
}

/**
 * Orthonormal basis (rows, r x d) of the row span of an n x d matrix, by modified Gram-Schmidt
 * applied twice; rows whose residual is below `relTol` times their norm are dropped as dependent.
 */
export function rowSpanBasis(X: Float64Array, n: number, d: number, relTol = 1e-10): { basis: Float64Array; rank: number } {
  const rowsOut: Float64Array[] = [];
  const v = new Float64Array(d);
  for (let i = 0; i < n && rowsOut.length < d; i++) {
    for (let j = 0; j < d; j++) v[j] = X[i * d + j];
    const n0 = norm2(v);
    if (n0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of rowsOut) {
        const c = dot(v, q);
        for (let j = 0; j < d; j++) v[j] -= c * q[j];
      }
    }
    const n1 = norm2(v);
    if (n1 <= relTol * n0) continue;
    rowsOut.push(Float64Array.from(v, (x) => x / n1));
  }
  const basis = new Float64Array(rowsOut.length * d);
  rowsOut.forEach((q, r) => basis.set(q, r * d));
  return { basis, rank: rowsOut.length };
}
