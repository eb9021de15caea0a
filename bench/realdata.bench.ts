/**
 * MNIST parity at the authors' size (PAPER.md s.8, Section 5.2.1; issue 8): h = 500, batch 1000,
 * p = 3, on the package's 8,000 training digits (8 batches per epoch).
 * - Training time per epoch (the faster of two epochs; fused loss + gradient of src/network, Adam) against the naive
 *   separate-pass number[][] forward + gradient (src/network/reference.ts) on the same batches.
 *   The naive pass takes seconds per batch, so one batch is timed and multiplied by the 8 batches
 *   of an epoch (stated in the result).
 * - APGD-CE attack time per image (the frozen-net model of src/realdata/robust.ts) (l_inf 0.1, 100 steps, 1 restart, pixel box) on the net after
 *   the timed epochs, against the same APGD on a naive number[][] input-gradient model (separate
 *   passes, Math.pow) of the same net. Both attack the same correctly classified images from the
 *   same seeds and must agree on every outcome, else the benchmark aborts.
 */
import { Rng } from '../src/random/index.ts';
import { loadMnist } from '../src/realdata/mnist.ts';
import { stratifiedSplit } from '../src/realdata/split.ts';
import { trainParity } from '../src/realdata/train.ts';
import { referenceLossAndGrad } from '../src/network/reference.ts';
import { forward, type PReluNet } from '../src/network/index.ts';
import { apgd } from '../src/robustness/apgd.ts';
import { binaryObjective, scalarModel, type ScalarModel } from '../src/robustness/model.ts';
import { attackModel } from '../src/realdata/robust.ts';
import { time, timeAgainst } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const h = 500, p = 3, batch = 1000;

/** f and df/dx by separate passes over number[][] (u, activations, f, then the gradient). */
function naiveModel(net: PReluNet): ScalarModel {
  const { D } = net;
  const W: number[][] = [];
  for (let j = 0; j < net.h; j++) W.push(Array.from(net.W.subarray(j * D, (j + 1) * D)));
  const c = Array.from(net.centre!);
  const eval_ = (x: Float64Array, g: Float64Array | null): number => {
    const xt = c.map((ck, k) => x[k] - ck);
    const xn = Math.sqrt(xt.reduce((s, a) => s + a * a, 0));
    const norms = W.map((w) => Math.sqrt(w.reduce((s, a) => s + a * a, 0)));
    const u = W.map((w) => w.reduce((s, a, k) => s + a * xt[k], 0));
    const a = u.map((uj, j) => (uj > 0 ? Math.pow(uj, p) / Math.pow(norms[j], p - 1) / Math.pow(xn, p - 1) : 0));
    const f0 = a.reduce((s, aj, j) => s + net.v[j] * aj, 0);
    if (g) {
      for (let k = 0; k < D; k++) g[k] = (-(p - 1) * f0 * xt[k]) / (xn * xn);
      for (let j = 0; j < net.h; j++) {
        if (!(u[j] > 0)) continue;
        const cj = (net.v[j] * p * Math.pow(u[j], p - 1)) / Math.pow(norms[j], p - 1) / Math.pow(xn, p - 1);
        for (let k = 0; k < D; k++) g[k] += cj * W[j][k];
      }
    }
    return f0 + net.b;
  };
  return scalarModel(D, (x) => eval_(x, null), (x, g) => eval_(x, g));
}

function run(): BenchResult[] {
  const split = stratifiedSplit(loadMnist(), 0.2, new Rng(1));
  const { train, test } = split;
  const D = train.D;
  // Two epochs; per-epoch times from the training history (each includes the stable rank of W, ~0.1 GFLOP).
  const cpu0 = process.cpuUsage();
  const trained = trainParity(train, { h, p, epochs: 2, batch, lr: 1e-3 }, new Rng(2));
  const cpuMs = process.cpuUsage(cpu0).user / 1e3;
  const hs = trained.history;
  const perEpoch = [1, 2].map((e) => (hs[e].seconds - hs[e - 1].seconds) * 1e3);
  const epochMs = Math.min(...perEpoch);
  const Xb = train.X.subarray(0, batch * D);
  const yb = train.y.subarray(0, batch);
  const naive = time(() => referenceLossAndGrad(trained.net, Xb, yb, batch, { loss: 'logistic', reduction: 'mean' }), { warmup: 0, reps: 1 });
  const batches = Math.ceil(train.n / batch);
  const results: BenchResult[] = [{
    name: 'realdata.train-epoch.time', value: epochMs, unit: 'ms',
    reference: `naive forward+gradient, ${batches} batches (1 timed x ${batches})`, referenceValue: naive.medianMs * batches,
    ratio: (naive.medianMs * batches) / epochMs,
    details: { h, p, batch, trainImages: train.n, batches, epoch1Ms: perEpoch[0], epoch2Ms: perEpoch[1], naiveBatchMs: naive.medianMs, statistic: 'faster of 2 epochs', cpuMsInitPlus2Epochs: cpuMs },
  }];
  // Attack: correctly classified test images.
  const net = trained.net;
  const f = forward(net, test.X.subarray(0, 200 * D), 200);
  const picks: number[] = [];
  for (let i = 0; i < 200 && picks.length < 4; i++) if (f[i] * test.y[i] > 0) picks.push(i);
  const fast = attackModel(net);
  const slow = naiveModel(net);
  const opts = { norm: 'linf' as const, steps: 100, restarts: 1, box: { lo: 0, hi: 1 } };
  let evals = 0;
  const outcomes: boolean[][] = [[], []];
  const attackAll = (m: ScalarModel, which: number) => () => {
    outcomes[which] = [];
    for (const i of picks) {
      const x0 = test.X.slice(i * D, (i + 1) * D);
      const res = apgd(binaryObjective(m, test.y[i], 'ce'), x0, 0.1, new Rng(100 + i), opts);
      outcomes[which].push(res.success);
      if (which === 0) evals += res.evaluations;
    }
  };
  // Interleaved (bench/timing.ts): one warm-up each, then 2 rounds of one call each.
  const { fn: tFast, ref: tSlow } = timeAgainst(attackAll(fast, 0), attackAll(slow, 1), { warmup: 1, rounds: 2, perRound: 1 });
  const evalsPerImage = evals / (3 * picks.length);
  if (outcomes[0].join() !== outcomes[1].join()) throw new Error(`attack outcomes differ: ${outcomes[0]} vs ${outcomes[1]}`);
  const per = tFast.medianMs / picks.length;
  const perRef = tSlow.medianMs / picks.length;
  results.push({
    name: 'realdata.attack-per-image.time', value: per, unit: 'ms',
    reference: 'same APGD on a naive number[][] input-gradient model', referenceValue: perRef, ratio: perRef / per,
    details: { h, p, norm: 'linf', radius: 0.1, steps: 100, images: picks.length, evaluationsPerImage: evalsPerImage, successes: outcomes[0].filter(Boolean).length },
  });
  return results;
}

export const benchmarks: Benchmark[] = [
  { name: 'realdata', description: `MNIST parity h=${h} p=${p}: training epoch (batch ${batch}) and APGD-CE time per image, vs naive`, run },
];
