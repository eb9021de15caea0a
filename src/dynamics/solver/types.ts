/**
 * The solver layer's vocabulary, kept apart as in diffrax / SciPy solve_ivp: a right-hand-side
 * term, a stepper (the Runge-Kutta scheme), step-size control settings and save points. Gradient
 * flow (PAPER.md section 3) is one term among others; nothing here knows about networks.
 */
import type { GaussOptions } from './gauss.ts';

/** dy/dt = rhs(t, y), written into `dydt` (no allocation per call). */
export interface OdeTerm {
  readonly dim: number;
  rhs(t: number, y: Float64Array, dydt: Float64Array): void;
  /**
   * Piecewise-smooth terms (optional capability): fix the smooth piece selected at y, so that
   * every rhs call until releaseModes() evaluates that piece's field (a smooth extension of it
   * beyond the piece's region), not the piece the evaluation point lies in. For a discontinuous
   * field such as p = 1 gradient flow (the ReLU activation pattern, network/gradient.ts) this makes
   * the stage equations of an implicit step solvable across a switching surface (solver/gauss.ts,
   * frozenModes). Freezing at the same y again is idempotent. Returns the number of rhs-equivalent
   * evaluations it cost (0 when the piece at y is already known, e.g. from the last rhs at y).
   * May throw a ConfigError when the term cannot freeze (e.g. gradient flow with p != 1).
   */
  freezeModes?(t: number, y: Float64Array): number;
  /** Back to the piece of each evaluation point (the term's own field). */
  releaseModes?(): void;
}

/** How a step's error is reduced over components. */
export type ErrorNorm = 'rms' | 'max';

/**
 * Step-size control. The local error test is mixed absolute/relative:
 * |err_i| <= atol_i + rtol * max(|y_i|, |y_new_i|) (reduced by `norm`), so components that start
 * at 1e-7 (PAPER.md section 9) are not held to a purely relative standard.
 */
export interface ControllerSettings {
  rtol: number;
  /** Scalar, or one value per component (e.g. scaled to the initial state). */
  atol: number | Float64Array;
  norm: ErrorNorm;
  /** Absolute step floor; a step that must go below it stops integration ('step-underflow'). */
  dtMin: number;
  dtMax: number;
  /** First trial step; 0 picks one from the initial derivative (Hairer, Norsett, Wanner II.4). */
  dt0: number;
  safety: number;
  /** Bounds on the ratio new/old step. */
  minFactor: number;
  maxFactor: number;
  /** PI control exponents (Hairer & Wanner IV.2, Gustafsson): factor = err^-beta1 * errPrev^beta2. */
  beta1: number;
  beta2: number;
}

export const DEFAULT_CONTROLLER: ControllerSettings = {
  rtol: 1e-6,
  atol: 1e-9,
  norm: 'rms',
  dtMin: 1e-12,
  dtMax: Infinity,
  dt0: 0,
  safety: 0.9,
  minFactor: 0.2,
  maxFactor: 10,
  beta1: 0.17,
  beta2: 0.04,
};

/**
 * Outcome of one attempted step. 'underflow': the step would go below the floor, state unchanged.
 * 'floor': a step was taken at the floor without passing the error test (Cash-Karp's behaviour).
 */
export type AttemptOutcome = 'accepted' | 'rejected' | 'underflow' | 'floor' | 'non-finite';

/**
 * A stepper owns the current state and advances it one attempted step at a time.
 * `hasDenseOutput` steppers can interpolate anywhere in the last accepted step, so save points do
 * not cut steps; the others are asked to stop exactly at each save time.
 */
export interface Stepper {
  readonly name: string;
  readonly hasDenseOutput: boolean;
  /** Time and state after the last accepted step. */
  readonly t: number;
  readonly y: Float64Array;
  /** Start of the last accepted step. */
  readonly tPrev: number;
  /** Step size the controller proposes next. */
  readonly dt: number;
  readonly evaluations: number;
  readonly rejected: number;
  readonly accepted: number;
  /** One attempt towards tLimit (never past it). Cash-Karp's attempts include its inner retries. */
  attempt(tLimit: number): AttemptOutcome;
  /** Dense output on [tPrev, t]; only for hasDenseOutput steppers. */
  interpolate(t: number, out: Float64Array): void;
  /** False when the derivative at the initial state is not finite (steppers that evaluate it up front). */
  derivativeFinite?(): boolean;
  /** Stepper-specific counters (e.g. the Gauss stage solve's iterations and failures). */
  diagnostics?(): Record<string, number>;
}

export type SolverName = 'dopri5' | 'cash-karp' | 'gauss';
export const SOLVER_NAMES = ['dopri5', 'cash-karp', 'gauss'] as const;

/** Why integrate() returned. */
export type StopReason = 'final-time' | 'stop-condition' | 'max-steps' | 'step-underflow' | 'non-finite' | 'wall-time';

export interface IntegrateOptions {
  term: OdeTerm;
  solver: SolverName;
  t0: number;
  t1: number;
  y0: Float64Array;
  controller?: Partial<ControllerSettings>;
  /** Increasing save times in [t0, t1]; onSave is called at each one reached. */
  saveAt?: ArrayLike<number>;
  onSave?: (t: number, y: Float64Array) => void;
  /** Checked at t0 and after every accepted step; true stops with 'stop-condition'. */
  stopWhen?: (t: number, y: Float64Array) => boolean;
  /** Limit on attempted steps (accepted + rejected), so a thrashing controller cannot hang. */
  maxSteps?: number;
  wallTimeMs?: number;
  /** Called after every accepted step (progress display). */
  onStep?: (t: number, stats: SolverStats) => void;
  /** Settings of the Gauss stage solve (solver 'gauss' only; gauss.ts). */
  gauss?: Partial<GaussOptions>;
}

export interface SolverStats {
  steps: number;
  rejected: number;
  evaluations: number;
}

export interface IntegrateResult extends SolverStats {
  reason: StopReason;
  solver: SolverName;
  /** Time reached and the state there (a fresh copy). */
  t: number;
  y: Float64Array;
  /** Number of save points delivered to onSave. */
  saved: number;
  /** Last proposed step size. */
  dt: number;
  wallMs: number;
  /** Stepper-specific counters, when the stepper has any (Gauss: iterations, stageFailures). */
  diagnostics?: Record<string, number>;
}
