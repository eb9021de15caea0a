/**
 * Issue 8: APGD on batches of points (src/robustness/apgdBatch.ts) and the batched objectives on
 * the WebAssembly kernels (src/network/frozenBatch.ts, src/realdata/digitBatch.ts).
 *
 * - apgdBatch over the single-point objectives called point by point is bit-identical to apgd()
 *   point by point with the same streams (success, delta, margin, loss at the result, evaluation
 *   count), for l_inf, l2 and l1, with 0, 1 and 2 random restarts, with and without the pixel box.
 * - The batched objectives agree with the single-point ones: bit for bit on the 'js' backend (they
 *   are the single-point code), and within TOL on the wasm kernels for p in {1, 2, 3, 4},
 *   normalisation on/off, centre on/off. Tolerance: the kernels form the same sums of <= max(h, D)
 *   terms in another order (pairs, panels, fused multiply-adds), so every product entry differs by
 *   < 1e-13 of its sum of |terms| (test/network.kernels.test.ts); values are compared in the max
 *   norm over the batch relative to their largest entry (relMaxErr), gradients likewise over all
 *   entries, against TOL = 1e-12. Inputs are kept 1e-9 away from ReLU kinks (randomCase kinkGap).
 * - A point's value on the wasm kernels does not depend on the other rows of its batch (bit for
 *   bit), which is what makes chunked robust counts equal one pass.
 * - The l1 step's threshold by quickselect (orderStatistic) equals the sorted array's entry, with
 *   ties and zeros (gradients on clipped pixels), so the step is the one a full sort gives.
 * - robustCounts (src/realdata/robust.ts): on 'js' its counts equal the former loop (apgd point by
 *   point, row after row, point i on the i-th jump); chunks and batch sizes do not change them.
 */
import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { Rng } from '../src/random/rng.ts';
import { apgd, orderStatistic, type ApgdOptions } from '../src/robustness/apgd.ts';
import { apgdBatch, binaryBatchObjective, pointwiseBatch } from '../src/robustness/apgdBatch.ts';
import { binaryObjective, type AttackObjective } from '../src/robustness/model.ts';
import type { NormKind } from '../src/robustness/ball.ts';
import { freezeNet, type PReluNet } from '../src/network/index.ts';
import { freezeNetBatch } from '../src/network/frozenBatch.ts';
import { kernelBackend, setKernelBackend, wasmKernelsAvailable, type KernelBackend } from '../src/network/kernels.ts';
import { multiclassView, freezeMulticlass, multiclassCeObjective, multiclassParamCount } from '../src/realdata/multiclass.ts';
import { freezeDigitsBatch } from '../src/realdata/digitBatch.ts';
import { attackModel, emptyRows, parityObjectives, robustCounts, type ObjectiveFactory, type ThreatGrid } from '../src/realdata/robust.ts';
import type { DigitSet } from '../src/realdata/split.ts';
import { ConfigError } from '../src/validate.ts';
import { randomCase, relMaxErr } from './network.helpers.ts';

const TOL = 1e-12;
const wasm = wasmKernelsAvailable();

function withBackend<T>(b: KernelBackend, fn: () => T): T {
  const old = kernelBackend();
  setKernelBackend(b);
  try {
    return fn();
  } finally {
    setKernelBackend(old);
  }
}

/** A pixel-box problem: a normalised, centred net on [0, 1]^D and labels mostly = its prediction. */
function pixelCase(D: number, h: number, p: number, n: number, seed: number): { net: PReluNet; set: DigitSet } {
  const rng = new Rng(seed);
  const centre = Float64Array.from({ length: D }, () => 0.3 + 0.4 * rng.uniform());
  const W = rng.fillNormal(new Float64Array(h * D), 0, 1 / Math.sqrt(D));
  const v = rng.fillNormal(new Float64Array(h), 0, 1);
  const net: PReluNet = { D, h, p, W, v, b: 0.05, hasBias: true, centre, normalise: true };
  const X = Float64Array.from({ length: n * D }, () => rng.uniform());
  const fz = freezeNet(net);
  const y = new Float64Array(n);
  const digit = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = fz.evaluate(X.subarray(i * D, (i + 1) * D));
    // Every fifth point mislabelled (broken at radius 0); the rest labelled by the net.
    y[i] = (f > 0 ? 1 : -1) * (i % 5 === 4 ? -1 : 1);
    digit[i] = y[i] > 0 ? 1 : 0;
  }
  return { net, set: { n, D, X, digit, y } };
}

