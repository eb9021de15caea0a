/**
 * Real-data pipeline (issue 8, PAPER.md s.8 Section 5.2.1): the package's digits, the stratified
 * seeded split and parity labels, Adam against a hand computation, the exactness of the
 * two-logit head as one output with doubled head learning rate, and that the attacked model works
 * on raw pixels with centring and normalisation inside.
 */
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../src/realdata/mnist.ts';
import { stratifiedSplit, parityLabel, meanImage, subset } from '../src/realdata/split.ts';
import { Adam } from '../src/realdata/adam.ts';
import { initParityNet, trainParity, accuracy } from '../src/realdata/train.ts';
import { attackModel, parityObjectives, robustCounts } from '../src/realdata/robust.ts';
import { resolveConfig, QUICK_CONFIG, STANDARD_CONFIG } from '../src/realdata/experiment.ts';
import { Rng } from '../src/random/rng.ts';
import { shuffle } from '../src/random/sampling.ts';
import { createGrad, createNet, forward, lossAndGrad } from '../src/network/index.ts';
import { netModel } from '../src/robustness/netmodel.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { apgd } from '../src/robustness/apgd.ts';
import { ConfigError } from '../src/validate.ts';

const mnist = loadMnist();

describe('mnist digits through the package', () => {
  it('has 10,000 images of 784 pixels in [0, 1] with every digit present', () => {
    expect(mnist.n).toBe(10000);
    expect(mnist.D).toBe(784);
    expect(mnist.X.length).toBe(10000 * 784);
    const counts = new Array(10).fill(0);
    for (const d of mnist.digit) counts[d]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let lo = Infinity, hi = -Infinity;
    for (const x of mnist.X) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
  });
});

describe('stratified split', () => {
  const a = stratifiedSplit(mnist, 0.2, new Rng(7));
  it('is 8,000 / 2,000 with round(0.2 n_d) test images of every digit, disjoint and covering', () => {
    expect(a.train.n).toBe(8000);
    expect(a.test.n).toBe(2000);
    const per = new Array(10).fill(0);
    for (const d of a.test.digit) per[d]++;
    const total = new Array(10).fill(0);
    for (const d of mnist.digit) total[d]++;
    for (let d = 0; d < 10; d++) expect(per[d]).toBe(Math.round(0.2 * total[d]));
    const seen = new Uint8Array(mnist.n);
    for (const i of a.trainIndex) seen[i]++;
    for (const i of a.testIndex) seen[i]++;
    expect(seen.every((c) => c === 1)).toBe(true);
  });
  it('is deterministic in the seed and changes with it', () => {
    const b = stratifiedSplit(mnist, 0.2, new Rng(7));
    const c = stratifiedSplit(mnist, 0.2, new Rng(8));
    expect(Array.from(b.testIndex)).toEqual(Array.from(a.testIndex));
    expect(Array.from(c.testIndex)).not.toEqual(Array.from(a.testIndex));
  });
  it('copies images and gives parity labels +1 for odd, -1 for even digits', () => {
    for (let i = 0; i < a.test.n; i += 97) {
      const s = a.testIndex[i];
      expect(a.test.digit[i]).toBe(mnist.digit[s]);
      expect(a.test.y[i]).toBe(mnist.digit[s] % 2 === 1 ? 1 : -1);
      expect(Array.from(a.test.X.subarray(i * 784, i * 784 + 784))).toEqual(Array.from(mnist.X.subarray(s * 784, s * 784 + 784)));
    }
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(parityLabel)).toEqual([-1, 1, -1, 1, -1, 1, -1, 1, -1, 1]);
  });
  it('rejects a test fraction outside (0, 1)', () => {
    expect(() => stratifiedSplit(mnist, 0, new Rng(1))).toThrow(ConfigError);
    expect(() => stratifiedSplit(mnist, 1, new Rng(1))).toThrow(ConfigError);
  });
});

