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
 * - Batched APGD (src/robustness/apgdBatch.ts, as src/realdata/robust.ts runs it): attack time per
 *   image of BATCH images in lockstep (the batched objective on the wasm kernels) against apgd one
 *   image at a time on the frozen net, interleaved in the same run. (a) every attack running all
 *   its steps (a never-breaking objective: the cost of robust points, what experiment.ts's
 *   estimate assumes); the single-point reference is timed on the first SINGLE_TIMED images, whose
 *   cost per image is the same (same steps). (b) the real attacks on the trained net, once each, with
 *   the number of images whose outcome differs (the kernels round differently).
 * - 10 classes (src/realdata/multiclass.ts, plain-JS fused pass): one batch timed x 8 batches per
 *   epoch, against the parity net's epoch (the fused lossAndGrad of src/network) in the same run;
 *   APGD-CE per image with the fused objective against model.ts's multiclassObjective on the same
 *   net (its VectorModel interface computes the logits twice per gradient), outcomes must agree.
 * - The time estimate of the full runs (FULL_CONFIG: h = 500, 51 epochs, 5 seeds, p = 1..4, Table 1
 *   on 2,000 test images, the curve on 500) from the same per-step measurements experiment.ts
 *   prints at the start of a run (every attack running all its steps, measured at init), in the details.
 */
import { Rng } from '../src/random/index.ts';
import { loadMnist } from '../src/realdata/mnist.ts';
import { stratifiedSplit } from '../src/realdata/split.ts';
import { trainParity } from '../src/realdata/train.ts';
import { referenceLossAndGrad } from '../src/network/reference.ts';
import { forward, type PReluNet } from '../src/network/index.ts';
import { apgd } from '../src/robustness/apgd.ts';
import { apgdBatch, type BatchObjective } from '../src/robustness/apgdBatch.ts';
import { binaryObjective, scalarModel, type ScalarModel } from '../src/robustness/model.ts';
import { attackModel, parityObjectives } from '../src/realdata/robust.ts';
import { freezeNetBatch } from '../src/network/frozenBatch.ts';
import { trainMulticlass, lossAndGradMulticlass, createMulticlassWorkspace, freezeMulticlass, multiclassCeObjective, multiclassVectorModel, multiclassLogits } from '../src/realdata/multiclass.ts';
import { multiclassObjective, type AttackObjective } from '../src/robustness/model.ts';
import { estimate, FULL_CONFIG, DIGITS_FULL_CONFIG } from '../src/realdata/experiment.ts';
import { time, timeAgainst } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const h = 500, p = 3, batch = 1000;
/** Images per APGD batch (the experiment's default chunk is 100), and single-point images timed. */
const BATCH = 64, SINGLE_TIMED = 6;

/** A never-breaking wrapper: every point runs all its APGD steps. */
function unbreakable(obj: AttackObjective): AttackObjective {
  const w: AttackObjective = { dim: obj.dim, margin: 1, evaluate: (x, g) => { const l = obj.evaluate(x, g); w.margin = 1; return l; } };
  return w;
}