describe('apgdBatch = apgd point by point (single-point objectives, same streams)', () => {
  const D = 24, h = 10, n = 9;
  const { net, set } = pixelCase(D, h, 3, n, 11);
  const model = attackModel(net);
  const objs = (): AttackObjective[] => Array.from({ length: n }, (_, i) => binaryObjective(model, set.y[i], 'ce'));
  const cases: [NormKind, number][] = [['linf', 0.08], ['l2', 0.5], ['l1', 0.9]];
  for (const [norm, r] of cases) {
    for (const restarts of [0, 1, 2]) {
      for (const box of [undefined, { lo: 0, hi: 1 }]) {
        it(`${norm} r=${r}, restarts ${restarts}, ${box ? 'pixel box' : 'no box'}`, () => {
          const o: Partial<ApgdOptions> = { norm, steps: 25, restarts, box };
          const seeds = Array.from({ length: n }, (_, i) => 100 + i);
          const batch = apgdBatch(pointwiseBatch(objs()), set.X, r, seeds.map((s) => new Rng(s)), o);
          const single = objs();
          let successes = 0;
          for (let i = 0; i < n; i++) {
            const x0 = set.X.slice(i * D, (i + 1) * D);
            const a = apgd(single[i], x0, r, new Rng(seeds[i]), o);
            const b = batch[i];
            expect(b.success).toBe(a.success);
            expect(Object.is(b.margin, a.margin)).toBe(true);
            expect(b.norm).toBe(a.norm);
            expect(b.evaluations).toBe(a.evaluations);
            expect(Array.from(b.delta)).toEqual(Array.from(a.delta));
            const xa = x0.map((v, k) => v + a.delta[k]), xb = x0.map((v, k) => v + b.delta[k]);
            expect(Object.is(single[i].evaluate(xb), single[i].evaluate(xa))).toBe(true);
            if (a.success) successes++;
          }
          // Both exits are exercised (some points break, some resist), except with no run at all.
          if (restarts > 0) {
            expect(successes).toBeGreaterThan(0);
            expect(successes).toBeLessThan(n);
          }
        });
      }
    }
  }

  it('also with given starts, and rejects mismatched inputs with named errors', () => {
    const starts = [new Float64Array(D).fill(0.01), new Float64Array(D).fill(-0.02)];
    const o: Partial<ApgdOptions> = { norm: 'linf', steps: 20, restarts: 1, starts, box: { lo: 0, hi: 1 } };
    const batch = apgdBatch(pointwiseBatch(objs()), set.X, 0.05, Array.from({ length: n }, (_, i) => new Rng(i)), o);
    const single = objs();
    for (let i = 0; i < n; i++) {
      const a = apgd(single[i], set.X.slice(i * D, (i + 1) * D), 0.05, new Rng(i), o);
      expect(Array.from(batch[i].delta)).toEqual(Array.from(a.delta));
      expect(batch[i].evaluations).toBe(a.evaluations);
    }
    expect(() => apgdBatch(pointwiseBatch(objs()), set.X, 0.1, [new Rng(1)])).toThrow(ConfigError);
    expect(() => apgdBatch(pointwiseBatch(objs()), set.X.subarray(D), 0.1, Array.from({ length: n }, () => new Rng(1)))).toThrow(ConfigError);
    expect(() => apgdBatch(pointwiseBatch(objs()), set.X, -1, Array.from({ length: n }, () => new Rng(1)))).toThrow(ConfigError);
  });
});

describe('l1 threshold', () => {
  const entry = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 10, noNaN: true, noDefaultInfinity: true }));
  ptest.prop([fc.array(entry, { minLength: 1, maxLength: 80 }), fc.nat()], { numRuns: 400, seed: 8 })('orderStatistic(a, k) = sort(a)[k]', (xs, k) => {
    const a = Float64Array.from(xs);
    const idx = k % a.length;
    const ref = Float64Array.from(a).sort()[idx];
    expect(Object.is(orderStatistic(a, idx), ref)).toBe(true);
  });
  it('with a NaN it falls back to the sort', () => {
    expect(orderStatistic(Float64Array.from([3, NaN, 1, 2]), 2)).toBe(3);
    expect(orderStatistic(Float64Array.from([3, NaN, 1, 2]), 3)).toBeNaN();
  });
});