describe('Adam', () => {
  it('matches a hand computation of two steps on f = theta^2 / 2 (and per-group learning rates)', () => {
    const adam = new Adam(2, { lr: 0.1 }, [{ start: 0, end: 1, lr: 0.1 }, { start: 1, end: 2, lr: 0.2 }]);
    const th = Float64Array.from([1, -2]);
    const g = new Float64Array(2);
    // Step 1: m = 0.1 g, s = 0.001 g^2, mhat = g, shat = g^2: the step is lr sign(g) g/(|g| + eps).
    g.set(th);
    adam.step(th, g);
    expect(th[0]).toBeCloseTo(1 - 0.1 / (1 + 1e-8), 15);
    expect(th[1]).toBeCloseTo(-2 + (0.2 * 2) / (2 + 1e-8), 15);
    // Step 2 by hand for coordinate 0.
    const g1 = th[0];
    const m = 0.9 * 0.1 * 1 + 0.1 * g1;
    const s = 0.999 * 0.001 * 1 + 0.001 * g1 * g1;
    const mhat = m / (1 - 0.9 ** 2);
    const shat = s / (1 - 0.999 ** 2);
    const expected = g1 - (0.1 * mhat) / (Math.sqrt(shat) + 1e-8);
    g.set(th);
    adam.step(th, g);
    expect(Math.abs(th[0] - expected)).toBeLessThan(1e-15);
  });
  it('rejects bad settings and groups', () => {
    expect(() => new Adam(3, { lr: 0 })).toThrow(ConfigError);
    expect(() => new Adam(3, { beta1: 1 })).toThrow(ConfigError);
    expect(() => new Adam(3, {}, [{ start: 0, end: 2, lr: 1 }])).toThrow(ConfigError);
    expect(() => new Adam(3, {}, [{ start: 1, end: 3, lr: 1 }])).toThrow(ConfigError);
  });
});

describe('two-logit head as one output', () => {
  it('Adam on (V0, V1, b0, b1) with CE gives the same f as Adam with 2 lr on (v, b) = (V1 - V0, b1 - b0)', () => {
    const rng = new Rng(3);
    const D = 6, h = 5, n = 40, p = 2.5;
    const X = new Float64Array(n * D);
    rng.fillNormal(X);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : -1));
    const centre = new Float64Array(D).fill(0.1);
    const { net, theta } = initParityNet(D, h, p, centre, rng);
    // Explicit two-logit copy: V1 = v/2 + c, V0 = -v/2 + c (any split with V1 - V0 = v).
    const V1 = Float64Array.from(net.v, (x, j) => x / 2 + 0.3 * j);
    const V0 = Float64Array.from(net.v, (x, j) => -x / 2 + 0.3 * j);
    let b1 = net.b / 2 + 0.2, b0 = -net.b / 2 + 0.2;
    const W2 = net.W.slice();
    const twin = createNet({ D, h, p, init: 'kaiming', bias: true, centre, normalise: true }, new Rng(9));
    const lr = 0.01;
    const single = new Adam(theta.length, { lr }, [{ start: 0, end: h * D, lr }, { start: h * D, end: theta.length, lr: 2 * lr }]);
    const aW = new Adam(h * D, { lr }), a1 = new Adam(h + 1, { lr }), a0 = new Adam(h + 1, { lr });
    const opts = { loss: 'logistic', reduction: 'mean' } as const;
    const g = createGrad(net);
    const packed = new Float64Array(theta.length);
    const g2 = createGrad(twin);
    for (let step = 0; step < 6; step++) {
      lossAndGrad(net, X, y, n, opts, g, undefined);
      packed.set(g.W, 0); packed.set(g.v, h * D); packed[h * D + h] = g.b;
      single.step(theta, packed);
      // Two-logit net: dCE/dV1 = dCE/df a, dCE/dV0 = -that.
      twin.W.set(W2);
      for (let j = 0; j < h; j++) twin.v[j] = V1[j] - V0[j];
      twin.b = b1 - b0;
      lossAndGrad(twin, X, y, n, opts, g2, undefined);
      aW.step(W2, g2.W);
      const p1 = Float64Array.from([...V1, b1]), p0 = Float64Array.from([...V0, b0]);
      a1.step(p1, Float64Array.from([...g2.v, g2.b]));
      a0.step(p0, Float64Array.from([...g2.v, g2.b].map((x) => -x)));
      V1.set(p1.subarray(0, h)); V0.set(p0.subarray(0, h)); b1 = p1[h]; b0 = p0[h];
    }
    for (let k = 0; k < h * D; k++) expect(Math.abs(net.W[k] - W2[k])).toBeLessThan(1e-12);
    for (let j = 0; j < h; j++) expect(Math.abs(net.v[j] - (V1[j] - V0[j]))).toBeLessThan(1e-12);
    expect(Math.abs(net.b - (b1 - b0))).toBeLessThan(1e-12);
  });
});

