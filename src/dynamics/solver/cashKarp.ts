/**
 * ode45-cash-karp (the package the user asked for) behind the Stepper interface, with its quirks
 * from PACKAGES.md kept inside:
 * - verbose output is switched off;
 * - its purely relative error test is replaced, through errorScaleFunction, by the mixed test
 *   |err_i| <= max(atol_i, rtol |y_i|) (tol = rtol, scale = max(atol_i / rtol, |y_i|));
 *   the package reduces with max, so `norm: 'rms'` is not available here;
 * - it has no step floor and, given one, silently accepts the floored step: we pass dtMin and
 *   report a step taken at the floor as 'floor' (-> 'step-underflow');
 * - it has no dense output: integrate() asks it to stop exactly at each save time;
 * - a NaN error estimate throws inside the package: reported as 'non-finite'.
 * Evaluations are counted by wrapping the derivative; each accepted step costs 6 evaluations and
 * each inner retry 5 more, which is how rejected tries are counted.
 */
import ode45 from 'ode45-cash-karp';
import type { CashKarpIntegrator } from 'ode45-cash-karp';
import type { AttemptOutcome, ControllerSettings, OdeTerm, Stepper } from './types.ts';

export class CashKarp implements Stepper {
  readonly name = 'cash-karp';
  readonly hasDenseOutput = false;
  evaluations = 0;
  rejected = 0;
  accepted = 0;
  tPrev: number;
  private readonly integ: CashKarpIntegrator;
  private readonly state: Float64Array;

  constructor(term: OdeTerm, t0: number, y0: Float64Array, private readonly c: ControllerSettings) {
    if (y0.length !== term.dim) throw new Error(`cash-karp: y0 has ${y0.length} components, term.dim = ${term.dim}`);
    this.state = Float64Array.from(y0);
    this.tPrev = t0;
    const atol = c.atol;
    const rtol = c.rtol;
    const floorScalar = typeof atol === 'number' ? atol / rtol : 0;
    const errorScaleFunction =
      typeof atol === 'number'
        ? (_i: number, _dt: number, y: number): number => Math.max(floorScalar, Math.abs(y))
        : (i: number, _dt: number, y: number): number => Math.max(atol[i] / rtol, Math.abs(y));
    const deriv = (dydt: Float64Array | number[], y: Float64Array | number[], t: number): void => {
      this.evaluations++;
      term.rhs(t, y as Float64Array, dydt as Float64Array);
    };
    const dt0 = c.dt0 > 0 ? c.dt0 : 1e-3;
    this.integ = ode45(this.state, deriv, t0, dt0, {
      tol: rtol,
      verbose: false,
      dtMinMag: c.dtMin,
      dtMaxMag: Number.isFinite(c.dtMax) ? c.dtMax : undefined,
      maxIncreaseFactor: c.maxFactor,
      maxDecreaseFactor: 1 / c.minFactor,
      safetyFactor: c.safety,
      errorScaleFunction,
    });
  }

  get t(): number {
    return this.integ.t;
  }
  get y(): Float64Array {
    return this.state;
  }
  get dt(): number {
    return this.integ.dt;
  }

  attempt(tLimit: number): AttemptOutcome {
    const t = this.integ.t;
    const before = this.evaluations;
    try {
      this.integ.step(tLimit);
    } catch (e) {
      if (e instanceof Error && /NaN/.test(e.message)) {
        this.rejected += Math.max(0, Math.round((this.evaluations - before - 6) / 5)) + 1;
        return 'non-finite';
      }
      throw e;
    }
    this.rejected += Math.max(0, Math.round((this.evaluations - before - 6) / 5));
    const taken = this.integ.t - t;
    if (taken === 0) {
      // The package declined to move ("already at tLimit"): snap to the target so the driver,
      // which treats targets within rounding as reached, cannot loop.
      this.integ.t = tLimit;
      return 'accepted';
    }
    this.tPrev = t;
    this.accepted++;
    for (let i = 0; i < this.state.length; i++) if (!Number.isFinite(this.state[i])) return 'non-finite';
    const floor = this.c.dtMin * (1 + 1e-9);
    if (taken <= floor && tLimit - t > floor) return 'floor';
    return 'accepted';
  }

  interpolate(): void {
    throw new Error('cash-karp has no dense output; integrate() stops at save times instead');
  }
}
