/**
 * Two-stage Gauss-Legendre collocation (implicit Runge-Kutta, order 4, symmetric, symplectic).
 *
 * Why it is here: Gauss methods conserve every quadratic first integral Q(y) = y^T S y of the ODE
 * exactly (Hairer, Lubich & Wanner, Geometric Numerical Integration, Thm IV.2.1-2.2: their
 * coefficients satisfy b_i a_ij + b_j a_ji = b_i b_j). The proof writes
 *   Q(y1) - Q(y0) = 2h sum_i b_i Y_i^T S f(Y_i) + h^2 sum_ij (b_i b_j - b_i a_ij - b_j a_ji) k_i^T S k_j
 * and uses only the stage values Y_i: if y^T S f(y) = 0 at EVERY point y, Q(y1) = Q(y0) up to the
 * precision of the stage solve and roundoff, however rough f is. For gradient flow in the 'plain'
 * formulation, v_j^2 - ||w_j||^2 is such a Q and theta^T S_j f(theta) = 0 is the identity
 * v_j dL/dv_j = <w_j, dL/dw_j> (src/network/gradient.ts), which also holds at ReLU kinks with
 * relu'(0) = 0; so the balances of PAPER.md s.3 are conserved even for p = 1, where the field is
 * discontinuous. This is a property of a general-purpose method, not a projection: a field that
 * broke the identity would show a residual (tested with a perturbed field).
 *
 * Stage equations Z_i = h sum_j a_ij f(t + c_j h, y + Z_j) are solved by fixed-point iteration
 * (the GF problem is not stiff at our scales, PACKAGES.md: explicit RK4 stable to dt ~ 4) until
 * every increment satisfies |dZ_i| <= stageRtol * max(|y_i|, |y_i + Z_i|, atol_i / rtol) (1e-14
 * by default: relative, with the controller's magnitude floor atol_i/rtol as the tiny absolute
 * part), capped at maxIterations. No convergence (cap reached, increments growing twice in a row,
 * or Hairer's forecast d * theta^(remaining)/(1 - theta) > 1) rejects the step and shrinks it.
 * The initial guess comes from the last solved step's collocation polynomial (Euler after a
 * failure), and the next step is limited so the contraction rate theta stays near thetaTarget.
 *
 * Error control: y1 is compared with an explicit third-order companion sharing the first stage
 * (Kutta's RK3: K1 = f0 = f(y0), K2 = f(y0 + h/2 K1), K3 = f(y0 + h(2 K2 - K1)),
 * yhat1 = y0 + h (K1 + 4 K2 + K3)/6), err = y1 - yhat1 = O(h^4) estimates the companion's local
 * error, so (as dopri5 controls its 4th-order companion and advances with order 5) the order-4
 * Gauss solution is kept and the test is conservative. An estimate from the Gauss data alone
 * (f0, k1, k2, f(y1)) does not work: every combination of order > 2 annihilates the collocation
 * polynomial and is identically zero on linear problems (measured: no step-size control at all on
 * the oscillator). f(y1) is the next step's f0 (FSAL), so one attempt costs 2 x iterations + 3
 * evaluations. The error test and PI controller are dopri5's (mixed atol/rtol, `norm`), with the
 * exponents shifted to this estimate's power h^4 (Hairer's IORD = 4 instead of 5):
 * beta1 + 1/4 - 1/5, and 1/4 after a rejection. Chosen over step doubling (three stage solves per
 * step) because the stage solve dominates the cost.
 *
 * Limit (measured, p = 1 gradient flow): a Filippov sliding mode, a ReLU kink <x_i, w_j> = 0 with
 * the field on both sides pointing into it (proofs-checks/conservation-law.ts, quick, default seed:
 * unit 6 / sample 87 at t = 2.30, d<x_i, w_j>/dt = +1.5e-8 below the kink, -6.7e-7 above; the
 * check finds it with slidingKinks, experiments/conservation.ts). The stage equations
 * then have no solution unless both stages stay on one side, which needs h below the distance to
 * the kink over the speed; the stage iteration 2-cycles, steps shrink geometrically and the run
 * ends with 'step-underflow' (a Zeno collapse, never a hang). Accepting the cycling iterates was
 * tried: no progress past the kink and no exact conservation. Passing sliding modes exactly needs
 * the term's switching functions (event / Filippov handling), not a general-purpose stepper.
 *
 * Frozen modes (option frozenModes; terms with OdeTerm.freezeModes, here p = 1 gradient flow):
 * each trial freezes the term's smooth piece at the step's start y0 (for GF: y0's ReLU activation
 * pattern, network/gradient.ts) and uses that piece's field F0 for the two stages and the RK3
 * companion, so a trial is the ordinary Gauss step of the smooth ODE y' = F0(y) from y0: its stage
 * equations are solvable for small h whichever kinks the stages cross. The modes are then released
 * and f(y1), the next step's f0 (FSAL), is evaluated in y1's own piece, which the next step
 * freezes (the term records the pattern with that evaluation, so freezing costs no evaluation
 * unless a step was rejected after a different state had been evaluated: formulation.ts).
 * Conservation stays exact: F0 satisfies v_j dL/dv_j = <w_j, dL/dw_j> for ANY activation pattern,
 * so theta^T S_j F0(theta) = 0 everywhere and the argument above applies to each step.
 * Why this is a consistent time-stepping of the Filippov solution (event-free, like the
 * event-capturing time-stepping schemes for discontinuous ODEs in Acary & Brogliato, Numerical
 * Methods for Nonsmooth Dynamical Systems, 2008, and Euler on Filippov inclusions, Dontchev &
 * Lempio, SIAM Rev. 34, 1992): inside one piece it is the order-4 Gauss method; a step that crosses a
 * kink transversally uses the start side's field past the kink, a local error of order
 * h * (fraction of the step past the kink) * (jump of the field), once per crossing, so such
 * crossings cost first order and vanish with h; at a sliding mode (field pointing into the kink
 * from both sides) consecutive steps start on alternate sides, each pushing u_ij back across, so
 * the iterate chatters across the kink with amplitude ~ h x (normal speed) and its mean motion
 * is the convex combination of the two fields that keeps u_ij ~ 0: the Filippov sliding field.
 * What it does not guarantee: the error estimate sees only the frozen piece (companion and Gauss
 * solution use the same F0), so a jump across a kink inside a step is not detected and the local
 * accuracy at a crossing is first order in the crossing fraction, not held to rtol; along a
 * sliding mode the accuracy is that of the chatter (O(h) in the state normal to the kink). The
 * trajectory is therefore validated against dopri5 at a tight tolerance (the conservation check
 * reports both), not assumed accurate to rtol. Measured (conservation-law check, p = 1, rtol 1e-6;
 * plain Gauss stops at the sliding mode at t = 2.30 quick / 5.95 full): frozen modes reach
 * t = 200 quick in 193 steps, 0 rejections (residual 3.5e-16), t = 1000 full in 321 steps,
 * 0 rejections (9.5e-16); the state differs from dopri5 by 6.2e-3 (quick, t = 2.30, reference
 * rtol 1e-9; plain Gauss 1.4e-5) and 1.1e-2 at the end (quick and full, reference rtol 1e-6),
 * 2.0e-3 / 3.5e-3 (quick) at rtol 1e-8: first-order behaviour, as described.
 *
 * No dense output: the collocation polynomial is only order 2 between the nodes and would not
 * conserve Q at a save point, so integrate() stops exactly at save times instead.
 */
