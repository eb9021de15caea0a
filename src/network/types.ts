/**
 * The shared shapes of the pReLU network module (PAPER.md s.2, s.3). This contract is fixed:
 * the gradient-flow integrator and the attacks code against it.
 */

/**
 * f_p(x) = sum_j v_j relu(<x~, w_j>)^p / (||w_j||^(p-1) * s(x)) + b       (PAPER.md s.2)
 * with x~ = x - centre (or x when centre is null) and s(x) = ||x~||^(p-1) when `normalise`,
 * else 1. See forward.ts for the conventions at w_j = 0 and x~ = 0.
 */
export interface PReluNet {
  D: number;
  h: number;
  p: number;
  /** h x D row-major; MAY be a subarray view of a packed state vector. */
  W: Float64Array;
  /** Length h; MAY be a subarray view. */
  v: Float64Array;
  /** Output bias (0 and untouched unless hasBias). */
  b: number;
  hasBias: boolean;
  /** xbar for input centring, or null. */
  centre: Float64Array | null;
  /** Divide every unit by ||x - xbar||^(p-1) (the authors' MNIST recipe, PAPER.md s.2). */
  normalise: boolean;
}

/** l(z) = exp(-z) ('exp') or log(1 + exp(-z)) ('logistic'), PAPER.md s.3. */
export type LossKind = 'exp' | 'logistic';

/** L = sum_i l(y_i f(x_i)) ('sum') or that sum divided by n ('mean'). */
export interface LossOptions {
  loss: LossKind;
  reduction: 'sum' | 'mean';
}

/**
 * How lossAndGrad selects the active units (gradient.ts):
 * - 'live' (default): unit j is active on sample i iff u_ij = <x~_i, w_j> > 0;
 * - 'record': the same, and the pattern (u_ij > 0) is written to Workspace.mask (entry i*h + j);
 * - 'frozen': unit j is active on sample i iff mask[i*h + j] != 0, whatever the sign of u_ij
 *   (p = 1 only). For a fixed pattern the p = 1 net is linear in each w_j, so the loss is a smooth
 *   function of the parameters: one smooth piece of the piecewise-smooth field (solver/gauss.ts).
 */
export type ActivationPattern = 'live' | 'record' | 'frozen';

/** dL/dW (h x D row-major), dL/dv (h) and dL/db (0 when the net has no bias). */
export interface NetGrad {
  W: Float64Array;
  v: Float64Array;
  b: number;
}

/**
 * Preallocated buffers for lossAndGrad / forward, so a training loop allocates nothing per call.
 * Sized for a fixed h and at most `capacity` samples per call.
 */
export interface Workspace {
  readonly h: number;
  readonly capacity: number;
  /**
   * min(capacity, 64) x h: coefficient of x~_i in dL/dw_j for each (sample, unit) of the current
   * block of rows (0 for inactive units).
   */
  readonly C: Float64Array;
  /** 2h: <x~_i, w_j> for the current pair of rows (row r of the pair at offset r*h). */
  readonly u: Float64Array;
  /** h: uhat_j^(p-1) for the current row, 0 for inactive units. */
  readonly pw: Float64Array;
  /** h: 1/||w_j|| (0 when w_j = 0). */
  readonly invNorm: Float64Array;
  /** h: per-unit sums for the radial part of dL/dw_j and the column sums of C. */
  readonly radial: Float64Array;
  readonly colSum: Float64Array;
  /** capacity: margins y_i f(x_i) of the last lossAndGrad call in entries 0..n-1 (forward leaves it). */
  readonly margins: Float64Array;
  /** capacity: outputs f(x_i) of the last lossAndGrad call in entries 0..n-1. */
  readonly f: Float64Array;
  /** Gather buffers for the sparse accumulation of dL/dW (kernels.ts). */
  readonly gatherIdx: Int32Array;
  readonly gatherCoef: Float64Array;
  /**
   * Kernels for calls with this workspace: 'wasm-simd' or 'js' (kernels.ts), or null for the
   * process default (kernelBackend()) at the time of each call.
   */
  readonly kernels: 'wasm-simd' | 'js' | null;
  /**
   * Activation pattern, n x h (1: unit j active on sample i, at i*h + j): written by lossAndGrad
   * with pattern 'record' (allocated then, capacity x h, if null or too short), read with
   * 'frozen'; null until first recorded. A caller may point it at a buffer of its own (length
   * >= n*h) to keep several patterns (formulation.ts keeps the frozen and the last recorded one).
   */
  mask: Uint8Array | null;
}
