/**
 * Exact minimal l2 attack radius of the ReLU limit F (PAPER.md s.5), at any point.
 *
 * Derivation (the "Reduction" of PAPER.md s.5: F depends on x only through a = <x, mu_+> and
 * b = <x, mu_->). Take y = +1 and F(x) > 0, i.e. a > 0 and a > b. A point x' is misclassified
 * (y F(x') <= 0) iff relu(a') <= relu(b'), i.e. iff a' <= 0 or a' <= b' (if a' > 0 and a' > b'
 * then relu(a') = a' > relu(b')). The flip set is the union of two closed half-spaces
 *   H1 = {<x', mu_+> <= 0}             (normal mu_+, norm sqrt(K1)),
 *   H2 = {<x', mu_+ - mu_-> <= 0}      (normal mu_+ - mu_-, norm sqrt(K1 + K2) = sqrt(K)),
 * so the minimal radius is the distance to the nearer half-space:
 *   r = min(a / sqrt(K1), (a - b) / sqrt(K)).
 * For y = -1 swap the classes: r = min(b / sqrt(K2), (b - a) / sqrt(K)). At a noise-free positive
 * centre a = 1, b = 0: r = min(1/sqrt(K1), 1/sqrt(K)) = 1/sqrt(K), along -(mu_+ - mu_-)/sqrt(K).
 * Convention: a point with y F(x) <= 0 has radius 0.
 */
import { ConfigError, requireInt } from '../validate.ts';

export type Label = 1 | -1;

export function requireLabel(y: unknown): Label {
  if (y !== 1 && y !== -1) throw new ConfigError('y', y, '+1 or -1');
  return y;
}

/** Class sums a = sum_{k < K1} s_k, b = sum_{k >= K1} s_k. */
function classSums(s: ArrayLike<number>, K1: number): { a: number; b: number } {
  let a = 0;
  let b = 0;
  for (let k = 0; k < s.length; k++) {
    if (k < K1) a += s[k];
    else b += s[k];
  }
  return { a, b };
}

/** Exact minimal l2 radius of F at the point with projections s (length K) and label y. */
export function radiusF(s: ArrayLike<number>, y: Label, K1: number): number {
  const K = s.length;
  requireInt('K1', K1, 1, K - 1);
  requireLabel(y);
  const { a, b } = classSums(s, K1);
  const own = y === 1 ? a : b;
  const other = y === 1 ? b : a;
  const nOwn = y === 1 ? K1 : K - K1;
  if (!(own > 0 && own > other)) return 0;
  return Math.min(own / Math.sqrt(nOwn), (own - other) / Math.sqrt(K));
}

/**
 * A minimal flipping perturbation of F in the K-dim reduction (length K, norm radiusF): the
 * projection onto the nearer half-space, scaled by (1 + slack) so that the flip is strict despite
 * rounding (slack defaults to 1e-12). Returns zeros when the point is already misclassified.
 */
export function witnessF(s: ArrayLike<number>, y: Label, K1: number, slack = 1e-12): Float64Array {
  const K = s.length;
  const d = new Float64Array(K);
  const r = radiusF(s, y, K1);
  if (r === 0) return d;
  const { a, b } = classSums(s, K1);
  const own = y === 1 ? a : b;
  const other = y === 1 ? b : a;
  const nOwn = y === 1 ? K1 : K - K1;
  const viaOwn = own / Math.sqrt(nOwn) <= (own - other) / Math.sqrt(K);
  for (let k = 0; k < K; k++) {
    const isOwn = (k < K1) === (y === 1);
    if (viaOwn) d[k] = isOwn ? -1 / Math.sqrt(nOwn) : 0;
    else d[k] = (isOwn ? -1 : 1) / Math.sqrt(K);
  }
  for (let k = 0; k < K; k++) d[k] *= r * (1 + slack);
  return d;
}
