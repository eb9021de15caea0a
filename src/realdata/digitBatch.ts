/**
 * APGD-CE's objective on the 10-class net (multiclass.ts, PAPER.md s.8) for many points at once,
 * for robustness/apgdBatch.ts: the loss CE = logsumexp(l) - l_y, its input gradient and the margin
 * l_y - max_{c != y} l_c of every row, as multiclassCeObjective computes them for one point.
 * With a_j = u_j t_j / s (t_j = uhat_j^(p-1), 1/s = ||x~||^(1-p)) and logits l = V a + b, the input
 * gradient of CE is, for k_c = softmax_c(l) - 1{c = y} and E_j = sum_c k_c V_cj,
 *   g = sum_j E_j p t_j / s w_j - (p-1) (sum_j E_j a_j) x~ / ||x~||^2
 * (the second term with input normalisation and p != 1; multiclass.ts's file comment).
 * On the WebAssembly kernels the two products are the engine's resident-weight dots (U = X~ W^T;
 * G = Coef W with W^T transposed once; W, the centre and W^T packed into linear memory once, at
 * freeze time, and multiplied by `dotsResident` with the numbers of `dots`), as frozenBatch.ts does
 * for the parity net; the elementwise part is in JS.
 * With the 'js' backend every row goes through multiclass.ts's freezeMulticlass (bit-identical to
 * the single-point objective). This file reads MulticlassNet's fields and does not change it.
 */
import { inverseNorms, powq, rowNorm } from '../network/activation.ts';
import { kernelBackend, requireKernelBackend, wasmEngine, type KernelBackend } from '../network/kernels.ts';
import { batchKernelsFit, transposeRows } from '../network/frozenBatch.ts';
import type { BatchObjective } from '../robustness/apgdBatch.ts';
import { softmaxCe, untargetedMargin } from '../robustness/model.ts';
import { ConfigError } from '../validate.ts';
import { freezeMulticlass, type MulticlassNet } from './multiclass.ts';

/** The 10-class net's CE objective for batches of points with fixed weights (the net must not change; on wasm W is packed at freeze time). */
export interface DigitsBatchModel {
  readonly dim: number;
  readonly classes: number;
  readonly backend: KernelBackend;
  /** The objective of points with these labels (0..C-1), for apgdBatch. */
  objective(labels: ArrayLike<number>): BatchObjective;
}

