/**
 * The two dense products that dominate the cost of a pReLU net (PAPER.md s.3):
 *   forward   u_ij = <x_i - xbar, w_j>            (n x h x D multiply-adds)
 *   backward  dW_j += sum_i C_ij x_i              (n x h x D multiply-adds, only active C_ij)
 *
 * Two implementations, chosen per call (kernelBackend / Workspace.kernels):
 * - 'wasm-simd': WebAssembly f64x2 kernels assembled from wasm/kernels.wat at load (wasm/load.ts,
 *   wasm/engine.ts): packed, cache-blocked register tiles, ~5-10x the plain loops.
 * - 'js': the register-blocked Float64Array loops below, the reference and the fallback (an
 *   engine without WebAssembly SIMD, or PRELU_KERNELS=js). Plain JS cannot vectorise, so
 *   blocking is what buys speed here: four units share each load of x (forward), four samples
 *   share each load/store of dW_j (backward).
 * The two agree to rounding (different summation order, and fused multiply-adds in wasm where the
 * CPU has them); test/network.kernels.test.ts checks 1e-12 relative agreement.
 */
import { ConfigError } from '../validate.ts';
import { loadedKernels, wasmLoadFailure } from './wasm/load.ts';
import { WasmEngine } from './wasm/engine.ts';

export type KernelBackend = 'wasm-simd' | 'js';

const KERNEL_BACKENDS: readonly KernelBackend[] = ['wasm-simd', 'js'];

function initialBackend(): KernelBackend {
  const env = process.env.PRELU_KERNELS;
  if (env === undefined || env === '' || env === 'auto') return loadedKernels !== null ? 'wasm-simd' : 'js';
  if (env === 'js') return 'js';
  if (env === 'wasm-simd' || env === 'wasm') {
    if (loadedKernels === null) throw new Error(`PRELU_KERNELS=${env} but the WebAssembly kernels did not load: ${wasmLoadFailure() ?? 'unknown reason'}`);
    return 'wasm-simd';
  }
  throw new ConfigError('PRELU_KERNELS', env, "'auto' (default), 'wasm-simd' or 'js'");
}

let backend: KernelBackend = initialBackend();
let engine: WasmEngine | null = null;

/** The kernels used by calls whose workspace does not name any (the process default). */
export function kernelBackend(): KernelBackend {
  return backend;
}

/** True when the WebAssembly kernels assembled and can be selected. */
export function wasmKernelsAvailable(): boolean {
  return loadedKernels !== null;
}

/** Whether the wasm kernels use fused multiply-adds (relaxed SIMD), for reports and benches. */
export function wasmFusedMultiplyAdd(): boolean {
  return loadedKernels !== null && loadedKernels.fusedMultiplyAdd;
}

/** Check a backend name; 'wasm-simd' only where the wasm kernels loaded. */
export function requireKernelBackend(name: string, b: unknown): KernelBackend {
  if (!KERNEL_BACKENDS.includes(b as KernelBackend)) throw new ConfigError(name, b, "'wasm-simd' or 'js'");
  if (b === 'wasm-simd' && loadedKernels === null) {
    throw new ConfigError(name, b, `'js' (WebAssembly SIMD kernels unavailable: ${wasmLoadFailure() ?? 'PRELU_KERNELS=js'})`);
  }
  return b as KernelBackend;
}

/** Change the process default (tests and benches compare both in one process). */
export function setKernelBackend(b: KernelBackend): void {
  backend = requireKernelBackend('kernels', b);
}

/** This thread's wasm engine (created on first use; callers have checked the backend). */
export function wasmEngine(): WasmEngine {
  if (engine === null) {
    if (loadedKernels === null) throw new Error('WebAssembly kernels are not available');
    engine = new WasmEngine(loadedKernels.module);
  }
  return engine;
}

/**
 * out[r*h + j] = <X row (i0 + r) - centre, W_j> for r = 0..rows-1 (rows = 1 or 2), j = 0..h-1.
 * Two rows by four units per block: eight accumulators share six loads per step, which measured
 * ~1.4x faster than one row by four units. The centred difference is formed in the loop, so there
 * is no cancellation of <x, w> against <xbar, w> and no centred copy of X.
 */
export function unitDots(
  X: Float64Array, i0: number, rows: number, centre: Float64Array | null,
  W: Float64Array, h: number, D: number, out: Float64Array,
): void {
  if (rows === 2) {
    if (centre === null) dots2(X, i0 * D, W, h, D, out);
    else dots2c(X, i0 * D, centre, W, h, D, out);
    return;
  }
  if (centre === null) dots1(X, i0 * D, W, h, D, out);
  else dots1c(X, i0 * D, centre, W, h, D, out);
}

