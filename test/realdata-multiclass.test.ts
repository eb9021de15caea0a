/**
 * The 10-class MNIST net (src/realdata/multiclass.ts, PAPER.md s.8 Section 5.2.1 appendix): the
 * fused softmax-CE gradient against central finite differences, its two-class case against the
 * network module's logistic gradient, logits against hiddenFeatures, the attack objective against
 * model.ts's multiclassObjective and finite differences, stability at huge logits, and training.
 */
import { describe, expect, it, vi } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { Rng } from '../src/random/rng.ts';
import {
  initMulticlassNet, lossAndGradMulticlass, createMulticlassWorkspace, multiclassLogits, multiclassAccuracy,
  freezeMulticlass, multiclassCeObjective, multiclassVectorModel, hiddenLayer, trainMulticlass, multiclassParamCount, multiclassView,
} from '../src/realdata/multiclass.ts';
import { kernelBackend, setKernelBackend, wasmEngine, wasmKernelsAvailable } from '../src/network/kernels.ts';
import { Adam } from '../src/realdata/adam.ts';
import { meanImage } from '../src/realdata/split.ts';
import { shuffle } from '../src/random/sampling.ts';
import { hiddenFeatures, lossAndGrad, gradView, netView } from '../src/network/index.ts';
import { multiclassObjective } from '../src/robustness/model.ts';
import { loadMnist } from '../src/realdata/mnist.ts';
import { stratifiedSplit, subset } from '../src/realdata/split.ts';
import { ConfigError } from '../src/validate.ts';

function problem(seed: number, D: number, h: number, C: number, n: number, p: number) {
  const rng = new Rng(seed);
  const X = new Float64Array(n * D);
  for (let i = 0; i < X.length; i++) X[i] = rng.uniform();
  const labels = Int32Array.from({ length: n }, () => rng.int(C));
  const centre = new Float64Array(D);
  for (let k = 0; k < D; k++) centre[k] = 0.3 + 0.4 * rng.uniform();
  const { net, theta } = initMulticlassNet(D, h, p, C, centre, rng);
  // Larger head weights than the init so that the softmax is far from uniform.
  for (let i = h * D; i < theta.length; i++) theta[i] *= 5;
  return { X, labels, net, theta };
}