import { ConfigError, requireInt, requireReal } from '../../validate.ts';
import { atolAt, initialStepSize } from './stepSize.ts';
import type { AttemptOutcome, ControllerSettings, OdeTerm, Stepper } from './types.ts';

const S3 = Math.sqrt(3) / 6;
const C1 = 0.5 - S3, C2 = 0.5 + S3;
const A11 = 0.25, A12 = 0.25 - S3;
const A21 = 0.25 + S3, A22 = 0.25;

/** Consecutive non-finite attempts tolerated (each shrinks the step) before giving up. */
const MAX_NONFINITE_RETRIES = 12;

export interface GaussOptions {
  /** Relative tolerance of the stage solve (see the header); default 1e-14. */
  stageRtol: number;
  /** Fixed-point iterations per attempt before it is rejected as not converged; default 50. */
  maxIterations: number;
  /** Contraction rate of the fixed-point iteration the step-size limiter aims at; default 0.3. */
  thetaTarget: number;
  /**
   * Freeze the term's smooth piece at each step's start (header: "Frozen modes"); needs a term
   * with freezeModes / releaseModes (piecewise-smooth terms). Default false.
   */
  frozenModes: boolean;
}

export const DEFAULT_GAUSS: GaussOptions = { stageRtol: 1e-14, maxIterations: 50, thetaTarget: 0.3, frozenModes: false };

