import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, randomOrthonormalFrame, uniformSphere, norm2, balancedAssignment, iidAssignment, shuffle } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xa = Array.from({ length: 8 }, () => a.nextUint32());
    const xb = Array.from({ length: 8 }, () => b.nextUint32());
    const xc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('uniform() has mean 1/2 and variance 1/12 within 4 standard errors', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0, s2 = 0, outside = 0;
    for (let i = 0; i < n; i++) { const u = r.uniform(); if (!(u >= 0 && u < 1)) outside++; s += u; s2 += u * u; }
    expect(outside).toBe(0);
    const mean = s / n, v = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / n));
  });

  it('normal() has the first four moments of N(0,1) within 4 standard errors', () => {
    const r = new Rng(2);
    const n = 200_000;
    const m = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) { const z = r.normal(); m[0] += z; m[1] += z * z; m[2] += z ** 3; m[3] += z ** 4; }
    const [m1, m2, m3, m4] = m.map((x) => x / n);
    // Standard errors: sqrt(Var(z^k)/n) with Var = E z^2k - (E z^k)^2 = 1, 2, 15, 96.
    expect(Math.abs(m1)).toBeLessThan(4 * Math.sqrt(1 / n));
    expect(Math.abs(m2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(m3)).toBeLessThan(4 * Math.sqrt(15 / n));
    expect(Math.abs(m4 - 3)).toBeLessThan(4 * Math.sqrt(96 / n));
  });

  it('int(n) is unbiased over a small range (chi-square, 6 bins)', () => {
    const r = new Rng(3);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[r.int(6)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 6) ** 2 / (n / 6), 0);
    expect(chi2).toBeLessThan(20.5); // chi2(5) 0.999 quantile
  });

  it('jump() streams are disjoint from the parent and reproducible; state round-trips', () => {
    const a = new Rng(9);
    const child = a.jump();
    const b = new Rng(9);
    const child2 = b.jump();
    expect(child.nextUint32()).toBe(child2.nextUint32());
    expect(a.nextUint32()).toBe(b.nextUint32());
    const c = Rng.fromState(a.state());
    expect(c.nextUint32()).toBe(a.nextUint32());
    // Child continues the parent's pre-jump stream; the parent moved far away.
    const p = new Rng(9), ch = p.jump(), ref = new Rng(9);
    expect(ch.nextUint32()).toBe(ref.nextUint32());
    expect(p.nextUint32()).not.toBe(new Rng(9).nextUint32());
  });

  it('rejects bad seeds with a named error', () => {
    for (const s of [-1, 1.5, NaN, Infinity]) expect(() => new Rng(s)).toThrow(/invalid seed/);
    expect(() => new Rng(-1)).toThrow(ConfigError);
  });
});

describe('random objects', () => {
  it('orthonormal frames are orthonormal to 1e-12 (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1e9 }), (K, extra, seed) => {
        const D = K + extra;
        const Q = randomOrthonormalFrame(new Rng(seed), K, D);
        for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) {
          let dot = 0;
          for (let i = 0; i < D; i++) dot += Q[k * D + i] * Q[l * D + i];
          if (Math.abs(dot - (k === l ? 1 : 0)) > 1e-12) return false;
        }
        return true;
      }),
      { seed: 20261122, numRuns: 100 },
    );
  });

  it('sphere points have unit norm and mean ~0', () => {
    const r = new Rng(5), d = 7, n = 20_000;
    const mean = new Float64Array(d), u = new Float64Array(d);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      uniformSphere(r, d, u);
      worst = Math.max(worst, Math.abs(norm2(u) - 1));
      for (let j = 0; j < d; j++) mean[j] += u[j] / n;
    }
    expect(worst).toBeLessThan(1e-14);
    // Each coordinate has variance 1/d.
    for (let j = 0; j < d; j++) expect(Math.abs(mean[j])).toBeLessThan(4 * Math.sqrt(1 / d / n));
  });

  it('norm2 survives tiny and huge entries', () => {
    expect(norm2([3e-200, 4e-200])).toBeCloseTo(5e-200, 210);
    expect(norm2([3e200, 4e200]) / 5e200).toBeCloseTo(1, 14);
  });

  it('balanced assignment has exact counts; iid has roughly equal counts; shuffle permutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (n, K, seed) => {
        const z = balancedAssignment(new Rng(seed), n, K);
        const c = new Array(K).fill(0);
        for (const k of z) c[k]++;
        return Math.max(...c) - Math.min(...c) <= 1 && c.reduce((a, b) => a + b, 0) === n;
      }),
      { seed: 7, numRuns: 100 },
    );
    const z = iidAssignment(new Rng(1), 100_000, 4);
    const c = [0, 0, 0, 0];
    for (const k of z) c[k]++;
    for (const x of c) expect(Math.abs(x - 25_000)).toBeLessThan(4 * Math.sqrt(100_000 * 0.25 * 0.75));
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffle(new Rng(3), a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