describe('fused softmax-CE loss and gradient', () => {
  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(1, 2, 2.5, 4)], { numRuns: 12, seed: 42 })(
    'matches central finite differences in every parameter block (relative error < 1e-6)',
    (seed, p) => {
      const D = 7, h = 6, C = 4, n = 9;
      const { X, labels, net, theta } = problem(seed, D, h, C, n, p);
      const ws = createMulticlassWorkspace(h, C);
      const g = new Float64Array(theta.length);
      const L = lossAndGradMulticlass(net, X, labels, n, g, ws);
      expect(lossAndGradMulticlass(net, X, labels, n, null, ws)).toBe(L);
      const rng = new Rng(seed + 1);
      // Every head coordinate and 12 random first-layer coordinates.
      const coords = [...Array.from({ length: 12 }, () => rng.int(h * D)), ...Array.from({ length: C * h + C }, (_, k) => h * D + k)];
      let scaleG = 0;
      for (const x of g) scaleG = Math.max(scaleG, Math.abs(x));
      for (const k of coords) {
        const old = theta[k];
        const eps = 1e-6 * Math.max(1, Math.abs(old));
        theta[k] = old + eps;
        const Lp = lossAndGradMulticlass(net, X, labels, n, null, ws);
        theta[k] = old - eps;
        const Lm = lossAndGradMulticlass(net, X, labels, n, null, ws);
        theta[k] = old;
        const fd = (Lp - Lm) / (2 * eps);
        // A finite difference can straddle a ReLU kink; none is within eps of 0 at these sizes.
        expect(Math.abs(fd - g[k])).toBeLessThan(1e-6 * (scaleG + Math.abs(g[k])));
      }
    },
  );

  it('with two classes equals the logistic gradient of f = l_1 - l_0 (src/network lossAndGrad)', () => {
    const D = 9, h = 5, n = 11;
    for (const p of [1, 3]) {
      const { X, labels, net, theta } = problem(7, D, h, 2, n, p);
      const ws = createMulticlassWorkspace(h, 2);
      const g = new Float64Array(theta.length);
      const L = lossAndGradMulticlass(net, X, labels, n, g, ws);
      // Binary net with v = V_1 - V_0, b = b_1 - b_0, y = +1 for class 1.
      const packed = new Float64Array(h * D + h + 1);
      packed.set(net.W, 0);
      for (let j = 0; j < h; j++) packed[h * D + j] = net.V[h + j] - net.V[j];
      packed[h * D + h] = net.b[1] - net.b[0];
      const bin = netView(D, h, p, packed, { bias: true, centre: net.centre, normalise: true });
      const y = Float64Array.from(labels, (c) => (c === 1 ? 1 : -1));
      const gb = new Float64Array(packed.length);
      const Lb = lossAndGrad(bin, X, y, n, { loss: 'logistic', reduction: 'mean' }, gradView(D, h, gb, true));
      expect(Math.abs(L - Lb)).toBeLessThan(1e-13);
      for (let k = 0; k < h * D; k++) expect(Math.abs(g[k] - gb[k])).toBeLessThan(1e-13);
      // dL/dV_1 = -dL/dV_0 = dL/dv.
      for (let j = 0; j < h; j++) {
        expect(Math.abs(g[h * D + h + j] - gb[h * D + j])).toBeLessThan(1e-13);
        expect(Math.abs(g[h * D + j] + gb[h * D + j])).toBeLessThan(1e-13);
      }
      expect(theta.length).toBe(multiclassParamCount(D, h, 2));
    }
  });

  it('stays finite with logits ~1e4 (log-sum-exp) and gives loss ~ the logit gap', () => {
    const D = 5, h = 4, C = 3, n = 3;
    const { X, labels, net, theta } = problem(3, D, h, C, n, 2);
    for (let i = h * D; i < theta.length; i++) theta[i] *= 1e5;
    const ws = createMulticlassWorkspace(h, C);
    const g = new Float64Array(theta.length);
    const L = lossAndGradMulticlass(net, X, labels, n, g, ws);
    expect(Number.isFinite(L)).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
    const l = multiclassLogits(net, X, n);
    let gap = 0;
    for (let i = 0; i < n; i++) gap += Math.max(...l.subarray(i * C, i * C + C)) - l[i * C + labels[i]];
    expect(Math.abs(L - gap / n)).toBeLessThan(1e-9 * (1 + gap / n) + Math.log(C));
  });

  it('logits equal hiddenFeatures V^T + b; rejects bad labels and workspaces', () => {
    const D = 6, h = 5, C = 3, n = 4;
    const { X, labels, net } = problem(5, D, h, C, n, 3);
    const A = hiddenFeatures(hiddenLayer(net), X, n);
    const l = multiclassLogits(net, X, n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) {
        let s = net.b[c];
        for (let j = 0; j < h; j++) s += net.V[c * h + j] * A[i * h + j];
        expect(Math.abs(l[i * C + c] - s)).toBeLessThan(1e-12 * (1 + Math.abs(s)));
      }
    }
    const ws = createMulticlassWorkspace(h, C);
    expect(() => lossAndGradMulticlass(net, X, Int32Array.from([0, 1, 3, 0]), n, null, ws)).toThrow(ConfigError);
    expect(() => lossAndGradMulticlass(net, X, labels, n, null, createMulticlassWorkspace(h + 1, C))).toThrow(ConfigError);
  });
});

/**
 * The two kernels compute the same sums in different orders (and with fused multiply-adds in
 * wasm where the CPU has them): measured differences are <= 4e-15 relative on these shapes, so
 * 1e-12 leaves a wide margin while any real error (a missing term, a wrong row, the centring
 * applied twice) is O(1). Loss: relative; gradient: each block (dW; dV and db) relative to its
 * largest entry; logits: relative to 1 + |l|. Inputs are uniform, so no unit sits within rounding
 * of a ReLU kink.
 */
const KERNEL_TOL = 1e-12;

