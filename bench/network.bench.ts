/**
 * pReLU net loss + gradient (PAPER.md s.3), issue 7.
 *
 * - network.gf-derivative.*: the gradient-flow derivative at the size n = 2000, D = 200,
 *   h = 200, p = 3 (exp loss, sum, no centring or normalisation; the problem of
 *   bench/numpy.bench.ts, which times numpy + OpenBLAS on it): the WebAssembly SIMD kernels on
 *   one thread against the plain JS kernels in the same run, and the 2-thread GradientPool
 *   (wasm kernels in both workers) against the single thread.
 * - network.mnist-step.*: one MNIST-sized step (784 -> 500 units, batch 1000 real digits from the
 *   `mnist` package, p = 4, centre + normalise, logistic loss, mean): wasm against plain JS.
 * - network.forward-gradient / network.forward: the default kernels against the naive
 *   number[][] passes (src/network/reference.ts), as before.
 *
 * FLOPs are counted nominally as the two dense products, 2nhD each (U = X W^T and
 * dL/dW = C^T X), i.e. 4nhD per call whatever the implementation; the elementwise work (O(nh)) is
 * left out. Both kernel sets skip inactive units in the second product, so "GFLOP/s" is an
 * effective rate on the dense count. Before timing, every pair is compared (max relative error of
 * dL/dW); a disagreement above 1e-12 (1e-9 against the naive reference) aborts: a benchmark of
 * wrong code would be worthless. Timings interleave the code under test with its reference
 * (bench/timing.ts timeAgainst) so both see the same machine load.
 */
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { mixtureProblem } from '../src/dynamics/experiments/problem.ts';
import { GradientPool } from '../src/dynamics/gradientPool.ts';
import { createNet, createGrad, createWorkspace, forward, lossAndGrad, type NetGrad, type PReluNet } from '../src/network/index.ts';
import { referenceLossAndGrad } from '../src/network/reference.ts';
import { kernelBackend, unitDots, wasmEngine, wasmFusedMultiplyAdd, wasmKernelsAvailable } from '../src/network/kernels.ts';
import { loadMnist } from '../src/realdata/mnist.ts';
import { initParityNet } from '../src/realdata/train.ts';
import { time, timeAgainst } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const n = 2000, D = 200, h = 200, p = 3;
const opts = { loss: 'exp', reduction: 'mean' } as const;

function relErr(a: Float64Array, b: Float64Array): number {
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? err / scale : err;
}

function setup() {
  const rng = new Rng(20240524);
  const data = new OrthonormalMixture({ D, K: 10, K1: 6, alpha: 0.5 }, rng).sample(n, rng);
  const net = createNet({ D, h, p, init: 'kaiming' }, rng);
  return { net, X: data.X, y: data.y };
}

/** Fraction of (sample, unit) pairs with <x~_i, w_j> > 0 (what the backward product skips). */
function activeFraction(net: PReluNet, X: Float64Array, rows: number): number {
  let active = 0;
  const u = new Float64Array(net.h);
  for (let i = 0; i < rows; i++) {
    unitDots(X, i, 1, net.centre, net.W, net.h, net.D, u);
    for (let j = 0; j < net.h; j++) if (u[j] > 0) active++;
  }
  return active / (rows * net.h);
}

function skippedLines(names: string[], reason: string): BenchResult[] {
  return names.map((name) => ({ name, value: NaN, unit: 'ms', reference: 'plain JS kernels', referenceValue: NaN, ratio: NaN, details: { skipped: reason } }));
}