describe('training and the attacked model', () => {
  const split = stratifiedSplit(mnist, 0.2, new Rng(11));
  const small = subset({ n: split.train.n, D: 784, X: split.train.X, digit: split.train.digit }, Int32Array.from({ length: 1000 }, (_, i) => i * 8));
  const probe = subset({ n: split.test.n, D: 784, X: split.test.X, digit: split.test.digit }, Int32Array.from({ length: 50 }, (_, i) => i));
  const tr = trainParity(small, { h: 8, p: 3, epochs: 4, batch: 250, lr: 1e-2, probe, rankEvery: 3 }, new Rng(5));

  it('centres by the mean training image, normalises, lowers the loss and learns parity', () => {
    expect(Array.from(tr.net.centre!)).toEqual(Array.from(meanImage(small)));
    expect(tr.net.normalise).toBe(true);
    expect(tr.net.hasBias).toBe(true);
    expect(tr.history.length).toBe(5);
    expect(tr.history[4].trainLoss).toBeLessThan(tr.history[0].trainLoss - 0.1);
    // Stable ranks at epochs 0, 3 (rankEvery) and 4 (the last) only; in [1, h].
    expect(tr.history.map((r) => r.weightStableRank !== null)).toEqual([true, false, false, true, true]);
    expect(tr.history.map((r) => r.featureStableRank !== null)).toEqual([true, false, false, true, true]);
    for (const r of [tr.history[0], tr.history[3], tr.history[4]]) {
      expect(r.featureStableRank!).toBeGreaterThanOrEqual(1 - 1e-12);
      expect(r.featureStableRank!).toBeLessThanOrEqual(8 + 1e-9);
    }
    expect(accuracy(tr.net, split.test)).toBeGreaterThan(0.7);
  });

  it('equals, bit for bit, the recipe written out step by step (init, per-epoch shuffle, batches with the last kept, Adam groups)', () => {
    // The shared loop (src/realdata/loop.ts) against a direct transcription of the parity recipe:
    // init from the rng, then per epoch a shuffle from the same rng and Adam (head at 2 lr) on
    // batches of 300 of the 1000 rows (the last batch has 100), the epoch-0 loss on all rows.
    const o = { h: 5, p: 2.5, epochs: 3, batch: 300, lr: 5e-3 };
    const records: number[] = [];
    const got = trainParity(small, { ...o, rankEvery: 2 }, new Rng(21), (r) => records.push(r.epoch));
    const rng = new Rng(21);
    const D = 784;
    const { net, theta } = initParityNet(D, o.h, o.p, meanImage(small), rng);
    const g = createGrad(net);
    const flat = new Float64Array(theta.length);
    const adam = new Adam(theta.length, { lr: o.lr }, [{ start: 0, end: o.h * D, lr: o.lr }, { start: o.h * D, end: theta.length, lr: 2 * o.lr }]);
    const opts = { loss: 'logistic', reduction: 'mean' } as const;
    const losses = [lossAndGrad(net, small.X, small.y, small.n, opts, null)];
    const order = Int32Array.from({ length: small.n }, (_, i) => i);
    for (let e = 1; e <= o.epochs; e++) {
      shuffle(rng, order);
      let sum = 0, batches = 0;
      for (let s = 0; s < small.n; s += o.batch) {
        const rows = Array.from(order.subarray(s, Math.min(small.n, s + o.batch)));
        const Xb = new Float64Array(rows.length * D);
        rows.forEach((i, r) => Xb.set(small.X.subarray(i * D, (i + 1) * D), r * D));
        sum += lossAndGrad(net, Xb, Float64Array.from(rows, (i) => small.y[i]), rows.length, opts, g);
        flat.set(g.W, 0); flat.set(g.v, o.h * D); flat[o.h * D + o.h] = g.b;
        adam.step(theta, flat);
        batches++;
      }
      expect(batches).toBe(4);
      losses.push(sum / batches);
    }
    expect(Array.from(got.theta)).toEqual(Array.from(theta));
    expect(got.history.map((r) => r.trainLoss)).toEqual(losses);
    expect(records).toEqual([1, 2, 3]);
    expect(got.history.map((r) => r.weightStableRank !== null)).toEqual([true, false, true, true]);
    expect(got.history.map((r) => r.featureStableRank)).toEqual([null, null, null, null]);
    for (let e = 1; e <= o.epochs; e++) expect(got.history[e].seconds).toBeGreaterThanOrEqual(got.history[e - 1].seconds);
    expect(() => trainParity(small, { ...o, batch: 0 }, new Rng(1))).toThrow(/batch/);
    expect(() => trainParity(small, { ...o, rankEvery: 0 }, new Rng(1))).toThrow(/rankEvery/);
  });

  it('the attack model evaluates raw pixels with centring and normalisation inside', () => {
    const { net } = tr;
    const model = netModel(net);
    const x = split.test.X.slice(0, 784);
    // f by hand: sum_j v_j relu(<x - xbar, w_j>)^p / (||w_j||^(p-1) ||x - xbar||^(p-1)) + b.
    const c = net.centre!;
    let xn = 0;
    for (let k = 0; k < 784; k++) xn += (x[k] - c[k]) ** 2;
    xn = Math.sqrt(xn);
    let f = net.b;
    for (let j = 0; j < net.h; j++) {
      let u = 0, w2 = 0;
      for (let k = 0; k < 784; k++) { u += (x[k] - c[k]) * net.W[j * 784 + k]; w2 += net.W[j * 784 + k] ** 2; }
      if (u > 0) f += (net.v[j] * u ** 3) / (w2 * xn * xn);
    }
    expect(Math.abs(model.value(x) - f)).toBeLessThan(1e-12 * (1 + Math.abs(f)));
    const am = attackModel(net);
    const g1 = new Float64Array(784), g2 = new Float64Array(784);
    expect(Math.abs(am.valueAndGrad(x, g1) - f)).toBeLessThan(1e-12 * (1 + Math.abs(f)));
    model.valueAndGrad(x, g2);
    for (let k = 0; k < 784; k++) expect(Math.abs(g1[k] - g2[k])).toBeLessThan(1e-12 * (1 + Math.abs(g2[k])));
    expect(Math.abs(forward(net, x, 1)[0] - f)).toBeLessThan(1e-12 * (1 + Math.abs(f)));
    // APGD iterates are raw images: in the pixel box and in the ball.
    const obj = binaryObjective(am, split.test.y[0], 'ce');
    for (const [norm, r] of [['linf', 0.1], ['l2', 2], ['l1', 10]] as const) {
      const res = apgd(obj, x, r, new Rng(2), { norm, steps: 20, box: { lo: 0, hi: 1 } });
      for (let k = 0; k < 784; k++) {
        expect(x[k] + res.delta[k]).toBeGreaterThanOrEqual(0);
        expect(x[k] + res.delta[k]).toBeLessThanOrEqual(1);
      }
      expect(res.norm).toBeLessThanOrEqual(r * (1 + 1e-9));
    }
  });
});

