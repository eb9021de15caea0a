/**
 * The 10-class MNIST net's training epoch (src/realdata/multiclass.ts, PAPER.md s.8 Section 5.2.1
 * appendix; issue 8) at the authors' size: h = 500, batch 1000, p = 3, on the package's 8,000
 * training digits (8 batches per epoch), in the shared loop of src/realdata/loop.ts.
 * - The dense products on the WebAssembly kernels (engine.dots / engine.accumulate) against the
 *   plain JS kernels in the same run (the JS path is the code before the wasm route, bit for bit).
 *   Each trains 2 epochs from the same seed; the figure is the faster epoch (each includes the
 *   stable rank of W). The two runs must end at the same parameters up to rounding (checked: the
 *   largest difference of theta relative to its largest entry, below 1e-9, else the bench aborts).
 * - In the details: the parity net's epoch on the wasm kernels in the same run (the issue's
 *   "8x slower than parity" figure) and the per-batch loss-and-gradient times.
 */
import { Rng } from '../src/random/index.ts';
import { loadMnist } from '../src/realdata/mnist.ts';
import { stratifiedSplit } from '../src/realdata/split.ts';
import { trainParity } from '../src/realdata/train.ts';
import { trainMulticlass, lossAndGradMulticlass, createMulticlassWorkspace } from '../src/realdata/multiclass.ts';
import { kernelBackend, setKernelBackend, wasmFusedMultiplyAdd, wasmKernelsAvailable, type KernelBackend } from '../src/network/kernels.ts';
import type { EpochRecord } from '../src/realdata/loop.ts';
import { time } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const h = 500, p = 3, batch = 1000, epochs = 2;

const fasterEpochMs = (hs: EpochRecord[]): number => Math.min(...hs.slice(1).map((r, e) => (r.seconds - hs[e].seconds) * 1e3));

function run(): BenchResult[] {
  const name = 'multiclass.train-epoch.time';
  if (!wasmKernelsAvailable()) {
    return [{ name, value: NaN, unit: 'ms', reference: 'plain JS kernels', referenceValue: NaN, ratio: NaN, skipped: 'WebAssembly SIMD kernels unavailable' }];
  }
  const { train } = stratifiedSplit(loadMnist(), 0.2, new Rng(1));
  const D = train.D;
  const before = kernelBackend();
  const o = { h, p, epochs, batch, lr: 1e-3 };
  const trainWith = (k: KernelBackend) => {
    setKernelBackend(k);
    return trainMulticlass(train, o, new Rng(2));
  };
  try {
    const js = trainWith('js');
    const wasm = trainWith('wasm-simd');
    let scale = 0, diff = 0;
    for (let i = 0; i < js.theta.length; i++) {
      scale = Math.max(scale, Math.abs(js.theta[i]));
      diff = Math.max(diff, Math.abs(js.theta[i] - wasm.theta[i]));
    }
    const thetaRelDiff = diff / scale;
    if (!(thetaRelDiff < 1e-9)) throw new Error(`wasm and JS 10-class training disagree: max |theta diff| / max |theta| = ${thetaRelDiff}`);
    const lossRelDiff = Math.max(...js.history.map((r, e) => Math.abs(r.trainLoss - wasm.history[e].trainLoss) / r.trainLoss));
    const parity = trainParity(train, o, new Rng(2));
    // One batch's loss and gradient on each kernel (the products' share of an epoch).
    const Xb = train.X.subarray(0, batch * D), yb = train.digit.subarray(0, batch);
    const g = new Float64Array(wasm.theta.length);
    const batchMs = (k: KernelBackend) => {
      const ws = createMulticlassWorkspace(h, 10, { kernels: k });
      return time(() => lossAndGradMulticlass(wasm.net, Xb, yb, batch, g, ws), { warmup: 1, reps: 3 }).medianMs;
    };
    const jsBatchMs = batchMs('js'), wasmBatchMs = batchMs('wasm-simd');
    const jsEpoch = fasterEpochMs(js.history), wasmEpoch = fasterEpochMs(wasm.history), parityEpoch = fasterEpochMs(parity.history);
    return [{
      name, value: wasmEpoch, unit: 'ms',
      reference: 'same training on the plain JS kernels (the code before the wasm route)', referenceValue: jsEpoch, ratio: jsEpoch / wasmEpoch,
      details: {
        h, p, batch, classes: 10, trainImages: train.n, batches: Math.ceil(train.n / batch), statistic: `faster of ${epochs} epochs`,
        fusedMultiplyAdd: wasmFusedMultiplyAdd(),
        parityEpochMsWasm: parityEpoch, digitsOverParity: wasmEpoch / parityEpoch, digitsOverParityJsKernels: jsEpoch / parityEpoch,
        jsBatchMs, wasmBatchMs, batchSpeedup: jsBatchMs / wasmBatchMs,
        thetaMaxRelDiff: thetaRelDiff, trainLossMaxRelDiff: lossRelDiff,
      },
    }];
  } finally {
    setKernelBackend(before);
  }
}

export const benchmarks: Benchmark[] = [
  { name: 'multiclass', description: `MNIST 10 classes h=${h} p=${p}: training epoch (batch ${batch}) on the wasm kernels vs the plain JS kernels`, run },
];
