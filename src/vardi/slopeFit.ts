/**
 * Log-log slope with an OLS confidence interval, for the scaling claims of PAPER.md s.6 (Vardi:
 * radius ~ sqrt(d/n), slope 1/2 against d/n; Frei: radius ~ 1/sqrt(K), slope -1/2 against K).
 * Fit log y = a + b log x; standard error of b from the residual variance; a two-sided 95% interval
 * with the Student t quantile for n - 2 degrees of freedom.
 */
import { linearRegression } from 'simple-statistics';

/** Student t 0.975 quantiles, df = 1..30 (standard tables); 1.96 beyond. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface SlopeFit {
  slope: number;
  intercept: number;
  se: number;
  lower: number;
  upper: number;
  points: number;
}

export function logLogSlope(x: readonly number[], y: readonly number[]): SlopeFit {
  if (x.length !== y.length) throw new RangeError('logLogSlope: x and y differ in length');
  const pts: [number, number][] = [];
  for (let i = 0; i < x.length; i++) if (x[i] > 0 && y[i] > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) pts.push([Math.log(x[i]), Math.log(y[i])]);
  const m = pts.length;
  if (m < 3) return { slope: NaN, intercept: NaN, se: NaN, lower: NaN, upper: NaN, points: m };
  const { m: slope, b: intercept } = linearRegression(pts);
  let sxx = 0;
  let sse = 0;
  const mx = pts.reduce((s, p) => s + p[0], 0) / m;
  for (const [a, b] of pts) {
    sxx += (a - mx) * (a - mx);
    const r = b - (intercept + slope * a);
    sse += r * r;
  }
  const se = Math.sqrt(sse / (m - 2) / sxx);
  const t = m - 2 <= 30 ? T975[m - 3] : 1.96;
  return { slope, intercept, se, lower: slope - t * se, upper: slope + t * se, points: m };
}

export function median(a: readonly number[]): number {
  const s = a.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
  if (s.length === 0) return NaN;
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}