describe('attacks in chunks', () => {
  it('counts over [0, n) equal the sums over chunks (point i has its own stream), and robust accuracy is non-increasing here', () => {
    const split = stratifiedSplit(mnist, 0.2, new Rng(3));
    const pts = subset({ n: split.test.n, D: 784, X: split.test.X, digit: split.test.digit }, Int32Array.from({ length: 7 }, (_, i) => i * 17));
    const tr = trainParity(subset({ n: split.train.n, D: 784, X: split.train.X, digit: split.train.digit }, Int32Array.from({ length: 500 }, (_, i) => i * 16)),
      { h: 6, p: 2, epochs: 2, batch: 100, lr: 1e-2 }, new Rng(4));
    const obj = parityObjectives(tr.net);
    const grids = [{ norm: 'linf' as const, radii: [0, 0.05, 0.2] }, { norm: 'l2' as const, radii: [1] }];
    const o = { apgd: { steps: 15 }, seed: 9 };
    const whole = robustCounts(obj, pts, grids, o);
    const a = robustCounts(obj, pts, grids, o, 0, 3);
    const b = robustCounts(obj, pts, grids, o, 3, 7);
    expect(whole).toEqual(a.map((x, k) => x + b[k]));
    expect(whole[0]).toBe(Math.round(accuracy(tr.net, pts) * 7));
    expect(whole[1]).toBeLessThanOrEqual(whole[0]);
    expect(whole[2]).toBeLessThanOrEqual(whole[1]);
    expect(() => robustCounts(obj, pts, grids, o, 5, 3)).toThrow(ConfigError);
  });
});

describe('experiment config', () => {
  it('defaults and named errors', () => {
    expect(resolveConfig(true, {})).toEqual(QUICK_CONFIG);
    expect(resolveConfig(false, {})).toEqual(STANDARD_CONFIG);
    expect(resolveConfig(true, { full: true }).h).toBe(500);
    expect(resolveConfig(true, { h: 7 }).h).toBe(7);
    expect(() => resolveConfig(true, { hh: 1 })).toThrow(ConfigError);
    expect(() => resolveConfig(true, { h: 0 })).toThrow(/mnist-parity\.h/);
    expect(() => resolveConfig(true, { ps: [1] })).toThrow(/mnist-parity\.ps/);
    expect(() => resolveConfig(true, { ps: [1, 0.5] })).toThrow(/mnist-parity\.ps\[1\]/);
    expect(() => resolveConfig(true, { full: 'yes' })).toThrow(ConfigError);
    expect(() => resolveConfig(true, { ps: [1, 1] })).toThrow(/distinct/);
    expect(() => resolveConfig(true, { rankEvery: 0 })).toThrow(/mnist-parity\.rankEvery/);
    expect(resolveConfig(true, { full: true })).toMatchObject({ h: 500, epochs: 51, seeds: 5, attackPoints: 2000 });
  });
});
