/**
 * Normal tail probabilities in log space.
 *
 * The failure probabilities of PAPER.md s.6 (T1-T4) are Gaussian tails P(N(0, s^2) > t) that fall
 * far below 1e-300 at the paper's D = 1000 (PAPER.md s.9: "compute a failure probability from
 * tails directly, never as 1 - P(success)"). erfc is relatively accurate until it underflows
 * (argument ~26.5); beyond we use the continued fraction of Mills' ratio
 * Q(t) = phi(t) / (t + 1/(t + 2/(t + 3/(t + ...)))), evaluated backwards, accurate for t > 5.
 */
import erfc from '@stdlib/math-base-special-erfc';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Standard normal density, log. */
export function logPhiDensity(t: number): number {
  return -0.5 * t * t - LOG_SQRT_2PI;
}

/** Mills' ratio R(t) = Q(t)/phi(t) for t >= 5 by a 60-term backward continued fraction. */
function millsRatioCF(t: number): number {
  let f = t;
  for (let j = 60; j >= 1; j--) f = t + j / f;
  return 1 / f;
}

/** log Q(t) = log P(N(0,1) > t), accurate for every finite t (relative error ~1e-15). */
export function logNormalSf(t: number): number {
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return -Infinity;
  if (t === -Infinity) return 0;
  if (t < -5) return Math.log1p(-0.5 * erfc(-t / Math.SQRT2));
  if (t < 25) return Math.log(0.5 * erfc(t / Math.SQRT2));
  return logPhiDensity(t) + Math.log(millsRatioCF(t));
}

/** Q(t) = P(N(0,1) > t) (underflows to 0 only when the true value is below ~1e-308). */
export function normalSf(t: number): number {
  if (t < 25) return 0.5 * erfc(t / Math.SQRT2);
  return Math.exp(logNormalSf(t));
}

/** Phi(t) = P(N(0,1) <= t). */
export function normalCdf(t: number): number {
  return normalSf(-t);
}

/** log P(N(0, s^2) > t) for s > 0. */
export function logGaussianTail(t: number, s: number): number {
  return logNormalSf(t / s);
}

/** The Chernoff bound of PAPER.md s.6's skeleton, log form: log exp(-t^2/(2 s^2)) (valid for t >= 0). */
export function logChernoffTail(t: number, s: number): number {
  return -(t * t) / (2 * s * s);
}

/** log(exp(x) + exp(y)) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const m = Math.max(x, y);
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}