function unbreakableBatch(obj: BatchObjective): BatchObjective {
  return { dim: obj.dim, size: obj.size, evaluate: (pts, m, X, L, M, G) => { obj.evaluate(pts, m, X, L, M, G); M.fill(1, 0, m); } };
}

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
  // Batched APGD vs one image at a time (same images, same streams, same run).
  {
    const D = test.D;
    const points = Int32Array.from({ length: BATCH }, (_, i) => i);
    const X0 = test.X.slice(0, BATCH * D);
    const factory = parityObjectives(net);
    const bobj = factory.batch!(test, points);
    const backend = freezeNetBatch(net).backend;
    const rngs = () => Array.from(points, (i) => new Rng(500 + i));
    const ub = unbreakableBatch(bobj);
    const { fn: tb, ref: ts } = timeAgainst(
      () => apgdBatch(ub, X0, 0.1, rngs(), opts),
      () => {
        for (let i = 0; i < SINGLE_TIMED; i++) apgd(unbreakable(factory(test, i)), X0.subarray(i * D, (i + 1) * D), 0.1, new Rng(500 + i), opts);
      },
      { warmup: 1, rounds: 2, perRound: 1 },
    );
    const perB = tb.medianMs / BATCH, perS = ts.medianMs / SINGLE_TIMED;
    results.push({
      name: 'realdata.attack-per-image-batched.time', value: perB, unit: 'ms',
      reference: `apgd one image at a time (frozen net, JS), every attack running all steps`, referenceValue: perS, ratio: perS / perB,
      details: { h, p, norm: 'linf', radius: 0.1, steps: 100, restarts: 1, batch: BATCH, singleImagesTimed: SINGLE_TIMED, backend, statistic: 'median of 2 interleaved rounds' },
    });
    // The real attacks on the trained net: once each, outcomes compared.
    let t0 = performance.now();
    const rb = apgdBatch(bobj, X0, 0.1, rngs(), opts);
    const realB = performance.now() - t0;
    t0 = performance.now();
    const rs = Array.from(points, (i) => apgd(factory(test, i), X0.subarray(i * D, (i + 1) * D), 0.1, new Rng(500 + i), opts));
    const realS = performance.now() - t0;
    let differ = 0;
    for (let i = 0; i < BATCH; i++) if (rb[i].success !== rs[i].success) differ++;
    results.push({
      name: 'realdata.attack-per-image-batched-real.time', value: realB / BATCH, unit: 'ms',
      reference: 'apgd one image at a time on the same images and streams (points stop when broken)', referenceValue: realS / BATCH, ratio: realS / realB,
      details: {
        h, p, norm: 'linf', radius: 0.1, steps: 100, images: BATCH, backend, statistic: 'one run each',
        brokenBatched: rb.filter((r) => r.success).length, brokenSingle: rs.filter((r) => r.success).length, outcomesDiffering: differ,
      },
    });
  }
  // 10 classes: one epoch of Adam (1 warm-up epoch, then one batch timed x batches).
  const digits = trainMulticlass(train, { h, p, epochs: 1, batch, lr: 1e-3 }, new Rng(2));
  const ws = createMulticlassWorkspace(h, 10);
  const g = new Float64Array(digits.theta.length);
  const tBatch = time(() => lossAndGradMulticlass(digits.net, Xb, train.digit.subarray(0, batch), batch, g, ws), { warmup: 1, reps: 2 });
  results.push({
    name: 'realdata.digits-train-epoch.time', value: tBatch.medianMs * batches, unit: 'ms',
    reference: `parity epoch (fused src/network lossAndGrad) in the same run`, referenceValue: epochMs, ratio: epochMs / (tBatch.medianMs * batches),
    details: { h, p, batch, classes: 10, batches, batchMs: tBatch.medianMs, statistic: 'median of 2 batches x batches' },
  });
  // 10-class APGD-CE: fused objective vs the VectorModel adapter, same images and seeds.
  const l = multiclassLogits(digits.net, test.X.subarray(0, 200 * D), 200);
  const dPicks: number[] = [];
  for (let i = 0; i < 200 && dPicks.length < 3; i++) {
    let ok = true;
    for (let c = 0; c < 10; c++) if (c !== test.digit[i] && !(l[i * 10 + test.digit[i]] > l[i * 10 + c])) ok = false;
    if (ok) dPicks.push(i);
  }
  const fz = freezeMulticlass(digits.net);
  const vm = multiclassVectorModel(digits.net);
  const dOut: boolean[][] = [[], []];
  const attackDigits = (which: number, make: (label: number) => AttackObjective) => () => {
    dOut[which] = [];
    for (const i of dPicks) {
      const x0 = test.X.slice(i * D, (i + 1) * D);
      dOut[which].push(apgd(make(test.digit[i]), x0, 0.05, new Rng(300 + i), opts).success);
    }
  };
  const { fn: dFast, ref: dSlow } = timeAgainst(
    attackDigits(0, (y) => multiclassCeObjective(fz, y)), attackDigits(1, (y) => multiclassObjective(vm, y, 'ce')),
    { warmup: 1, rounds: 2, perRound: 1 },
  );
  if (dOut[0].join() !== dOut[1].join()) throw new Error(`10-class attack outcomes differ: ${dOut[0]} vs ${dOut[1]}`);
  // Full-run estimates, from the same measurements the runs print at their start.
  const ep = estimate('parity', FULL_CONFIG, 1);
  const ed = estimate('digits', DIGITS_FULL_CONFIG, 1);
  results.push({
    name: 'realdata.digits-attack-per-image.time', value: dFast.medianMs / dPicks.length, unit: 'ms',
    reference: 'multiclassObjective(ce) on the VectorModel adapter (logits computed twice per gradient)', referenceValue: dSlow.medianMs / dPicks.length,
    ratio: dSlow.medianMs / dFast.medianMs,
    details: {
      h, p, norm: 'linf', radius: 0.05, steps: 100, images: dPicks.length, successes: dOut[0].filter(Boolean).length,
      fullParityEstimateHours: ep.total / 3600, fullParityTrainHours: (ep.units * ep.trainPerUnit) / 3600, fullParityAttackHours: (ep.units * ep.attackPerUnit) / 3600,
      fullDigitsEstimateHours: ed.total / 3600, fullDigitsTrainHours: (ed.units * ed.trainPerUnit) / 3600, fullDigitsAttackHours: (ed.units * ed.attackPerUnit) / 3600,
      estimateNote: "one worker; every attack running all APGD steps, cost per step measured at init (points broken early cost less, robust nets somewhat more per step); workers: N divides it by about N on N free cores",
    },
  });
  return results;
}

export const benchmarks: Benchmark[] = [
  { name: 'realdata', description: `MNIST h=${h} p=${p}: parity and 10-class training epoch (batch ${batch}), APGD-CE time per image, full-run estimates`, run },
];
