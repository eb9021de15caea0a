/**
 * Per-unit and per-sample scale factors of the pReLU net (PAPER.md s.2):
 *   unit value  a = relu(u)^p / ||w||^(p-1) = u * uhat^(p-1),  uhat = u / ||w|| = <x~, w/||w||>,
 * computed through uhat so that neither u^p nor ||w||^(p-1) is formed on its own (with weights
 * ~1e-7 and p = 5 those would be 1e-35-ish and lose range long before the ratio does).
 *
 * Conventions, all limits of the continuous definition:
 * - p = 1: uhat^0 is read as 1{u > 0} (PAPER.md s.3), so the unit is relu(u).
 * - w_j = 0: the unit is 0 with zero gradient. For p > 1 the unit is bounded by
 *   ||x~||^p ||w_j|| -> 0, so 0 is the continuous value; the unit is only 1-homogeneous in w_j and
 *   has no derivative there, and 0 is the (minimal-norm) element of its Clarke subdifferential.
 * - normalisation with x~ = 0 and p > 1: the unit relu(u)^p / (||w||^(p-1) ||x~||^(p-1)) is
 *   bounded by ||w|| ||x~|| -> 0, so it is 0 there; its input gradient is taken as 0.
 */
import { norm2 } from '../random/sampling.ts';

/** t^q for t >= 0 and q >= 0, with t^0 = 1 and the small integer powers done by multiplication. */
export function powq(t: number, q: number): number {
  if (q === 0) return 1;
  if (q === 1) return t;
  if (q === 2) return t * t;
  if (q === 3) return t * t * t;
  return Math.pow(t, q);
}

/** out[j] = 1/||w_j|| (0 when w_j = 0), overflow- and underflow-safe. */
export function inverseNorms(W: Float64Array, h: number, D: number, out: Float64Array): Float64Array {
  for (let j = 0; j < h; j++) {
    const o = j * D;
    let ss = 0;
    for (let k = 0; k < D; k++) ss += W[o + k] * W[o + k];
    // A plain sum of squares is exact enough unless it underflowed or overflowed.
    const nrm = ss > 1e-290 && ss < 1e290 ? Math.sqrt(ss) : norm2(W, o, D);
    out[j] = nrm > 0 ? 1 / nrm : 0;
  }
  return out;
}

/** ||x - centre|| (or ||x||) for the row at xOff, overflow- and underflow-safe. */
export function rowNorm(X: Float64Array, xOff: number, D: number, centre: Float64Array | null): number {
  let ss = 0;
  if (centre === null) {
    for (let k = 0; k < D; k++) ss += X[xOff + k] * X[xOff + k];
    if (ss > 1e-290 && ss < 1e290) return Math.sqrt(ss);
    return norm2(X, xOff, D);
  }
  for (let k = 0; k < D; k++) {
    const d = X[xOff + k] - centre[k];
    ss += d * d;
  }
  if (ss > 1e-290 && ss < 1e290) return Math.sqrt(ss);
  let m = 0;
  for (let k = 0; k < D; k++) m = Math.max(m, Math.abs(X[xOff + k] - centre[k]));
  if (m === 0 || !Number.isFinite(m)) return m;
  ss = 0;
  for (let k = 0; k < D; k++) {
    const d = (X[xOff + k] - centre[k]) / m;
    ss += d * d;
  }
  return m * Math.sqrt(ss);
}

/**
 * The per-sample factor 1/s(x) = ||x~||^(1-p) of input normalisation (1 without it, or for p = 1);
 * 0 when normalising with x~ = 0 and p > 1, which makes every unit 0 (see the file comment).
 */
export function sampleFactor(normalise: boolean, p: number, X: Float64Array, xOff: number, D: number, centre: Float64Array | null): number {
  if (!normalise || p === 1) return 1;
  const xNorm = rowNorm(X, xOff, D, centre);
  return xNorm > 0 ? Math.pow(xNorm, 1 - p) : 0;
}