export function gaussOptions(partial: Partial<GaussOptions> = {}): GaussOptions {
  const o = { ...DEFAULT_GAUSS, ...partial };
  requireReal('gauss.stageRtol', o.stageRtol, { min: 1e-16, max: 1e-3 });
  o.maxIterations = requireInt('gauss.maxIterations', o.maxIterations, 2, 10000);
  requireReal('gauss.thetaTarget', o.thetaTarget, { min: 0.01, max: 0.9 });
  if (typeof o.frozenModes !== 'boolean') throw new ConfigError('gauss.frozenModes', o.frozenModes, 'true or false');
  return o;
}

type SolveOutcome = 'converged' | 'failed' | 'non-finite';

export class GaussLegendre implements Stepper {
  readonly name = 'gauss';
  readonly hasDenseOutput = false;
  t: number;
  tPrev: number;
  dt: number;
  y: Float64Array;
  evaluations = 0;
  rejected = 0;
  accepted = 0;
  /** Fixed-point iterations (each costs 2 evaluations). */
  iterations = 0;
  /** Rejections because the stage equations did not converge (the rest failed the error test). */
  stageFailures = 0;
  private readonly n: number;
  private readonly o: GaussOptions;
  /** f(t, y) at the current state (FSAL from the previous step). */
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly z1: Float64Array;
  private readonly z2: Float64Array;
  private readonly w: Float64Array;
  private readonly yNew: Float64Array;
  /** Stages K2, K3 of the explicit companion. */
  private readonly q2: Float64Array;
  private readonly q3: Float64Array;
  /** Magnitude floor atol_i / rtol of the stage test. */
  private readonly floor: Float64Array;
  /** Collocation polynomial of the last solved step (start tA, size hA, stage slopes). */
  private readonly kA1: Float64Array;
  private readonly kA2: Float64Array;
  private tA = 0;
  private hA = 0;
  private haveAnchor = false;
  /** Contraction rate measured in the last solve (0: converged at the first iteration). */
  private theta = 0;
  private errPrev = 1e-4;
  private lastWasRejected = false;
  private nonFiniteRun = 0;

  constructor(private readonly term: OdeTerm, t0: number, y0: Float64Array, private readonly c: ControllerSettings, options: Partial<GaussOptions> = {}) {
    this.n = term.dim;
    if (y0.length !== this.n) throw new ConfigError('y0', `length ${y0.length}`, `length term.dim = ${this.n}`);
    this.o = gaussOptions(options);
    const n = this.n;
    this.t = t0;
    this.tPrev = t0;
    this.y = Float64Array.from(y0);
    this.f0 = new Float64Array(n);
    this.f1 = new Float64Array(n);
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.z1 = new Float64Array(n);
    this.z2 = new Float64Array(n);
    this.w = new Float64Array(n);
    this.yNew = new Float64Array(n);
    this.q2 = new Float64Array(n);
    this.q3 = new Float64Array(n);
    this.kA1 = new Float64Array(n);
    this.kA2 = new Float64Array(n);
    this.floor = new Float64Array(n);
    for (let i = 0; i < n; i++) this.floor[i] = atolAt(c, i) / c.rtol;
    if (this.o.frozenModes) {
      if (typeof term.freezeModes !== 'function' || typeof term.releaseModes !== 'function') {
        throw new ConfigError('gauss.frozenModes', true, 'false for a term without freezeModes / releaseModes (only piecewise-smooth terms have modes)');
      }
      // Freeze once up front so a term that cannot (e.g. GF with p != 1) fails before any step.
      this.evaluations += term.freezeModes(t0, this.y);
      term.releaseModes();
    }
    this.eval(t0, this.y, this.f0);
    this.dt = c.dt0 > 0 ? c.dt0 : initialStepSize(c, t0, this.y, this.f0, 4, this.w, this.f1, (t, y, out) => this.eval(t, y, out));
  }

  /** True when the derivative at the current accepted state is finite. */
  derivativeFinite(): boolean {
    for (let i = 0; i < this.n; i++) if (!Number.isFinite(this.f0[i])) return false;
    return true;
  }

  diagnostics(): Record<string, number> {
    return { iterations: this.iterations, stageFailures: this.stageFailures };
  }

  private eval(t: number, y: Float64Array, out: Float64Array): void {
    this.evaluations++;
    this.term.rhs(t, y, out);
  }

