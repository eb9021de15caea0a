/**
 * Dormand-Prince 5(4) with FSAL, a PI step-size controller, a mixed atol/rtol error norm and the
 * scheme's native 4th-order dense output (coefficients as in SciPy's RK45, from Hairer's DOPRI5).
 *
 * Why our own next to ode45-cash-karp (PACKAGES.md): FSAL saves one evaluation per step (6 vs 6+),
 * dense output lets save points fall inside steps instead of cutting them, the PI controller damps
 * the accept/reject oscillation that the p = 1 discontinuity of the ReLU vector field provokes
 * (PAPER.md sections 3 and 9), and the step floor is enforced and reported, never silently accepted.
 */
import type { AttemptOutcome, ControllerSettings, OdeTerm, Stepper } from './types.ts';
import { atolAt, initialStepSize } from './stepSize.ts';

const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
/** b - bhat (5th minus embedded 4th order weights); the 7th stage is the FSAL derivative. */
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;
/** Dense output: y(t + x h) = y + h sum_s k_s sum_m P[s][m] x^(m+1) (SciPy RK45.P). */
const P: readonly (readonly number[])[] = [
  [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
  [0, 0, 0, 0],
  [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
  [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
  [0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
  [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
  [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
];

/** Consecutive non-finite trial stages tolerated (each shrinks the step) before giving up. */
const MAX_NONFINITE_RETRIES = 12;

export class Dopri5 implements Stepper {
  readonly name = 'dopri5';
  readonly hasDenseOutput = true;
  t: number;
  tPrev: number;
  dt: number;
  y: Float64Array;
  evaluations = 0;
  rejected = 0;
  accepted = 0;
  private readonly n: number;
  private readonly yPrev: Float64Array;
  private readonly k: Float64Array[];
  private readonly w: Float64Array;
  private readonly yNew: Float64Array;
  private errPrev = 1e-4;
  private lastWasRejected = false;
  private nonFiniteRun = 0;
  private hStep = 0;
  private readonly stageWeights = new Float64Array(7);
  private readonly kd1: Float64Array;

  constructor(private readonly term: OdeTerm, t0: number, y0: Float64Array, private readonly c: ControllerSettings) {
    this.n = term.dim;
    if (y0.length !== this.n) throw new Error(`dopri5: y0 has ${y0.length} components, term.dim = ${this.n}`);
    this.t = t0;
    this.tPrev = t0;
    this.y = Float64Array.from(y0);
    this.yPrev = Float64Array.from(y0);
    this.k = Array.from({ length: 7 }, () => new Float64Array(this.n));
    this.w = new Float64Array(this.n);
    this.yNew = new Float64Array(this.n);
    this.kd1 = new Float64Array(this.n);
    this.eval(t0, this.y, this.k[0]);
    this.dt = c.dt0 > 0 ? c.dt0 : this.initialStep();
  }

  /** True when the derivative at the current accepted state is finite. */
  derivativeFinite(): boolean {
    const k1 = this.k[0];
    for (let i = 0; i < this.n; i++) if (!Number.isFinite(k1[i])) return false;
    return true;
  }

  private eval(t: number, y: Float64Array, out: Float64Array): void {
    this.evaluations++;
    this.term.rhs(t, y, out);
  }

  private atol(i: number): number {
    return atolAt(this.c, i);
  }

  /** Hairer-Norsett-Wanner's starting step (stepSize.ts), IORD = 5. */
  private initialStep(): number {
    return initialStepSize(this.c, this.t, this.y, this.k[0], 5, this.w, this.k[1], (t, y, out) => this.eval(t, y, out));
  }

  attempt(tLimit: number): AttemptOutcome {
    const { n, y, w, k, c } = this;
    const [k1, k2, k3, k4, k5, k6, k7] = k;
    const remaining = tLimit - this.t;
    let h = Math.min(this.dt, c.dtMax);
    const lastStep = h >= remaining * (1 - 1e-12);
    if (lastStep) h = remaining;
    else if (h < c.dtMin) return 'underflow';
    const t = this.t;
    for (let i = 0; i < n; i++) w[i] = y[i] + h * A21 * k1[i];
    this.eval(t + C2 * h, w, k2);
    for (let i = 0; i < n; i++) w[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    this.eval(t + C3 * h, w, k3);
    for (let i = 0; i < n; i++) w[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    this.eval(t + C4 * h, w, k4);
    for (let i = 0; i < n; i++) w[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    this.eval(t + C5 * h, w, k5);
    for (let i = 0; i < n; i++) w[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    this.eval(t + h, w, k6);
    const yNew = this.yNew;
    for (let i = 0; i < n; i++) yNew[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
    this.eval(t + h, yNew, k7);

    const rms = c.norm === 'rms';
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
      const sc = this.atol(i) + c.rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      const r = e / sc;
      if (rms) acc += r * r;
      else acc = Math.max(acc, Math.abs(r));
    }
    const err = rms ? Math.sqrt(acc / n) : acc;

    if (!Number.isFinite(err) || !Number.isFinite(acc)) {
      this.rejected++;
      this.lastWasRejected = true;
      if (++this.nonFiniteRun > MAX_NONFINITE_RETRIES) return 'non-finite';
      this.dt = h * c.minFactor;
      return this.dt < c.dtMin ? 'underflow' : 'rejected';
    }
    this.nonFiniteRun = 0;

    if (err <= 1) {
      // PI controller (Hairer & Wanner IV.2): remembers the previous error to damp oscillation.
      let fac = err === 0 ? c.maxFactor : c.safety * err ** -c.beta1 * this.errPrev ** c.beta2;
      fac = Math.min(this.lastWasRejected ? 1 : c.maxFactor, Math.max(c.minFactor, fac));
      this.errPrev = Math.max(err, 1e-4);
      this.tPrev = t;
      this.yPrev.set(y);
      this.hStep = h;
      y.set(yNew);
      this.t = lastStep ? tLimit : t + h;
      // FSAL: the last stage is the derivative at the new state. The step's first stage is kept in
      // kd1 for dense output (valid until the next attempt overwrites k2..k7).
      this.kd1.set(k1);
      k1.set(k7);
      this.dt = lastStep ? Math.max(this.dt, h * fac) : h * fac;
      this.accepted++;
      this.lastWasRejected = false;
      return 'accepted';
    }
    this.rejected++;
    this.lastWasRejected = true;
    const fac = Math.max(c.minFactor, c.safety * err ** -0.2);
    this.dt = h * fac;
    return this.dt < c.dtMin ? 'underflow' : 'rejected';
  }

  /** Dense output on [tPrev, t] of the last accepted step; valid until the next attempt. */
  interpolate(tq: number, out: Float64Array): void {
    const h = this.hStep;
    if (h === 0) {
      out.set(this.y);
      return;
    }
    const x = (tq - this.tPrev) / h;
    const x2 = x * x, x3 = x2 * x, x4 = x3 * x;
    const { n, k, yPrev, kd1 } = this;
    const q = this.stageWeights;
    for (let s = 0; s < 7; s++) q[s] = P[s][0] * x + P[s][1] * x2 + P[s][2] * x3 + P[s][3] * x4;
    const [, k2, k3, k4, k5, k6, k7] = k;
    for (let i = 0; i < n; i++) {
      out[i] = yPrev[i] + h * (q[0] * kd1[i] + q[2] * k3[i] + q[3] * k4[i] + q[4] * k5[i] + q[5] * k6[i] + q[6] * k7[i] + q[1] * k2[i]);
    }
  }
}
