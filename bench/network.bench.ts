/**
 * pReLU net forward + gradient (PAPER.md s.3) at the size n = 2000, D = 200, h = 200,
 * p = 3, against the naive separate-pass number[][] implementation (src/network/reference.ts)
 * timed in the same run.
 *
 * FLOPs are counted nominally as the two dense products, 2nhD each (forward U = X W^T and
 * dL/dW = C^T X), i.e. 4nhD = 320 MFLOP per call, for both implementations; the elementwise work
 * (O(nh)) is left out. The fused code skips inactive units in the second product, so its
 * "GFLOP/s" is an effective rate on the dense count, which is what a user cares about.
 * The two are timed interleaved (bench/timing.ts timeAgainst), medians of 9 and 3 calls.
 * Before timing, both results are compared (relative max error of dL/dW): a benchmark of wrong
 * code would be worthless, so a disagreement above 1e-9 aborts.
 */
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { createNet, createGrad, createWorkspace, forward, lossAndGrad } from '../src/network/index.ts';
import { referenceLossAndGrad } from '../src/network/reference.ts';
import { unitDots } from '../src/network/kernels.ts';
import { timeAgainst } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const n = 2000, D = 200, h = 200, p = 3;
const opts = { loss: 'exp', reduction: 'mean' } as const;

function setup() {
  const rng = new Rng(20240524);
  const data = new OrthonormalMixture({ D, K: 10, K1: 6, alpha: 0.5 }, rng).sample(n, rng);
  const net = createNet({ D, h, p, init: 'kaiming' }, rng);
  return { net, X: data.X, y: data.y };
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
  const relErr = err / scale;
  if (!(relErr <= 1e-9)) throw new Error(`fused and reference gradients disagree: relative error ${relErr}`);
  let active = 0;
  const u = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    unitDots(X, i, 1, null, net.W, h, D, u);
    for (let j = 0; j < h; j++) if (u[j] > 0) active++;
  }
  const { fn: fused, ref: naive } = timeAgainst(() => lossAndGrad(net, X, y, n, opts, grad, ws), () => referenceLossAndGrad(net, X, y, n, opts), { warmup: 3, rounds: 3, perRound: 3 });
  const gflop = (4 * n * h * D) / 1e9;
  const details = { n, D, h, p, reps: fused.reps, referenceReps: naive.reps, minMs: fused.minMs, maxMs: fused.maxMs, activeFraction: active / (n * h), gradientRelErr: relErr };
  return [
    { name: 'network.forward-gradient.time', value: fused.medianMs, unit: 'ms', reference: 'naive number[][] passes', referenceValue: naive.medianMs, ratio: naive.medianMs / fused.medianMs, details },
    { name: 'network.forward-gradient.rate', value: gflop / (fused.medianMs / 1e3), unit: 'GFLOP/s', reference: 'naive number[][] passes', referenceValue: gflop / (naive.medianMs / 1e3), ratio: naive.medianMs / fused.medianMs, details: { flopCount: '4nhD (nominal, dense)' } },
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
    { name: 'network.forward.rate', value: gflop / (fused.medianMs / 1e3), unit: 'GFLOP/s', reference: 'naive number[][] loop', referenceValue: gflop / (naive.medianMs / 1e3), ratio: naive.medianMs / fused.medianMs, details: { n, D, h, p, medianMs: fused.medianMs, referenceMs: naive.medianMs, flopCount: '2nhD' } },
  ];
}

export const benchmarks: Benchmark[] = [
  { name: 'network.forward-gradient', description: `pReLU loss + gradient, n=${n} D=${D} h=${h} p=${p}, fused vs naive`, run: forwardGradient },
  { name: 'network.forward', description: `pReLU forward, n=${n} D=${D} h=${h} p=${p}, blocked vs naive`, run: forwardOnly },
];