  /** Initial stage increments: the last collocation polynomial extrapolated, else Euler. */
  private guess(h: number): void {
    const { n, z1, z2, f0 } = this;
    if (!this.haveAnchor) {
      for (let i = 0; i < n; i++) {
        z1[i] = C1 * h * f0[i];
        z2[i] = C2 * h * f0[i];
      }
      return;
    }
    // u'(tA + x hA) = kA1 (x - c2)/(c1 - c2) + kA2 (x - c1)/(c2 - c1); Z_i = u(t + c_i h) - u(t).
    const hA = this.hA;
    const g1 = (x: number): number => (x * x / 2 - C2 * x) / (C1 - C2);
    const g2 = (x: number): number => (x * x / 2 - C1 * x) / (C2 - C1);
    const x0 = (this.t - this.tA) / hA;
    const xa = (this.t + C1 * h - this.tA) / hA, xb = (this.t + C2 * h - this.tA) / hA;
    const a1 = hA * (g1(xa) - g1(x0)), a2 = hA * (g2(xa) - g2(x0));
    const b1 = hA * (g1(xb) - g1(x0)), b2 = hA * (g2(xb) - g2(x0));
    const { kA1, kA2 } = this;
    for (let i = 0; i < n; i++) {
      z1[i] = a1 * kA1[i] + a2 * kA2[i];
      z2[i] = b1 * kA1[i] + b2 * kA2[i];
    }
  }

  /** Fixed-point iteration on the stage increments; on 'converged' k1, k2 are f at the stages. */
  private solve(h: number): SolveOutcome {
    const { n, y, z1, z2, k1, k2, w, floor } = this;
    const { stageRtol, maxIterations } = this.o;
    this.guess(h);
    // Increments of the last two iterations. With Jacobi updates of two coupled stages the
    // increments alternate between faster and slower decrease, so the contraction rate is measured
    // over two iterations: theta = sqrt(d_m / d_(m-2)).
    let d1 = Infinity, d2 = Infinity;
    this.theta = 0;
    for (let m = 1; m <= maxIterations; m++) {
      for (let i = 0; i < n; i++) w[i] = y[i] + z1[i];
      this.eval(this.t + C1 * h, w, k1);
      for (let i = 0; i < n; i++) w[i] = y[i] + z2[i];
      this.eval(this.t + C2 * h, w, k2);
      this.iterations++;
      let d = 0;
      for (let i = 0; i < n; i++) {
        const n1 = h * (A11 * k1[i] + A12 * k2[i]);
        const n2 = h * (A21 * k1[i] + A22 * k2[i]);
        const yi = y[i];
        const mag = Math.max(Math.abs(yi), Math.abs(yi + n1), Math.abs(yi + n2), floor[i]);
        const r = Math.max(Math.abs(n1 - z1[i]), Math.abs(n2 - z2[i])) / (stageRtol * mag);
        // NaN-safe maximum: a NaN or infinite stage value makes d NaN.
        d = r > d || r !== r ? r : d;
        z1[i] = n1;
        z2[i] = n2;
      }
      if (!Number.isFinite(d)) return 'non-finite';
      // Near the roundoff floor (d < 1e-2, increments ~1e-16 relative) ratios are noise: not used.
      const theta = m >= 3 && d > 1e-2 ? Math.sqrt(d / d2) : NaN;
      if (theta === theta) this.theta = theta;
      if (d <= 1) return 'converged';
      if (theta === theta) {
        // No decrease over two iterations: diverging, or cycling (a stage hopping across a kink).
        if (theta >= 1) return 'failed';
        // Hairer & Wanner IV.8: stop early when the forecast increment after the remaining
        // iterations still exceeds the tolerance.
        if (d * theta ** (maxIterations - m) / (1 - theta) > 1) return 'failed';
      }
      d2 = d1;
      d1 = d;
    }
    return 'failed';
  }

  /** Stages and companion, in the piece frozen at y0 when frozenModes; 'converged' leaves yNew, q2, q3. */
  private stagesAndCompanion(h: number): SolveOutcome {
    const s = this.solve(h);
    if (s !== 'converged') return s;
    const { n, y, k1, k2, f0, yNew, w, q2, q3 } = this;
    const t = this.t;
    const hb = 0.5 * h;
    for (let i = 0; i < n; i++) yNew[i] = y[i] + hb * (k1[i] + k2[i]);
    for (let i = 0; i < n; i++) w[i] = y[i] + hb * f0[i];
    this.eval(t + hb, w, q2);
    for (let i = 0; i < n; i++) w[i] = y[i] + h * (2 * q2[i] - f0[i]);
    this.eval(t + h, w, q3);
    return 'converged';
  }