describe.skipIf(!wasmKernelsAvailable())('wasm and JS kernels of the 10-class net', () => {
  // (D, h, C, n, ps, normalise): tiny; odd sizes across the engine's 128-row block and the unit
  // panels; MNIST width; h = 8200 so that the wasm path's chunks are 64 rows and n = 150 spans
  // three (one setting there: a call takes ~0.2 s).
  const all = [1, 2, 3, 4, 2.5];
  const both = [true, false];
  const shapes: [number, number, number, number, number[], boolean[]][] = [
    [7, 6, 4, 9, all, both], [33, 17, 10, 131, all, both], [784, 21, 10, 70, all, both], [5, 8200, 3, 150, [3], [true]],
  ];
  it.each(shapes)('agree on loss, gradient and logits (D=%i, h=%i, C=%i, n=%i, p in %j, normalise in %j)', (D, h, C, n, ps, norms) => {
    const eng = wasmEngine();
    const dots = vi.spyOn(eng, 'dots');
    const acc = vi.spyOn(eng, 'accumulate');
    try {
      for (const p of ps) {
        for (const normalise of norms) {
          const { X, labels, theta, net: base } = problem(D + h + 10 * p, D, h, C, n, p);
          const net = multiclassView(D, h, p, C, theta, base.centre, normalise);
          const wj = createMulticlassWorkspace(h, C, { kernels: 'js' });
          const ww = createMulticlassWorkspace(h, C, { kernels: 'wasm-simd' });
          const gj = new Float64Array(theta.length), gw = new Float64Array(theta.length);
          const calls = [dots.mock.calls.length, acc.mock.calls.length];
          const Lj = lossAndGradMulticlass(net, X, labels, n, gj, wj);
          expect([dots.mock.calls.length, acc.mock.calls.length]).toEqual(calls);
          const Lw = lossAndGradMulticlass(net, X, labels, n, gw, ww);
          // The wasm path did run (one dots and one accumulate call per chunk of rows).
          expect(dots.mock.calls.length).toBeGreaterThan(calls[0]);
          expect(acc.mock.calls.length - calls[1]).toBe(dots.mock.calls.length - calls[0]);
          expect(Math.abs(Lw - Lj)).toBeLessThanOrEqual(KERNEL_TOL * Math.abs(Lj));
          expect(lossAndGradMulticlass(net, X, labels, n, null, ww)).toBe(Lw);
          for (const [from, to] of [[0, h * D], [h * D, theta.length]]) {
            let scale = 0, err = 0;
            for (let k = from; k < to; k++) {
              scale = Math.max(scale, Math.abs(gj[k]));
              err = Math.max(err, Math.abs(gw[k] - gj[k]));
            }
            expect(scale).toBeGreaterThan(0);
            expect(err).toBeLessThanOrEqual(KERNEL_TOL * scale);
          }
          const lj = multiclassLogits(net, X, n, undefined, wj), lw = multiclassLogits(net, X, n, undefined, ww);
          for (let k = 0; k < n * C; k++) expect(Math.abs(lw[k] - lj[k])).toBeLessThanOrEqual(KERNEL_TOL * (1 + Math.abs(lj[k])));
        }
      }
      if (h === 8200) expect(dots.mock.calls.some((c) => c[1] === 64) && dots.mock.calls.some((c) => c[1] === 22)).toBe(true);
    } finally {
      dots.mockRestore();
      acc.mockRestore();
    }
  });

  it('the workspace names its kernels (checked), and training on either ends at the same parameters to 1e-10', () => {
    expect(() => createMulticlassWorkspace(4, 3, { kernels: 'gpu' as never })).toThrow(ConfigError);
    expect(() => createMulticlassWorkspace(4, 3, { kernel: 'js' } as never)).toThrow(ConfigError);
    expect(createMulticlassWorkspace(4, 3).kernels).toBeNull();
    const split = stratifiedSplit(loadMnist(), 0.2, new Rng(11));
    const small = subset({ n: split.train.n, D: 784, X: split.train.X, digit: split.train.digit }, Int32Array.from({ length: 500 }, (_, i) => i * 16));
    const o = { h: 8, p: 3, epochs: 2, batch: 100, lr: 1e-2 };
    const before = kernelBackend();
    try {
      setKernelBackend('js');
      const a = trainMulticlass(small, o, new Rng(4));
      setKernelBackend('wasm-simd');
      const b = trainMulticlass(small, o, new Rng(4));
      let scale = 0, err = 0;
      for (let k = 0; k < a.theta.length; k++) {
        scale = Math.max(scale, Math.abs(a.theta[k]));
        err = Math.max(err, Math.abs(a.theta[k] - b.theta[k]));
      }
      // 20 Adam steps amplify the per-step rounding differences (measured ~1e-14 relative here).
      expect(err).toBeLessThanOrEqual(1e-10 * scale);
      for (let e = 0; e <= o.epochs; e++) expect(Math.abs(a.history[e].trainLoss - b.history[e].trainLoss)).toBeLessThanOrEqual(1e-10 * a.history[e].trainLoss);
    } finally {
      setKernelBackend(before);
    }
  });
});

