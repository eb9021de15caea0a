/**
 * Issue 8: weights packed once into the wasm engine's linear memory (engine.ts `resident`,
 * `dotsResident`) and their use by the batched objectives (frozenBatch.ts, realdata/digitBatch.ts).
 *
 * Every comparison here is exact (bit for bit, tolerance 0): a resident handle runs the same
 * pack_w on the same snapshot and the same fwd kernel as `dots`, only from another address, so
 * any difference means stale, moved-wrong or overwritten packed weights.
 * - dotsResident equals dots on random shapes (panels, odd D, several 128-row blocks, centre or not).
 * - Snapshot: changing the caller's W after `resident` does not change the handle's numbers.
 * - Eviction and reload: with a budget for fewer handles than are in use, handles are evicted
 *   (least recently used) and repacked on use with the same numbers; with budget 0 none is
 *   resident and every call packs, as dots does. Linear memory stays within the documented bound.
 * - The arena moves up when a per-call layout grows (dots / lossAndGrad / forward on a larger
 *   net) and keeps its handles intact; lossAndGrad and forward on an engine holding handles
 *   (moving its arena) equal those of an engine that never held any.
 * - freezeNetBatch and freezeDigitsBatch give the same numbers with resident weights as with
 *   per-call packing (budget 0: the former `dots` path), p in 1..4 and 2.5, several shapes.
 */
import { describe, expect, test } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { Rng } from '../src/random/index.ts';
import { createWorkspace, type PReluNet } from '../src/network/index.ts';
import { inverseNorms } from '../src/network/activation.ts';
import { wasmEngine, wasmKernelsAvailable } from '../src/network/kernels.ts';
import { DEFAULT_RESIDENT_BUDGET, WasmEngine } from '../src/network/wasm/engine.ts';
import { loadedKernels } from '../src/network/wasm/load.ts';
import { freezeNetBatch, transposeRows } from '../src/network/frozenBatch.ts';
import { freezeDigitsBatch } from '../src/realdata/digitBatch.ts';
import { multiclassParamCount, multiclassView } from '../src/realdata/multiclass.ts';
import { ConfigError } from '../src/validate.ts';

const MiB = 2 ** 20;

function randomMatrix(rng: Rng, rows: number, cols: number, sd = 1): Float64Array {
  return rng.fillNormal(new Float64Array(rows * cols), 0, sd);
}

/** Bit-for-bit equality of two Float64Arrays (also tells +0 from -0 and NaN payloads apart). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function freshEngine(): WasmEngine {
  return new WasmEngine(loadedKernels!.module);
}

/** Run fn with the singleton engine's budget set to `bytes`, restored afterwards. */
function withBudget<T>(bytes: number, fn: () => T): T {
  const eng = wasmEngine();
  const old = eng.residentBudget;
  eng.setResidentBudget(bytes);
  try {
    return fn();
  } finally {
    eng.setResidentBudget(old);
  }
}

/** A matrix, its centre and rows to multiply: dots' output for them. */
function dotsRef(eng: WasmEngine, X: Float64Array, n: number, c: Float64Array | null, W: Float64Array, h: number, D: number): Float64Array {
  const out = new Float64Array(n * h);
  eng.dots(X, n, c, W, h, D, out);
  return out;
}

function viaHandle(eng: WasmEngine, hnd: ReturnType<WasmEngine['resident']>, X: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * hnd.h);
  eng.dotsResident(hnd, X, n, out);
  return out;
}