describe('batched parity net = frozen single-point net', () => {
  const settings: { p: number; normalise: boolean; centre: boolean }[] = [];
  for (const p of [1, 2, 3, 4]) for (const normalise of [false, true]) for (const centre of [false, true]) settings.push({ p, normalise, centre });
  const backends: KernelBackend[] = wasm ? ['js', 'wasm-simd'] : ['js'];
  for (const backend of backends) {
    it(`${backend}: f and df/dx for p = 1..4, normalise on/off, centre on/off (${backend === 'js' ? 'bit for bit' : `relMaxErr < ${TOL}`})`, () => {
      for (const s of settings) {
        const n = 13;
        const { net, X, y } = randomCase({ D: 37, h: 19, n, p: s.p, bias: true, centre: s.centre, normalise: s.normalise, seed: 7 * s.p + (s.centre ? 1 : 0) + (s.normalise ? 2 : 0), kinkGap: 1e-9 });
        const D = net.D;
        const fb = freezeNetBatch(net, backend);
        expect(fb.backend).toBe(backend);
        const fz = freezeNet(net);
        const f = new Float64Array(n), G = new Float64Array(n * D), fv = new Float64Array(n);
        fb.evaluate(X, n, f, G);
        fb.evaluate(X, n, fv);
        const f1 = new Float64Array(n), G1 = new Float64Array(n * D);
        for (let i = 0; i < n; i++) f1[i] = fz.evaluate(X.subarray(i * D, (i + 1) * D), G1.subarray(i * D, (i + 1) * D));
        expect(Array.from(fv)).toEqual(Array.from(f));
        if (backend === 'js') {
          expect(Array.from(f)).toEqual(Array.from(f1));
          expect(Array.from(G)).toEqual(Array.from(G1));
        } else {
          expect(relMaxErr(f, f1)).toBeLessThan(TOL);
          expect(relMaxErr(G, G1)).toBeLessThan(TOL);
        }
        // The CE objective on top: loss, margin and gradient of binaryObjective(.., 'ce').
        const obj = binaryBatchObjective(fb, y, 'ce');
        const pts = Int32Array.from({ length: n }, (_, i) => i);
        const L = new Float64Array(n), M = new Float64Array(n), GL = new Float64Array(n * D);
        obj.evaluate(pts, n, X, L, M, GL);
        const model = attackModel(net);
        const L1 = new Float64Array(n), M1 = new Float64Array(n), GL1 = new Float64Array(n * D);
        for (let i = 0; i < n; i++) {
          const o1 = binaryObjective(model, y[i], 'ce');
          L1[i] = o1.evaluate(X.subarray(i * D, (i + 1) * D), GL1.subarray(i * D, (i + 1) * D));
          M1[i] = o1.margin;
        }
        const tol = backend === 'js' ? 0 : TOL;
        expect(relMaxErr(L, L1)).toBeLessThanOrEqual(tol);
        expect(relMaxErr(M, M1)).toBeLessThanOrEqual(tol);
        expect(relMaxErr(GL, GL1)).toBeLessThanOrEqual(tol);
      }
    });
  }

  it.skipIf(!wasm)('wasm: a row does not depend on the other rows of its batch (bit for bit)', () => {
    const { net, X } = randomCase({ D: 45, h: 23, n: 11, p: 3, bias: true, centre: true, normalise: true, seed: 5, kinkGap: 1e-9 });
    const D = net.D;
    const fb = freezeNetBatch(net, 'wasm-simd');
    const f = new Float64Array(11), G = new Float64Array(11 * D);
    fb.evaluate(X, 11, f, G);
    const pick = [7, 2, 9];
    const Xs = new Float64Array(3 * D);
    pick.forEach((i, t) => Xs.set(X.subarray(i * D, (i + 1) * D), t * D));
    const fs = new Float64Array(3), Gs = new Float64Array(3 * D);
    fb.evaluate(Xs, 3, fs, Gs);
    pick.forEach((i, t) => {
      expect(Object.is(fs[t], f[i])).toBe(true);
      expect(Array.from(Gs.subarray(t * D, (t + 1) * D))).toEqual(Array.from(G.subarray(i * D, (i + 1) * D)));
    });
  });
});