/** The GF derivative: wasm (1 thread) vs plain JS, and the 2-thread pool vs 1 thread. */
async function gfDerivative(): Promise<BenchResult[]> {
  const names = ['network.gf-derivative.wasm', 'network.gf-derivative.rate', 'network.gf-derivative.pool-2-threads'];
  if (!wasmKernelsAvailable()) return skippedLines(names, 'WebAssembly SIMD kernels unavailable (or PRELU_KERNELS=js)');
  const size = { D, n, h, K: 10, K1: 6, alpha: 0.05, init: 0.05, p };
  const { net, data } = mixtureProblem(size, 7);
  const loss = { loss: 'exp', reduction: 'sum' } as const;
  const wsW = createWorkspace(net, n, { kernels: 'wasm-simd' }), wsJ = createWorkspace(net, n, { kernels: 'js' });
  const gW = createGrad(net), gJ = createGrad(net), gP = createGrad(net);
  const call = (g: NetGrad, ws: typeof wsW) => () => lossAndGrad(net, data.X, data.y, n, loss, g, ws);
  call(gW, wsW)();
  call(gJ, wsJ)();
  const errW = relErr(gW.W, gJ.W), errV = relErr(gW.v, gJ.v);
  if (!(errW <= 1e-12 && errV <= 1e-12)) throw new Error(`wasm and js gradients disagree: dL/dW ${errW}, dL/dv ${errV}`);
  const { fn: wasm, ref: js } = timeAgainst(call(gW, wsW), call(gJ, wsJ), { warmup: 3, rounds: 3, perRound: 3 });
  // Data movement of a call (copy X into linear memory, centre and pack), timed on its own.
  const stage = time(() => wasmEngine().stage(data.X, n, h, D, null), { warmup: 2, reps: 9 });
  const gflop = (4 * n * h * D) / 1e9;
  const common = {
    n, D, h, p, loss: 'exp/sum', flopCount: '4nhD (nominal, dense)', fusedMultiplyAdd: wasmFusedMultiplyAdd(),
    activeFraction: activeFraction(net, data.X, n), gradientRelErrW: errW, gradientRelErrV: errV,
  };
  const lines: BenchResult[] = [
    {
      name: names[0], value: wasm.medianMs, unit: 'ms', reference: 'plain JS kernels, 1 thread', referenceValue: js.medianMs, ratio: js.medianMs / wasm.medianMs,
      details: {
        ...common, threads: 1, wasmGflops: gflop / (wasm.medianMs / 1e3), jsGflops: gflop / (js.medianMs / 1e3),
        wasmMinMs: wasm.minMs, jsMinMs: js.minMs, stageMs: stage.medianMs, stageShare: stage.medianMs / wasm.medianMs,
      },
    },
    {
      name: names[1], value: gflop / (wasm.medianMs / 1e3), unit: 'GFLOP/s', reference: 'plain JS kernels, 1 thread', referenceValue: gflop / (js.medianMs / 1e3),
      ratio: js.medianMs / wasm.medianMs, details: common,
    },
  ];
  const pool = await GradientPool.create(net, data, loss, 2, 600_000, 'wasm-simd');
  try {
    pool.lossAndGrad(net, gP);
    const errP = relErr(gP.W, gW.W);
    if (!(errP <= 1e-12)) throw new Error(`pooled and single-thread gradients disagree: ${errP}`);
    const { fn: pooled, ref: single } = timeAgainst(() => pool.lossAndGrad(net, gP), call(gW, wsW), { warmup: 3, rounds: 4, perRound: 3 });
    lines.push({
      name: names[2], value: pooled.medianMs, unit: 'ms', reference: 'wasm kernels, 1 thread', referenceValue: single.medianMs, ratio: single.medianMs / pooled.medianMs,
      details: { ...common, threads: 2, poolGflops: gflop / (pooled.medianMs / 1e3), singleGflops: gflop / (single.medianMs / 1e3), poolMinMs: pooled.minMs, poolVsSingleRelErr: errP },
    });
  } finally {
    await pool.close();
  }
  return lines;
}

/** One MNIST-sized training step (loss + gradient on a batch of 1000 digits): wasm vs plain JS. */
function mnistStep(): BenchResult[] {
  const name = 'network.mnist-step';
  if (!wasmKernelsAvailable()) return skippedLines([name], 'WebAssembly SIMD kernels unavailable (or PRELU_KERNELS=js)');
  const digits = loadMnist();
  const Dm = digits.D, hm = 500, pm = 4, batch = 1000;
  const rng = new Rng(3);
  const X = new Float64Array(batch * Dm), y = new Float64Array(batch);
  for (let r = 0; r < batch; r++) {
    const i = Math.floor(rng.uniform() * digits.n);
    X.set(digits.X.subarray(i * Dm, (i + 1) * Dm), r * Dm);
    y[r] = digits.digit[i] % 2 === 1 ? 1 : -1;
  }
  const centre = new Float64Array(Dm);
  for (let i = 0; i < batch; i++) for (let k = 0; k < Dm; k++) centre[k] += X[i * Dm + k] / batch;
  const { net } = initParityNet(Dm, hm, pm, centre, rng);
  const loss = { loss: 'logistic', reduction: 'mean' } as const;
  const wsW = createWorkspace(net, batch, { kernels: 'wasm-simd' }), wsJ = createWorkspace(net, batch, { kernels: 'js' });
  const gW = createGrad(net), gJ = createGrad(net);
  const run = (g: NetGrad, ws: typeof wsW) => () => lossAndGrad(net, X, y, batch, loss, g, ws);
  run(gW, wsW)();
  run(gJ, wsJ)();
  const errW = relErr(gW.W, gJ.W);
  if (!(errW <= 1e-12)) throw new Error(`wasm and js MNIST-step gradients disagree: ${errW}`);
  const { fn: wasm, ref: js } = timeAgainst(run(gW, wsW), run(gJ, wsJ), { warmup: 2, rounds: 3, perRound: 3 });
  const gflop = (4 * batch * hm * Dm) / 1e9;
  return [{
    name, value: wasm.medianMs, unit: 'ms', reference: 'plain JS kernels, 1 thread', referenceValue: js.medianMs, ratio: js.medianMs / wasm.medianMs,
    details: {
      D: Dm, h: hm, p: pm, batch, centre: true, normalise: true, loss: 'logistic/mean', flopCount: '4nhD (nominal, dense)',
      wasmGflops: gflop / (wasm.medianMs / 1e3), jsGflops: gflop / (js.medianMs / 1e3), activeFraction: activeFraction(net, X, batch), gradientRelErrW: errW,
    },
  }];
}