export function freezeDigitsBatch(net: MulticlassNet, backend: KernelBackend = kernelBackend()): DigitsBatchModel {
  const { D, h, p, C, W, V, b, centre, normalise } = net;
  if (centre.length !== D || W.length !== h * D || V.length !== C * h || b.length !== C) {
    throw new ConfigError('net', `D=${D}, h=${h}, C=${C} with W ${W.length}, V ${V.length}, b ${b.length}, centre ${centre.length}`, 'arrays of h*D, C*h, C and D entries');
  }
  const wasm = requireKernelBackend('kernels', backend) === 'wasm-simd' && batchKernelsFit(h, D);
  const q = p - 1;
  const radialOn = normalise && p !== 1;
  // Per-row state (grown on demand): U (m x h), T, A, Coef (m x h), logits (m x C), ||x~||, 1/s.
  let cap = 0;
  let U = new Float64Array(0), T = new Float64Array(0), A = new Float64Array(0), Coef = new Float64Array(0);
  let L = new Float64Array(0), xnA = new Float64Array(0), iSA = new Float64Array(0);
  const grow = (m: number): void => {
    if (m <= cap) return;
    cap = m;
    U = new Float64Array(m * h); T = new Float64Array(m * h); A = new Float64Array(m * h); Coef = new Float64Array(m * h);
    L = new Float64Array(m * C); xnA = new Float64Array(m); iSA = new Float64Array(m);
  };
  const kc = new Float64Array(C);
  // js: the single-point snapshot, row by row.
  const single = wasm ? null : freezeMulticlass(net);
  const invNorm = wasm ? inverseNorms(W, h, D, new Float64Array(h)) : null;
  // Packed once (snapshots of W, centre and W^T; engine.ts `resident`).
  const Wres = wasm ? wasmEngine().resident(W, h, D, centre) : null;
  const WtRes = wasm ? wasmEngine().resident(transposeRows(W, h, D), D, h, null) : null;

  /** Logits of the m rows of X into L (and U, T, A, norms for the gradient). */
  const forwardWasm = (X: Float64Array, m: number): void => {
    wasmEngine().dotsResident(Wres!, X, m, U);
    for (let t = 0; t < m; t++) {
      const xn = radialOn ? rowNorm(X, t * D, D, centre) : 1;
      const iS = !radialOn ? 1 : xn > 0 ? Math.pow(xn, 1 - p) : 0;
      xnA[t] = xn;
      iSA[t] = iS;
      const o = t * h;
      for (let j = 0; j < h; j++) {
        const uj = U[o + j];
        const tj = uj > 0 && iS !== 0 ? powq(uj * invNorm![j], q) : 0;
        T[o + j] = tj;
        A[o + j] = tj === 0 ? 0 : uj * tj * iS;
      }
      for (let c = 0; c < C; c++) {
        let s = b[c];
        const vo = c * h;
        for (let j = 0; j < h; j++) s += V[vo + j] * A[o + j];
        L[t * C + c] = s;
      }
    }
  };

  return {
    dim: D, classes: C, backend: wasm ? 'wasm-simd' : 'js',
    objective(labels: ArrayLike<number>): BatchObjective {
      const size = labels.length;
      if (size === 0) throw new ConfigError('labels', 'an empty list', 'at least one label');
      for (let i = 0; i < size; i++) if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < C)) throw new ConfigError(`labels[${i}]`, labels[i], `a class in 0..${C - 1}`);
      return {
        dim: D, size,
        evaluate(points, m, X, loss, margin, G) {
          if (X.length < m * D) throw new ConfigError('X', `Float64Array(${X.length})`, `m*D = ${m * D} entries`);
          if (m === 0) return;
          grow(m);
          /** Loss and margin of row t from its logits, and k = dCE/dl into kc when `grad`. */
          const ce = (t: number, grad: boolean): void => {
            // The attack objectives' one CE (robustness/model.ts).
            const y = labels[points[t]];
            margin[t] = untargetedMargin(L, t * C, C, y);
            loss[t] = softmaxCe(L, t * C, C, y, grad ? kc : null);
          };
          if (single !== null) {
            // freezeMulticlass's backward works at the x of its last logits call: one row at a time.
            for (let t = 0; t < m; t++) {
              const x = X.subarray(t * D, (t + 1) * D);
              single.logits(x, L.subarray(t * C, (t + 1) * C));
              ce(t, G !== null);
              if (G !== null) single.backward(kc, G.subarray(t * D, (t + 1) * D));
            }
            return;
          }
          forwardWasm(X, m);
          for (let t = 0; t < m; t++) {
            ce(t, G !== null);
            if (G === null) continue;
            // Coef row t, and the radial coefficient (into xnA[t], applied after the product).
            const o = t * h, iS = iSA[t];
            let ea = 0;
            for (let j = 0; j < h; j++) {
              const tj = T[o + j];
              if (tj === 0) {
                Coef[o + j] = 0;
                continue;
              }
              let ej = 0;
              for (let c = 0; c < C; c++) ej += kc[c] * V[c * h + j];
              ea += ej * A[o + j];
              Coef[o + j] = ej * p * tj * iS;
            }
            const xn = xnA[t];
            xnA[t] = radialOn && xn > 0 ? (-(p - 1) * ea) / (xn * xn) : 0;
          }
          if (G === null) return;
          wasmEngine().dotsResident(WtRes!, Coef, m, G);
          for (let t = 0; t < m; t++) {
            const k = xnA[t];
            if (k === 0) continue;
            const o = t * D;
            for (let i = 0; i < D; i++) G[o + i] += k * (X[o + i] - centre[i]);
          }
        },
      };
    },
  };
}
