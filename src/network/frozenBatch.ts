/**
 * A pReLU net with fixed weights evaluated on m inputs at once, value and input gradient (the
 * batched counterpart of frozen.ts, for attacking many points in lockstep: robustness/apgdBatch.ts).
 * With x~ = x - xbar, u_j = <x~, w_j>, uhat_j = u_j / ||w_j||, t_j = uhat_j^(p-1) and
 * 1/s = ||x~||^(1-p) (PAPER.md s.2):
 *   f(x)  = (1/s) sum_j v_j u_j t_j + b,
 *   df/dx = sum_j C_j w_j - (p-1) (f - b) x~ / ||x~||^2,   C_j = v_j p t_j / s  (active units),
 * the second term only with input normalisation and p != 1.
 * On the WebAssembly kernels both products are the engine's resident-weight dots (engine.ts
 * `resident`, `dotsResident`; issue 8): U = X~ W^T for the m rows, and G = C W, which is dots with
 * C (m x h) as the rows and W^T (D rows of length h, transposed once here) as the units, without
 * centre. W (with the centre) and W^T are packed into the engine's linear memory once, when the
 * snapshot is made, instead of at every call: at h = 500, D = 784 that saved ~10% of batched APGD's
 * time per image (100 images, 100 steps, all running every step) and ~25% when broken points leave
 * the batch (packing then dominates small batches). The numbers are those of `dots`, bit for bit.
 * The elementwise part is frozen.ts's, in its order. The
 * products round differently from frozen.ts's JS loops (other summation order, fused multiply-adds
 * where the CPU has them), so values agree to ~1e-13 relative, not bit for bit
 * (test/attack-batch.test.ts). Row t of the result depends on row t of X only, so a point's value
 * does not depend on which other points share its batch.
 * With the 'js' backend (PRELU_KERNELS=js, or a shape the engine does not take) every row goes
 * through frozen.ts, bit-identical to single-point evaluation.
 * As frozen.ts: the snapshot caches 1/||w_j|| and (on wasm) packed copies of W, W^T and the
 * centre taken at freeze time, so do not change the net while it is in use.
 */
import { checkNet } from './create.ts';
import { freezeNet } from './frozen.ts';
import { kernelBackend, requireKernelBackend, wasmEngine, type KernelBackend } from './kernels.ts';
import { inverseNorms, powq, rowNorm } from './activation.ts';
import type { PReluNet } from './types.ts';
import { ConfigError } from '../validate.ts';

export interface FrozenNetBatch {
  readonly net: PReluNet;
  readonly dim: number;
  /** The kernels this snapshot uses ('js' when the engine does not take the shape). */
  readonly backend: KernelBackend;
  /** f at the m rows of X (m x D) into f[0..m-1]; when G is given, df/dx of row t into row t of G. */
  evaluate(X: Float64Array, m: number, f: Float64Array, G?: Float64Array | null): void;
}

/** W^T (D x h row-major) of the h x D matrix W. */
export function transposeRows(W: Float64Array, h: number, D: number): Float64Array {
  const T = new Float64Array(h * D);
  for (let j = 0; j < h; j++) {
    const o = j * D;
    for (let k = 0; k < D; k++) T[k * h + j] = W[o + k];
  }
  return T;
}

/** Whether the wasm engine takes both products of an h x D net (U = X~ W^T and G = C W). */
export function batchKernelsFit(h: number, D: number): boolean {
  return wasmEngine().supports(h, D) && wasmEngine().supports(D, h);
}

function checkRows(X: Float64Array, m: number, D: number, f: Float64Array, G: Float64Array | null | undefined): void {
  if (!Number.isInteger(m) || m < 0 || X.length < m * D) throw new ConfigError('X', `Float64Array(${X.length}) for m = ${m}`, `m >= 0 rows of D = ${D} entries`);
  if (f.length < m) throw new ConfigError('f', `Float64Array(${f.length})`, `length >= m = ${m}`);
  if (G && G.length < m * D) throw new ConfigError('G', `Float64Array(${G.length})`, `length >= m*D = ${m * D}`);
}

export function freezeNetBatch(net: PReluNet, backend: KernelBackend = kernelBackend()): FrozenNetBatch {
  checkNet(net);
  const { D, h, p, W, v, centre } = net;
  const wasm = requireKernelBackend('kernels', backend) === 'wasm-simd' && batchKernelsFit(h, D);
  if (!wasm) {
    const single = freezeNet(net);
    return {
      net, dim: D, backend: 'js',
      evaluate(X, m, f, G) {
        checkRows(X, m, D, f, G);
        for (let t = 0; t < m; t++) {
          const x = X.subarray(t * D, (t + 1) * D);
          f[t] = G ? single.evaluate(x, G.subarray(t * D, (t + 1) * D)) : single.evaluate(x);
        }
      },
    };
  }
  const invNorm = inverseNorms(W, h, D, new Float64Array(h));
  const eng = wasmEngine();
  // Packed once here (copies: the engine may evict and repack them from these snapshots).
  const Wres = eng.resident(W, h, D, centre);
  const WtRes = eng.resident(transposeRows(W, h, D), D, h, null);
  const q = p - 1;
  const radialOn = net.normalise && p !== 1;
  let cap = 0;
  let U = new Float64Array(0), C = new Float64Array(0), radial = new Float64Array(0);
  return {
    net, dim: D, backend: 'wasm-simd',
    evaluate(X, m, f, G) {
      checkRows(X, m, D, f, G);
      if (m === 0) return;
      if (m > cap) {
        cap = m;
        U = new Float64Array(m * h);
        C = new Float64Array(m * h);
        radial = new Float64Array(m);
      }
      const b = net.hasBias ? net.b : 0;
      eng.dotsResident(Wres, X, m, U);
      for (let t = 0; t < m; t++) {
        const xo = t * D, uo = t * h;
        // 1/s as activation.ts sampleFactor, keeping ||x~|| for the radial term.
        const xn = radialOn ? rowNorm(X, xo, D, centre) : 1;
        const invS = !radialOn ? 1 : xn > 0 ? Math.pow(xn, 1 - p) : 0;
        radial[t] = 0;
        if (invS === 0) {
          f[t] = b;
          if (G) C.fill(0, uo, uo + h);
          continue;
        }
        let s = 0;
        for (let j = 0; j < h; j++) {
          const uj = U[uo + j];
          if (!(uj > 0)) {
            C[uo + j] = 0;
            continue;
          }
          const tj = powq(uj * invNorm[j], q);
          s += v[j] * uj * tj;
          C[uo + j] = v[j] * p * tj * invS;
        }
        s *= invS;
        f[t] = s + b;
        if (radialOn) radial[t] = (-(p - 1) * s) / xn / xn;
      }
      if (!G) return;
      eng.dotsResident(WtRes, C, m, G);
      if (!radialOn) return;
      for (let t = 0; t < m; t++) {
        const c = radial[t];
        if (c === 0) continue;
        const o = t * D;
        if (centre === null) for (let k = 0; k < D; k++) G[o + k] += c * X[o + k];
        else for (let k = 0; k < D; k++) G[o + k] += c * (X[o + k] - centre[k]);
      }
    },
  };
}