function dots2(X: Float64Array, a0: number, W: Float64Array, h: number, D: number, out: Float64Array): void {
  const a1 = a0 + D;
  let j = 0;
  for (; j + 3 < h; j += 4) {
    const o0 = j * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    for (let k = 0; k < D; k++) {
      const x0 = X[a0 + k], x1 = X[a1 + k];
      const w0 = W[o0 + k], w1 = W[o1 + k], w2 = W[o2 + k], w3 = W[o3 + k];
      s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
      s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
    }
    out[j] = s00; out[j + 1] = s01; out[j + 2] = s02; out[j + 3] = s03;
    out[h + j] = s10; out[h + j + 1] = s11; out[h + j + 2] = s12; out[h + j + 3] = s13;
  }
  for (; j < h; j++) {
    const o = j * D;
    let s0 = 0, s1 = 0;
    for (let k = 0; k < D; k++) {
      const w = W[o + k];
      s0 += X[a0 + k] * w;
      s1 += X[a1 + k] * w;
    }
    out[j] = s0;
    out[h + j] = s1;
  }
}

function dots2c(X: Float64Array, a0: number, c: Float64Array, W: Float64Array, h: number, D: number, out: Float64Array): void {
  const a1 = a0 + D;
  let j = 0;
  for (; j + 3 < h; j += 4) {
    const o0 = j * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    for (let k = 0; k < D; k++) {
      const ck = c[k];
      const x0 = X[a0 + k] - ck, x1 = X[a1 + k] - ck;
      const w0 = W[o0 + k], w1 = W[o1 + k], w2 = W[o2 + k], w3 = W[o3 + k];
      s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
      s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
    }
    out[j] = s00; out[j + 1] = s01; out[j + 2] = s02; out[j + 3] = s03;
    out[h + j] = s10; out[h + j + 1] = s11; out[h + j + 2] = s12; out[h + j + 3] = s13;
  }
  for (; j < h; j++) {
    const o = j * D;
    let s0 = 0, s1 = 0;
    for (let k = 0; k < D; k++) {
      const w = W[o + k];
      s0 += (X[a0 + k] - c[k]) * w;
      s1 += (X[a1 + k] - c[k]) * w;
    }
    out[j] = s0;
    out[h + j] = s1;
  }
}

function dots1(X: Float64Array, a: number, W: Float64Array, h: number, D: number, out: Float64Array): void {
  let j = 0;
  for (; j + 3 < h; j += 4) {
    const o0 = j * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < D; k++) {
      const x = X[a + k];
      s0 += x * W[o0 + k]; s1 += x * W[o1 + k]; s2 += x * W[o2 + k]; s3 += x * W[o3 + k];
    }
    out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
  }
  for (; j < h; j++) {
    const o = j * D;
    let s = 0;
    for (let k = 0; k < D; k++) s += X[a + k] * W[o + k];
    out[j] = s;
  }
}

function dots1c(X: Float64Array, a: number, c: Float64Array, W: Float64Array, h: number, D: number, out: Float64Array): void {
  let j = 0;
  for (; j + 3 < h; j += 4) {
    const o0 = j * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < D; k++) {
      const x = X[a + k] - c[k];
      s0 += x * W[o0 + k]; s1 += x * W[o1 + k]; s2 += x * W[o2 + k]; s3 += x * W[o3 + k];
    }
    out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
  }
  for (; j < h; j++) {
    const o = j * D;
    let s = 0;
    for (let k = 0; k < D; k++) s += (X[a + k] - c[k]) * W[o + k];
    out[j] = s;
  }
}

/** Rows per block of the fused loss-and-gradient pass (64 rows of D = 200 doubles: 100 KB). */
export const ROW_BLOCK = 64;

/**
 * dW[j, :] += sum_r C[r*h + j] * X[row0 + r, :] over r = 0..rows-1, skipping zero coefficients
 * (inactive ReLU units, about half of them): every unit j gathers its active rows of the block
 * and accumulates them four at a time (one load/store of dW per four multiply-adds; eight at a
 * time and two-units-by-four-rows dense variants measured slower). idx and coef are scratch
 * buffers of length >= rows.
 */
export function accumulateRows(
  C: Float64Array, X: Float64Array, row0: number, rows: number, h: number, D: number,
  dW: Float64Array, idx: Int32Array, coef: Float64Array,
): void {
  for (let j = 0; j < h; j++) {
    let m = 0;
    for (let r = 0; r < rows; r++) {
      const c = C[r * h + j];
      if (c !== 0) {
        idx[m] = (row0 + r) * D;
        coef[m] = c;
        m++;
      }
    }
    if (m === 0) continue;
    const o = j * D;
    let t = 0;
    for (; t + 3 < m; t += 4) {
      const a0 = idx[t], a1 = idx[t + 1], a2 = idx[t + 2], a3 = idx[t + 3];
      const c0 = coef[t], c1 = coef[t + 1], c2 = coef[t + 2], c3 = coef[t + 3];
      for (let k = 0; k < D; k++) {
        dW[o + k] += c0 * X[a0 + k] + c1 * X[a1 + k] + c2 * X[a2 + k] + c3 * X[a3 + k];
      }
    }
    for (; t < m; t++) {
      const a = idx[t], c = coef[t];
      for (let k = 0; k < D; k++) dW[o + k] += c * X[a + k];
    }
  }
}