describe('APGD-CE objective of the 10-class net', () => {
  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(1, 2, 3.5)], { numRuns: 10, seed: 7 })(
    'equals multiclassObjective(ce) on the VectorModel and matches finite differences in x',
    (seed, p) => {
      const D = 8, h = 7, C = 4;
      const { X, labels, net } = problem(seed, D, h, C, 2, p);
      const x = X.slice(0, D);
      const label = labels[0];
      const fused = multiclassCeObjective(freezeMulticlass(net), label);
      const ref = multiclassObjective(multiclassVectorModel(net), label, 'ce');
      const g1 = new Float64Array(D), g2 = new Float64Array(D);
      const v1 = fused.evaluate(x, g1);
      const v2 = ref.evaluate(x, g2);
      expect(Math.abs(v1 - v2)).toBeLessThan(1e-13 * (1 + Math.abs(v2)));
      expect(Math.abs(fused.margin - ref.margin)).toBeLessThan(1e-13 * (1 + Math.abs(ref.margin)));
      let gs = 0;
      for (let k = 0; k < D; k++) {
        expect(Math.abs(g1[k] - g2[k])).toBeLessThan(1e-13 * (1 + Math.abs(g2[k])));
        gs = Math.max(gs, Math.abs(g1[k]));
      }
      for (let k = 0; k < D; k++) {
        const eps = 1e-6;
        const xp = x.slice(), xm = x.slice();
        xp[k] += eps;
        xm[k] -= eps;
        const fd = (fused.evaluate(xp) - fused.evaluate(xm)) / (2 * eps);
        expect(Math.abs(fd - g1[k])).toBeLessThan(1e-6 * (1 + gs));
      }
    },
  );
});

describe('training on real digits', () => {
  it('lowers the loss, learns the 10 classes, is deterministic in the seed', () => {
    const split = stratifiedSplit(loadMnist(), 0.2, new Rng(11));
    const small = subset({ n: split.train.n, D: 784, X: split.train.X, digit: split.train.digit }, Int32Array.from({ length: 1000 }, (_, i) => i * 8));
    const o = { h: 8, p: 2, epochs: 3, batch: 100, lr: 1e-2 };
    const a = trainMulticlass(small, o, new Rng(5));
    const b = trainMulticlass(small, o, new Rng(5));
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(a.history.length).toBe(4);
    expect(a.history[3].trainLoss).toBeLessThan(a.history[0].trainLoss - 0.5);
    // Chance is 0.1; 30 Adam steps at h = 8 measured 0.51.
    expect(multiclassAccuracy(a.net, split.test)).toBeGreaterThan(0.35);
  });

  it('equals, bit for bit, the recipe written out step by step (the shared loop with one Adam group and digit labels)', () => {
    const split = stratifiedSplit(loadMnist(), 0.2, new Rng(2));
    const small = subset({ n: split.train.n, D: 784, X: split.train.X, digit: split.train.digit }, Int32Array.from({ length: 450 }, (_, i) => i * 17));
    const o = { h: 6, p: 4, epochs: 2, batch: 200, lr: 3e-3 };
    const got = trainMulticlass(small, o, new Rng(8));
    const rng = new Rng(8);
    const D = 784, C = 10;
    const { net, theta } = initMulticlassNet(D, o.h, o.p, C, meanImage(small), rng);
    const ws = createMulticlassWorkspace(o.h, C);
    const g = new Float64Array(theta.length);
    const adam = new Adam(theta.length, { lr: o.lr });
    const losses = [lossAndGradMulticlass(net, small.X, small.digit, small.n, null, ws)];
    const order = Int32Array.from({ length: small.n }, (_, i) => i);
    for (let e = 1; e <= o.epochs; e++) {
      shuffle(rng, order);
      let sum = 0, batches = 0;
      for (let s = 0; s < small.n; s += o.batch) {
        const rows = Array.from(order.subarray(s, Math.min(small.n, s + o.batch)));
        const Xb = new Float64Array(rows.length * D);
        rows.forEach((i, r) => Xb.set(small.X.subarray(i * D, (i + 1) * D), r * D));
        sum += lossAndGradMulticlass(net, Xb, Int32Array.from(rows, (i) => small.digit[i]), rows.length, g, ws);
        adam.step(theta, g);
        batches++;
      }
      expect(batches).toBe(3);
      losses.push(sum / batches);
    }
    expect(Array.from(got.theta)).toEqual(Array.from(theta));
    expect(got.history.map((r) => r.trainLoss)).toEqual(losses);
  });
});
