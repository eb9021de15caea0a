/**
 * Fast certificates for "F^(p) is robust at l2 radius r at the projected point s" (the T4 event,
 * PAPER.md s.6), used before the exact solver so that Monte-Carlo runs at high rates:
 *
 * - robust certificate (p >= 2), T4's proof skeleton sharpened (the same bound as B1's
 *   fastLowerBoundFp in src/robustness/certifyFp.ts, recomputed here with the two class sums
 *   shared with the margin and integer powers by multiplication): with Phi(v) = ||relu(v)||_p,
 *   a flip by d needs Phi(s_own + d_own) <= Phi(s_oth + d_oth); Minkowski and ||.||_p <= ||.||_2
 *   give Phi(s_own) - ||d_own|| <= Phi(s_oth) + ||d_oth||, and ||d_own|| + ||d_oth|| <= sqrt2 ||d||,
 *   so the radius is at least (Phi(s_own) - Phi(s_oth))/sqrt2. At a noise-free centre this is
 *   1/sqrt2, the exact radius (PAPER.md s.5), so only samples near the boundary remain.
 * - attack witness: the margin at s, or at s + r(cos t (-e_k) + sin t e_j) for the largest
 *   own-class k, every other-class j and a few angles t, is <= 0: then the exact radius is <= r.
 * Everything else is 'undecided' and goes to the exact solver (robustExact.ts).
 */

export type Certificate = 'robust' | 'broken' | 'undecided';

const ANGLES = [Math.PI / 4, Math.PI / 8, (3 * Math.PI) / 8, Math.PI / 16, (7 * Math.PI) / 16, 0, Math.PI / 2];
const COS = ANGLES.map(Math.cos);
const SIN = ANGLES.map(Math.sin);

/** relu(u)^p, integer powers by multiplication (Math.pow dominates the hot loop otherwise). */
export function reluPowFast(u: number, p: number): number {
  if (u <= 0) return 0;
  if (p === 2) return u * u;
  if (p === 3) return u * u * u;
  if (p === 4) { const v = u * u; return v * v; }
  return Math.pow(u, p);
}

/** t^(1/p) for t >= 0 with the common powers exact-rounded by the dedicated functions. */
function root(t: number, p: number): number {
  if (p === 2) return Math.sqrt(t);
  if (p === 3) return Math.cbrt(t);
  if (p === 4) return Math.sqrt(Math.sqrt(t));
  return Math.pow(t, 1 / p);
}

/** y F^(p)(s) from the class sums: own minus other. */
function margin(s: Float64Array, y: number, K1: number, p: number): number {
  let f = 0;
  for (let k = 0; k < s.length; k++) {
    const v = reluPowFast(s[k], p);
    f += k < K1 ? v : -v;
  }
  return y * f;
}

/**
 * Certify robustness or non-robustness of y F^(p) at radius r from s (length K); p >= 2.
 * `work` is a scratch array of length exactly K (no allocation in the hot loop).
 */
export function certifyRobustFp(s: Float64Array, y: number, K1: number, p: number, r: number, work: Float64Array): Certificate {
  const K = s.length;
  const ownLo = y > 0 ? 0 : K1, ownHi = y > 0 ? K1 : K;
  let sOwn = 0, sOth = 0, mxOwn = 0, mxOth = 0, kBest = ownLo;
  for (let k = 0; k < K; k++) {
    const v = s[k];
    if (k >= ownLo && k < ownHi) {
      if (v > s[kBest]) kBest = k;
      if (v > mxOwn) mxOwn = v;
      sOwn += reluPowFast(v, p);
    } else {
      if (v > mxOth) mxOth = v;
      sOth += reluPowFast(v, p);
    }
  }
  if (!(sOwn > sOth)) return 'broken';
  // Sums of p-th powers of numbers of order 1 cannot overflow unless a projection exceeds ~1e77;
  // fall back to the scaled norm then.
  const phiOwn = Number.isFinite(sOwn) ? root(sOwn, p) : scaledNorm(s, ownLo, ownHi, true, mxOwn, p);
  const phiOth = Number.isFinite(sOth) ? root(sOth, p) : scaledNorm(s, ownLo, ownHi, false, mxOth, p);
  if ((phiOwn - phiOth) / Math.SQRT2 > r) return 'robust';
  // Witness search: push the best own coordinate down and one other-class coordinate up.
  for (let i = 0; i < K; i++) work[i] = s[i];
  for (let j = 0; j < K; j++) {
    if (j >= ownLo && j < ownHi) continue;
    for (let a = 0; a < ANGLES.length; a++) {
      work[kBest] = s[kBest] - r * COS[a];
      work[j] = s[j] + r * SIN[a];
      const m = margin(work, y, K1, p);
      work[kBest] = s[kBest];
      work[j] = s[j];
      if (!(m > 0)) return 'broken';
    }
  }
  return 'undecided';
}

/**
 * One-pass screen for the hot loop (p >= 2): true only when certifyRobustFp(s, y, K1, p, r) is
 * certain to return 'robust', shown without its two p-th roots: Phi(s_own) >= the largest own
 * coordinate m, and, x^(1/p) being concave, Phi(s_oth) <= t + (S_oth - t^p)/(p t^(p-1)) at
 * t = the largest other-class coordinate (the tangent at t^p). So m - that > sqrt2 r implies the
 * Minkowski certificate; the relative margin 1e-9 covers every rounding difference between the
 * two computations. False means "ask certifyRobustFp", never "not robust".
 */
export function screenRobustFp(s: Float64Array, y: number, K1: number, p: number, r: number): boolean {
  const K = s.length;
  const ownLo = y > 0 ? 0 : K1, ownHi = y > 0 ? K1 : K;
  let mOwn = 0, mOth = 0, sOth = 0;
  for (let k = 0; k < K; k++) {
    const v = s[k];
    if (k >= ownLo && k < ownHi) { if (v > mOwn) mOwn = v; }
    else if (v > 0) {
      sOth += reluPowFast(v, p);
      if (v > mOth) mOth = v;
    }
  }
  const tp = reluPowFast(mOth, p);
  const uOth = mOth > 0 ? mOth + (sOth - tp) / ((p * tp) / mOth) : 0;
  return mOwn - uOth > Math.SQRT2 * r * (1 + 1e-9) + 1e-12;
}

function scaledNorm(s: Float64Array, lo: number, hi: number, inside: boolean, mx: number, p: number): number {
  if (mx <= 0) return 0;
  let acc = 0;
  for (let k = 0; k < s.length; k++) {
    const own = k >= lo && k < hi;
    if (own === inside && s[k] > 0) acc += Math.pow(s[k] / mx, p);
  }
  return mx * Math.pow(acc, 1 / p);
}