describe('batched 10-class CE = multiclassCeObjective', () => {
  const backends: KernelBackend[] = wasm ? ['js', 'wasm-simd'] : ['js'];
  for (const backend of backends) {
    it(`${backend}: loss, margin and input gradient for p = 1..4, normalise on/off, centre on/off`, () => {
      for (const p of [1, 2, 3, 4]) for (const normalise of [false, true]) for (const centred of [false, true]) {
        const D = 33, h = 21, C = 10, n = 9;
        const rng = new Rng(31 * p + (normalise ? 1 : 0) + (centred ? 2 : 0));
        const theta = rng.fillNormal(new Float64Array(multiclassParamCount(D, h, C)), 0, 0.5);
        // MulticlassNet always carries a centre: "centre off" is the zero image.
        const centre = centred ? Float64Array.from({ length: D }, () => rng.uniform()) : new Float64Array(D);
        const net = multiclassView(D, h, p, C, theta, centre, normalise);
        const X = Float64Array.from({ length: n * D }, () => rng.uniform());
        const labels = Int32Array.from({ length: n }, () => rng.int(C));
        const obj = freezeDigitsBatch(net, backend).objective(labels);
        const pts = Int32Array.from({ length: n }, (_, i) => i);
        const L = new Float64Array(n), M = new Float64Array(n), G = new Float64Array(n * D);
        obj.evaluate(pts, n, X, L, M, G);
        const Lv = new Float64Array(n), Mv = new Float64Array(n);
        obj.evaluate(pts, n, X, Lv, Mv, null);
        expect(Array.from(Lv)).toEqual(Array.from(L));
        const fz = freezeMulticlass(net);
        const L1 = new Float64Array(n), M1 = new Float64Array(n), G1 = new Float64Array(n * D);
        for (let i = 0; i < n; i++) {
          const o1 = multiclassCeObjective(fz, labels[i]);
          L1[i] = o1.evaluate(X.subarray(i * D, (i + 1) * D), G1.subarray(i * D, (i + 1) * D));
          M1[i] = o1.margin;
        }
        const tol = backend === 'js' ? 0 : TOL;
        expect(relMaxErr(L, L1)).toBeLessThanOrEqual(tol);
        expect(relMaxErr(M, M1)).toBeLessThanOrEqual(tol);
        expect(relMaxErr(G, G1)).toBeLessThanOrEqual(tol);
      }
    });
  }
});

describe('robustCounts in batches', () => {
  const { net, set } = pixelCase(30, 12, 2, 17, 23);
  const grids: ThreatGrid[] = [{ norm: 'linf', radii: [0, 0.04, 0.12] }, { norm: 'l2', radii: [0.6] }, { norm: 'l1', radii: [2] }];
  const o = { apgd: { steps: 15, restarts: 1 }, seed: 4 };

  /** The former definition: apgd one point at a time, row after row, point i on the i-th jump. */
  function pointByPoint(objectives: ObjectiveFactory): number[] {
    const rows = emptyRows(grids, set.n);
    const counts = new Array<number>(rows.length).fill(0);
    const root = new Rng(o.seed);
    for (let i = 0; i < set.n; i++) {
      const rng = root.jump();
      const x0 = set.X.slice(i * set.D, (i + 1) * set.D);
      const obj = objectives(set, i);
      rows.forEach((row, k) => {
        if (!apgd(obj, x0, row.radius, rng, { ...o.apgd, norm: row.norm, box: { lo: 0, hi: 1 } }).success) counts[k]++;
      });
    }
    return counts;
  }

  it('js: equal to apgd point by point; chunks and batch sizes do not matter', () => {
    withBackend('js', () => {
      const ref = pointByPoint(parityObjectives(net));
      // The attacks break some points at some radii and not at others (the comparison is not vacuous).
      expect(ref.some((c) => c > 0 && c < set.n)).toBe(true);
      expect(robustCounts(parityObjectives(net), set, grids, o)).toEqual(ref);
      expect(robustCounts(parityObjectives(net), set, grids, { ...o, batch: 4 })).toEqual(ref);
    });
  });

  it('default kernels: chunked counts (any batch size) equal one pass; progress once per point', () => {
    const whole = robustCounts(parityObjectives(net), set, grids, o);
    const calls: [number, number][] = [];
    const a = robustCounts(parityObjectives(net), set, grids, { ...o, batch: 3, progress: (d, t) => calls.push([d, t]) }, 0, 8);
    const b = robustCounts(parityObjectives(net), set, grids, { ...o, batch: 5 }, 8, 17);
    expect(a.map((x, k) => x + b[k])).toEqual(whole);
    expect(calls).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1, 8]));
    // Radius 0 counts the correctly classified points (every fifth is mislabelled).
    expect(whole[0]).toBe(set.n - Math.floor(set.n / 5));
    expect(() => robustCounts(parityObjectives(net), set, grids, { ...o, batch: 0 })).toThrow(ConfigError);
  });
});