  /** Solve, form y1 and f1 and the companion's error; returns the scaled error norm, or a failure. */
  private trial(h: number): number | 'failed' | 'non-finite' {
    let s: SolveOutcome;
    if (this.o.frozenModes) {
      // f0 = f(y0) was evaluated in y0's own piece, which is the frozen one (equal numbers).
      this.evaluations += this.term.freezeModes!(this.t, this.y);
      try {
        s = this.stagesAndCompanion(h);
      } finally {
        this.term.releaseModes!();
      }
    } else s = this.stagesAndCompanion(h);
    if (s !== 'converged') return s;
    const { n, y, k1, k2, f0, f1, yNew, q2, q3, c } = this;
    // f(y1) last (in y1's own piece): the next step's f0, and the state the term evaluated last,
    // so a loss query at the accepted state reuses it (GradientFlowTerm.lossAt).
    this.eval(this.t + h, yNew, f1);
    const rms = c.norm === 'rms';
    const h6 = h / 6;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = yNew[i] - (y[i] + h6 * (f0[i] + 4 * q2[i] + q3[i]));
      const sc = atolAt(c, i) + c.rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      const r = e / sc;
      if (rms) acc += r * r;
      else {
        const ar = Math.abs(r);
        acc = ar > acc || ar !== ar ? ar : acc;
      }
    }
    const err = rms ? Math.sqrt(acc / n) : acc;
    if (!Number.isFinite(err)) return 'non-finite';
    // The solved stages define a collocation polynomial from (t, y): the next guess, accepted or not.
    this.kA1.set(k1);
    this.kA2.set(k2);
    this.tA = this.t;
    this.hA = h;
    this.haveAnchor = true;
    return err;
  }

  private accept(tEnd: number): void {
    this.tPrev = this.t;
    this.y.set(this.yNew);
    this.f0.set(this.f1);
    this.t = tEnd;
    this.accepted++;
    this.lastWasRejected = false;
    this.nonFiniteRun = 0;
  }

  /** A failed solve or a non-finite trial: shrink, forget the (invalid) stage polynomial. */
  private failure(h: number, kind: 'failed' | 'non-finite'): AttemptOutcome {
    this.rejected++;
    this.lastWasRejected = true;
    this.haveAnchor = false;
    const c = this.c;
    if (kind === 'non-finite') {
      if (++this.nonFiniteRun > MAX_NONFINITE_RETRIES) return 'non-finite';
      this.dt = h * c.minFactor;
    } else {
      this.stageFailures++;
      const t = this.theta > 0 ? this.o.thetaTarget / this.theta : 0.5;
      this.dt = h * Math.min(0.5, Math.max(c.minFactor, t));
    }
    return this.dt < c.dtMin ? 'underflow' : 'rejected';
  }

  attempt(tLimit: number): AttemptOutcome {
    const c = this.c;
    const remaining = tLimit - this.t;
    let h = Math.min(this.dt, c.dtMax);
    const lastStep = h >= remaining * (1 - 1e-12);
    if (lastStep) h = remaining;
    else if (h < c.dtMin) return 'underflow';
    const err = this.trial(h);
    if (typeof err !== 'number') return this.failure(h, err);
    if (err <= 1) {
      // PI controller (dopri5's, exponents for an h^4 estimate), then the contraction limit.
      let fac = err === 0 ? c.maxFactor : c.safety * err ** -(c.beta1 + 0.05) * this.errPrev ** c.beta2;
      fac = Math.min(this.lastWasRejected ? 1 : c.maxFactor, Math.max(c.minFactor, fac));
      if (this.theta > 0) fac = Math.min(fac, Math.max(c.minFactor, this.o.thetaTarget / this.theta));
      this.errPrev = Math.max(err, 1e-4);
      this.accept(lastStep ? tLimit : this.t + h);
      this.dt = lastStep ? Math.max(this.dt, h * fac) : h * fac;
      return 'accepted';
    }
    this.rejected++;
    this.lastWasRejected = true;
    this.nonFiniteRun = 0;
    this.dt = h * Math.max(c.minFactor, c.safety * err ** -0.25);
    return this.dt < c.dtMin ? 'underflow' : 'rejected';
  }

  /**
   * One step of exactly h without error control (convergence studies, fixed-step use). The stage
   * equations must still converge: otherwise 'rejected' (or 'non-finite') and the state is unchanged.
   */
  fixedStep(h: number): AttemptOutcome {
    requireReal('h', h, { min: 0, minExclusive: true });
    const err = this.trial(h);
    if (typeof err !== 'number') {
      this.rejected++;
      this.haveAnchor = false;
      if (err === 'failed') this.stageFailures++;
      return err === 'failed' ? 'rejected' : 'non-finite';
    }
    this.accept(this.t + h);
    return 'accepted';
  }

  interpolate(): void {
    throw new Error('gauss has no dense output; integrate() stops at save times instead');
  }
}
