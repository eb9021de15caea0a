/**
 * Step-size helpers shared by the Runge-Kutta steppers (dopri5.ts, gauss.ts).
 */
import type { ControllerSettings } from './types.ts';

/** atol for component i (scalar or per component). */
export function atolAt(c: ControllerSettings, i: number): number {
  const a = c.atol;
  return typeof a === 'number' ? a : a[i];
}

/**
 * Hairer-Norsett-Wanner's starting step (Solving ODEs I, II.4): h0 = 0.01 ||y0|| / ||f0||, refined
 * by one Euler probe f1 = f(t0 + h0, y0 + h0 f0); h1 = (0.01 / max(||f0||, ||f1 - f0|| / h0))^(1/iord)
 * with iord the power of h in the local error estimate (Hairer's IORD: 5 for DOPRI5). `probe` and `f1`
 * are scratch arrays of the state's length; `evaluate` counts the evaluation.
 */
export function initialStepSize(
  c: ControllerSettings, t0: number, y: Float64Array, f0: Float64Array, iord: number,
  probe: Float64Array, f1: Float64Array, evaluate: (t: number, y: Float64Array, out: Float64Array) => void,
): number {
  const n = y.length;
  let d0 = 0, d1 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atolAt(c, i) + c.rtol * Math.abs(y[i]);
    d0 += (y[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / n);
  d1 = Math.sqrt(d1 / n);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, c.dtMax);
  for (let i = 0; i < n; i++) probe[i] = y[i] + h0 * f0[i];
  evaluate(t0 + h0, probe, f1);
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atolAt(c, i) + c.rtol * Math.abs(y[i]);
    d2 += ((f1[i] - f0[i]) / sc) ** 2;
  }
  d2 = Math.sqrt(d2 / n) / h0;
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / iord);
  const h = Math.min(100 * h0, h1, c.dtMax);
  return Number.isFinite(h) && h > 0 ? Math.max(h, c.dtMin) : Math.max(1e-6, c.dtMin);
}
