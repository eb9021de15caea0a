/**
 * Types for ode45-cash-karp 1.1.0 (scijs, CommonJS, ships none). Only what src/dynamics/solver/
 * uses; behaviour notes from reading lib/index.js (see ../shared/PACKAGES.md):
 * - `verbose` defaults to true and prints to stdout;
 * - `dtMinMag` defaults to 0 (steps can shrink forever) and, when reached, the step is ACCEPTED
 *   whatever its error (the wrapper detects that and reports step-size underflow);
 * - the error test is max_i |err_i| / errorScaleFunction(i, ...) < tol;
 * - a non-finite error estimate throws `Error('... NaN encountered ...')`.
 */
declare module 'ode45-cash-karp' {
  type Vec = Float64Array | number[];
  export interface CashKarpOptions {
    tol?: number;
    maxIncreaseFactor?: number;
    maxDecreaseFactor?: number;
    dtMinMag?: number;
    dtMaxMag?: number;
    verbose?: boolean;
    safetyFactor?: number;
    errorScaleFunction?: (i: number, dt: number, y: number, dydt: number) => number;
    errorReduceFunction?: (i: number, accumulated: number, errorEstimate: number) => number;
    errorPostFunction?: (accumulated: number) => number;
  }
  export interface CashKarpIntegrator {
    /** Current state (the y0 array passed in, updated in place). */
    y: Vec;
    t: number;
    /** Step size proposed for the next step. */
    dt: number;
    tol: number;
    /** One adaptive step, not past tLimit; false once tLimit is reached. */
    step(tLimit?: number): boolean;
    steps(n: number, tLimit?: number): boolean | undefined;
  }
  function ode45(
    y0: Vec,
    deriv: (dydt: Vec, y: Vec, t: number) => void,
    t0: number,
    dt0: number,
    options?: CashKarpOptions,
  ): CashKarpIntegrator;
  export default ode45;
}
