/**
 * Non-negative least squares by the active-set method of Lawson & Hanson (1974, ch. 23), in Gram
 * form: minimise ||G lambda - t||^2 over lambda >= 0 given only Q = G^T G (k x k) and c = G^T t.
 * The KKT fit (kkt.ts) has far more rows (parameters) than columns (training points), so working
 * with the k x k Gram matrix is both cheaper and exact in the same sense as the normal equations.
 *
 * Passive-set subproblems Q_PP s = c_P are solved by Cholesky with a ridge of 1e-14 * max diag
 * (columns of G can be dependent: two points activating the same neurons identically).
 */
import { requireInt } from '../validate.ts';

export interface NnlsResult {
  lambda: Float64Array;
  /** Outer iterations (columns added to the passive set). */
  iterations: number;
  /** max over the zero set of the gradient c - Q lambda (<= tol at the optimum). */
  dualResidual: number;
}

/** Cholesky solve of the m x m system A s = b (A row-major, overwritten). Returns false if not PD. */
function choleskySolve(A: Float64Array, b: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    let s = A[j * m + j];
    for (let k = 0; k < j; k++) s -= A[j * m + k] * A[j * m + k];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let t = A[i * m + j];
      for (let k = 0; k < j; k++) t -= A[i * m + k] * A[j * m + k];
      A[i * m + j] = t / l;
    }
  }
  for (let i = 0; i < m; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= A[i * m + k] * b[k];
    b[i] = t / A[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < m; k++) t -= A[k * m + i] * b[k];
    b[i] = t / A[i * m + i];
  }
  return true;
}

/**
 * Lawson-Hanson NNLS on the Gram form. Q: k x k row-major symmetric PSD; c: length k.
 * tol: a column enters the passive set only if its gradient exceeds tol * max(1, max|c|).
 */
export function nnlsGram(Q: Float64Array, c: Float64Array, k: number, tol = 1e-12, maxIter = 0): NnlsResult {
  requireInt('k', k, 1, 1e5);
  if (Q.length !== k * k || c.length !== k) throw new RangeError(`nnlsGram: Q must be ${k}x${k} and c of length ${k}`);
  const limit = maxIter > 0 ? maxIter : 3 * k + 10;
  let cmax = 1;
  let dmax = 0;
  for (let i = 0; i < k; i++) {
    cmax = Math.max(cmax, Math.abs(c[i]));
    dmax = Math.max(dmax, Q[i * k + i]);
  }
  const ridge = 1e-14 * dmax;
  const thr = tol * cmax;
  const lambda = new Float64Array(k);
  const passive = new Uint8Array(k);
  const w = new Float64Array(k);
  const s = new Float64Array(k);
  const gradient = (): void => {
    for (let i = 0; i < k; i++) {
      let t = c[i];
      for (let j = 0; j < k; j++) t -= Q[i * k + j] * lambda[j];
      w[i] = t;
    }
  };
  /** Solve the passive subproblem into s (zero off P); false if singular. */
  const solvePassive = (): boolean => {
    const P: number[] = [];
    for (let i = 0; i < k; i++) if (passive[i]) P.push(i);
    const m = P.length;
    const A = new Float64Array(m * m);
    const b = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      b[a] = c[P[a]];
      for (let e = 0; e < m; e++) A[a * m + e] = Q[P[a] * k + P[e]] + (a === e ? ridge : 0);
    }
    if (!choleskySolve(A, b, m)) return false;
    s.fill(0);
    for (let a = 0; a < m; a++) s[P[a]] = b[a];
    return true;
  };
  let iterations = 0;
  gradient();
  while (iterations < limit) {
    let jBest = -1;
    let wBest = thr;
    for (let i = 0; i < k; i++) if (!passive[i] && w[i] > wBest) { wBest = w[i]; jBest = i; }
    if (jBest < 0) break;
    iterations++;
    passive[jBest] = 1;
    for (let inner = 0; inner < 3 * k + 10; inner++) {
      if (!solvePassive()) {
        passive[jBest] = 0;
        break;
      }
      let allPositive = true;
      for (let i = 0; i < k; i++) if (passive[i] && s[i] <= 0) allPositive = false;
      if (allPositive) {
        lambda.set(s);
        break;
      }
      let alpha = Infinity;
      for (let i = 0; i < k; i++) {
        if (passive[i] && s[i] <= 0) alpha = Math.min(alpha, lambda[i] / (lambda[i] - s[i]));
      }
      for (let i = 0; i < k; i++) {
        if (!passive[i]) continue;
        lambda[i] += alpha * (s[i] - lambda[i]);
        if (lambda[i] <= 1e-15 * cmax) {
          lambda[i] = 0;
          passive[i] = 0;
        }
      }
    }
    gradient();
    // A column that could not be solved for is excluded from further entry.
    if (!passive[jBest] && lambda[jBest] === 0 && w[jBest] > thr) w[jBest] = 0;
  }
  let dualResidual = 0;
  for (let i = 0; i < k; i++) if (!passive[i]) dualResidual = Math.max(dualResidual, w[i]);
  return { lambda, iterations, dualResidual };
}