describe.skipIf(!wasmKernelsAvailable())('resident weights in the wasm engine', () => {
  ptest.prop({
    n: fc.integer({ min: 0, max: 300 }),
    D: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 300 })),
    h: fc.integer({ min: 1, max: 21 }),
    centre: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  }, { numRuns: 40, seed: 801 })('dotsResident equals dots bit for bit', ({ n, D, h, centre, seed }) => {
    const rng = new Rng(seed);
    const eng = wasmEngine();
    const W = randomMatrix(rng, h, D), X = randomMatrix(rng, n, D);
    const c = centre ? randomMatrix(rng, 1, D, 0.5) : null;
    const hnd = eng.resident(W, h, D, c);
    // Another shape in between, so the per-call layout changes under the handle.
    const W2 = randomMatrix(rng, D, h), X2 = randomMatrix(rng, 3, h);
    const hnd2 = eng.resident(W2, D, h, null);
    expect(sameBits(viaHandle(eng, hnd2, X2, 3), dotsRef(eng, X2, 3, null, W2, D, h))).toBe(true);
    expect(sameBits(viaHandle(eng, hnd, X, n), dotsRef(eng, X, n, c, W, h, D))).toBe(true);
    expect(eng.isResident(hnd) && eng.isResident(hnd2)).toBe(true);
    eng.release(hnd);
    eng.release(hnd2);
  });

  test('the handle multiplies by the weights as they were at creation', () => {
    const rng = new Rng(11);
    const eng = freshEngine();
    const h = 9, D = 13, n = 7;
    const W = randomMatrix(rng, h, D), c = randomMatrix(rng, 1, D), X = randomMatrix(rng, n, D);
    const W0 = W.slice(), c0 = c.slice();
    const hnd = eng.resident(W, h, D, c);
    W[5] += 1;
    c[2] -= 1;
    const ref = dotsRef(eng, X, n, c0, W0, h, D);
    const got = viaHandle(eng, hnd, X, n);
    expect(sameBits(got, ref)).toBe(true);
    // The changed arrays give other numbers, so the comparison above could have failed.
    expect(sameBits(got, dotsRef(eng, X, n, c, W, h, D))).toBe(false);
    // Evicted, the handle repacks from its snapshot, not from the caller's (changed) array.
    eng.setResidentBudget(0);
    expect(eng.isResident(hnd)).toBe(false);
    expect(sameBits(viaHandle(eng, hnd, X, n), ref)).toBe(true);
    eng.setResidentBudget(DEFAULT_RESIDENT_BUDGET);
    expect(sameBits(viaHandle(eng, hnd, X, n), ref)).toBe(true);
    expect(eng.isResident(hnd)).toBe(true);
  });

  test('eviction (least recently used) and reload keep the numbers; memory stays within the bound', () => {
    const eng = freshEngine();
    const rng = new Rng(12);
    const h = 40, D = 100, n = 5;
    // Packed W: hp * ceil(D/2) * 16 bytes = 32,000 (a multiple of 64: no rounding).
    const per = 40 * 50 * 16;
    eng.setResidentBudget(2 * per);
    const Ws = Array.from({ length: 3 }, () => randomMatrix(rng, h, D));
    const X = randomMatrix(rng, n, D);
    const refs = Ws.map((W) => dotsRef(eng, X, n, null, W, h, D));
    const hs = Ws.slice(0, 2).map((W) => eng.resident(W, h, D, null));
    expect(sameBits(viaHandle(eng, hs[0], X, n), refs[0])).toBe(true);
    hs.push(eng.resident(Ws[2], h, D, null));
    // The third evicted the least recently used: the second (the first was used since).
    expect(hs.map((x) => eng.isResident(x))).toEqual([true, false, true]);
    expect(eng.residentBytes).toBe(2 * per);
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 3; k++) {
        expect(sameBits(viaHandle(eng, hs[k], X, n), refs[k])).toBe(true);
        expect(eng.isResident(hs[k])).toBe(true);
        expect(eng.residentBytes).toBeLessThanOrEqual(eng.residentBudget);
      }
    }
    // Budget 0: nothing resident, every call packs (the dots path), same numbers.
    eng.setResidentBudget(0);
    expect(hs.some((x) => eng.isResident(x))).toBe(false);
    for (let k = 0; k < 3; k++) expect(sameBits(viaHandle(eng, hs[k], X, n), refs[k])).toBe(true);
    expect(hs.some((x) => eng.isResident(x))).toBe(false);
    // Many handles on a 1 MiB budget: small layouts sit below the arena's 1 MiB base, so linear
    // memory stays <= 1 MiB + the budget however many handles are made.
    eng.setResidentBudget(MiB);
    const many = Array.from({ length: 40 }, () => eng.resident(randomMatrix(rng, h, D), h, D, null));
    expect(eng.residentBytes).toBeLessThanOrEqual(MiB);
    expect(eng.memoryBytes).toBeLessThanOrEqual(2 * MiB);
    expect(many.filter((x) => eng.isResident(x)).length).toBe(Math.floor(MiB / per));
  });

  test('the arena moves above a grown per-call layout and keeps its handles', () => {
    const eng = freshEngine();
    const rng = new Rng(13);
    const h = 17, D = 31, n = 130;
    const W = randomMatrix(rng, h, D), c = randomMatrix(rng, 1, D), X = randomMatrix(rng, n, D);
    const Wt = transposeRows(W, h, D), Xt = randomMatrix(rng, n, h);
    const a = eng.resident(W, h, D, c), b = eng.resident(Wt, D, h, null);
    const refA = dotsRef(eng, X, n, c, W, h, D), refB = dotsRef(eng, Xt, n, null, Wt, D, h);
    const before = eng.memoryBytes;
    // A layout of several MiB (packed W, dW, X block) passes the arena's first base.
    const H = 300, DD = 2000;
    const WB = randomMatrix(rng, H, DD, 0.1), XB = randomMatrix(rng, 4, DD);
    const big = dotsRef(eng, XB, 4, null, WB, H, DD);
    expect(eng.memoryBytes).toBeGreaterThan(before + 4 * MiB);
    expect(eng.isResident(a) && eng.isResident(b)).toBe(true);
    expect(sameBits(viaHandle(eng, a, X, n), refA)).toBe(true);
    expect(sameBits(viaHandle(eng, b, Xt, n), refB)).toBe(true);
    // And the per-call buffers were not overwritten by the moved arena.
    expect(sameBits(dotsRef(eng, XB, 4, null, WB, H, DD), big)).toBe(true);
  });

  test('lossAndGrad and forward interleaved with resident calls (arena moving under them) keep their numbers', () => {
    const rng = new Rng(14);
    // Engine A never holds resident weights; on engine B handles are live while every net below,
    // each larger than the last, moves the arena up during its lossAndGrad / forward.
    const A = freshEngine(), B = freshEngine();
    const small = [[5, 9], [33, 12]].map(([D, h]) => ({ D, h, W: randomMatrix(rng, h, D), c: randomMatrix(rng, 1, D), X: randomMatrix(rng, 130, D) }));
    const hnds = small.map((s) => B.resident(s.W, s.h, s.D, s.c));
    const refs = small.map((s) => dotsRef(A, s.X, 130, s.c, s.W, s.h, s.D));
    const run = (eng: WasmEngine, net: PReluNet, X: Float64Array, y: Float64Array, n: number) => {
      const ws = createWorkspace(net, n);
      inverseNorms(net.W, net.h, net.D, ws.invNorm);
      const gW = new Float64Array(net.h * net.D), gv = new Float64Array(net.h), f = new Float64Array(n);
      const dB = eng.lossAndGrad(net, X, y, n, 'logistic', 1 / n, gW, gv, ws);
      eng.forward(net, X, n, f, ws.invNorm);
      return { dB, gW, gv, margins: ws.margins.slice(0, n), f };
    };
    let lastMemory = B.memoryBytes;
    for (const [p, D, h] of [[3, 400, 40], [2.5, 800, 90], [1, 1500, 150]]) {
      const net: PReluNet = { D, h, p, W: randomMatrix(rng, h, D, 1 / Math.sqrt(D)), v: randomMatrix(rng, 1, h), b: 0.1, hasBias: true, centre: randomMatrix(rng, 1, D, 0.2), normalise: true };
      const n = 140;
      const X = randomMatrix(rng, n, D), y = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
      const a = run(A, net, X, y, n), b = run(B, net, X, y, n);
      expect(B.memoryBytes).toBeGreaterThan(lastMemory); // the per-call layout grew: the arena moved
      lastMemory = B.memoryBytes;
      expect(b.dB).toBe(a.dB);
      expect([b.gW, b.gv, b.margins, b.f].every((x, k) => sameBits(x, [a.gW, a.gv, a.margins, a.f][k]))).toBe(true);
      small.forEach((s, k) => {
        expect(B.isResident(hnds[k])).toBe(true);
        expect(sameBits(viaHandle(B, hnds[k], s.X, 130), refs[k])).toBe(true);
      });
      // Resident calls in between leave the next lossAndGrad's numbers unchanged.
      expect(sameBits(run(B, net, X, y, n).gW, a.gW)).toBe(true);
    }
  });

  test('bad input: ConfigError naming the field', () => {
    const eng = wasmEngine();
    const W = new Float64Array(12);
    expect(() => eng.resident(W, 4, 4, null)).toThrow(ConfigError);
    expect(() => eng.resident(W, 3, 4, new Float64Array(2))).toThrow(/centre/);
    expect(() => eng.resident(W, 0, 4, null)).toThrow(ConfigError);
    const hnd = eng.resident(W, 3, 4, null);
    expect(() => eng.dotsResident(hnd, new Float64Array(7), 2, new Float64Array(6))).toThrow(/X/);
    expect(() => eng.dotsResident(hnd, new Float64Array(8), 2, new Float64Array(5))).toThrow(/out/);
    expect(() => freshEngine().dotsResident(hnd, new Float64Array(8), 2, new Float64Array(6))).toThrow(/another engine/);
    expect(() => eng.setResidentBudget(-1)).toThrow(/residentBudget/);
    eng.release(hnd);
    expect(() => eng.dotsResident(hnd, new Float64Array(8), 2, new Float64Array(6))).toThrow(/released/);
    expect(eng.residentBudget).toBe(DEFAULT_RESIDENT_BUDGET);
  });

  /** Parity and 10-class batched outputs of one case (net made from the seed), as one array. */
  function batchedOutputs(D: number, h: number, p: number, normalise: boolean, seed: number): Float64Array {
    const rng = new Rng(seed);
    const net: PReluNet = {
      D, h, p, W: randomMatrix(rng, h, D, 1 / Math.sqrt(D)), v: randomMatrix(rng, 1, h), b: 0.05, hasBias: true,
      centre: seed % 2 === 0 ? randomMatrix(rng, 1, D, 0.3) : null, normalise,
    };
    const fb = freezeNetBatch(net, 'wasm-simd');
    expect(fb.backend).toBe('wasm-simd');
    const parts: Float64Array[] = [];
    for (const m of [1, 130]) {
      const X = Float64Array.from({ length: m * D }, () => rng.uniform());
      const f = new Float64Array(m), G = new Float64Array(m * D);
      fb.evaluate(X, m, f, G);
      parts.push(f, G);
    }
    const C = 10;
    const theta = randomMatrix(rng, 1, multiclassParamCount(D, h, C), 1 / Math.sqrt(D));
    const model = freezeDigitsBatch(multiclassView(D, h, p, C, theta, randomMatrix(rng, 1, D, 0.3), normalise), 'wasm-simd');
    const m = 129;
    const X = Float64Array.from({ length: m * D }, () => rng.uniform());
    const obj = model.objective(Int32Array.from({ length: m }, () => rng.int(C)));
    const L = new Float64Array(m), M = new Float64Array(m), G = new Float64Array(m * D);
    obj.evaluate(Int32Array.from({ length: m }, (_, i) => i), m, X, L, M, G);
    parts.push(L, M, G);
    const all = new Float64Array(parts.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of parts) {
      all.set(a, o);
      o += a.length;
    }
    return all;
  }

  test('frozenBatch and digitBatch: resident weights give the numbers of per-call packing', () => {
    const cases: [number, number, number, boolean][] = [[7, 5, 1, true], [30, 17, 2, false], [64, 33, 3, true], [200, 60, 4, true], [20, 301, 2.5, true], [50, 40, 1, false]];
    cases.forEach(([D, h, p, normalise], k) => {
      const seed = 900 + k;
      const resident = batchedOutputs(D, h, p, normalise, seed);
      // Budget 0: every product packs its weights per call, as engine.dots did before (issue 8).
      const perCall = withBudget(0, () => batchedOutputs(D, h, p, normalise, seed));
      expect(sameBits(resident, perCall)).toBe(true);
      // A budget below one net's two matrices: evicted and repacked on every product.
      const packed = (((h + 1) & ~1) * ((D + 1) >> 1) + (D + (D & 1)) * ((h + 1) >> 1)) * 16;
      const thrash = withBudget(Math.floor(packed * 0.6), () => batchedOutputs(D, h, p, normalise, seed));
      expect(sameBits(resident, thrash)).toBe(true);
    });
  });
});