function forwardGradient(): BenchResult[] {
  const { net, X, y } = setup();
  const grad = createGrad(net);
  const ws = createWorkspace(net, n);
  lossAndGrad(net, X, y, n, opts, grad, ws);
  const ref = referenceLossAndGrad(net, X, y, n, opts);
  let err = 0, scale = 0;
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < D; k++) {
      err = Math.max(err, Math.abs(ref.W[j][k] - grad.W[j * D + k]));
      scale = Math.max(scale, Math.abs(ref.W[j][k]));
    }
  }
  const relErrRef = err / scale;
  if (!(relErrRef <= 1e-9)) throw new Error(`fused and reference gradients disagree: relative error ${relErrRef}`);
  const { fn: fused, ref: naive } = timeAgainst(() => lossAndGrad(net, X, y, n, opts, grad, ws), () => referenceLossAndGrad(net, X, y, n, opts), { warmup: 3, rounds: 3, perRound: 3 });
  const gflop = (4 * n * h * D) / 1e9;
  const details = { n, D, h, p, backend: kernelBackend(), reps: fused.reps, referenceReps: naive.reps, minMs: fused.minMs, maxMs: fused.maxMs, activeFraction: activeFraction(net, X, n), gradientRelErr: relErrRef };
  return [
    { name: 'network.forward-gradient.time', value: fused.medianMs, unit: 'ms', reference: 'naive number[][] passes', referenceValue: naive.medianMs, ratio: naive.medianMs / fused.medianMs, details },
    { name: 'network.forward-gradient.rate', value: gflop / (fused.medianMs / 1e3), unit: 'GFLOP/s', reference: 'naive number[][] passes', referenceValue: gflop / (naive.medianMs / 1e3), ratio: naive.medianMs / fused.medianMs, details: { flopCount: '4nhD (nominal, dense)', backend: kernelBackend() } },
  ];
}

/** Forward alone (the attacks' and evaluations' workload) against the reference's forward part. */
function forwardOnly(): BenchResult[] {
  const { net, X } = setup();
  const out = new Float64Array(n);
  const ws = createWorkspace(net, 1);
  const Xr: number[][] = [];
  const Wr: number[][] = [];
  for (let i = 0; i < n; i++) Xr.push(Array.from(X.subarray(i * D, (i + 1) * D)));
  for (let j = 0; j < h; j++) Wr.push(Array.from(net.W.subarray(j * D, (j + 1) * D)));
  const naiveForward = () => {
    const U: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = new Array<number>(h).fill(0);
      for (let j = 0; j < h; j++) for (let k = 0; k < D; k++) row[j] += Xr[i][k] * Wr[j][k];
      U.push(row);
    }
    const norms = Wr.map((w) => Math.sqrt(w.reduce((s, a) => s + a * a, 0)));
    return U.map((row) => row.reduce((s, u, j) => s + (u > 0 ? (net.v[j] * Math.pow(u, p)) / Math.pow(norms[j], p - 1) : 0), 0));
  };
  const { fn: fused, ref: naive } = timeAgainst(() => forward(net, X, n, out, ws), naiveForward, { warmup: 3, rounds: 3, perRound: 3 });
  const gflop = (2 * n * h * D) / 1e9;
  return [
    { name: 'network.forward.rate', value: gflop / (fused.medianMs / 1e3), unit: 'GFLOP/s', reference: 'naive number[][] loop', referenceValue: gflop / (naive.medianMs / 1e3), ratio: naive.medianMs / fused.medianMs, details: { n, D, h, p, backend: kernelBackend(), medianMs: fused.medianMs, referenceMs: naive.medianMs, flopCount: '2nhD' } },
  ];
}

export const benchmarks: Benchmark[] = [
  { name: 'network.gf-derivative', description: `GF derivative n=${n} D=${D} h=${h} p=${p}: wasm SIMD vs plain JS (1 thread), 2-thread pool vs 1 thread`, run: gfDerivative },
  { name: 'network.mnist-step', description: 'MNIST-sized step 784 -> 500, batch 1000, p=4, centre + normalise: wasm SIMD vs plain JS', run: mnistStep },
  { name: 'network.forward-gradient', description: `pReLU loss + gradient, n=${n} D=${D} h=${h} p=${p}, default kernels vs naive`, run: forwardGradient },
  { name: 'network.forward', description: `pReLU forward, n=${n} D=${D} h=${h} p=${p}, default kernels vs naive`, run: forwardOnly },
];
