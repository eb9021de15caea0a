import { describe, expect, it } from 'vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';
import { compareSamplers, ksTwoSample as ks2 } from '../src/data/agreement.ts';

describe('orthonormal Gaussian mixture (PAPER.md s.1)', () => {
  for (const frame of ['canonical', 'random'] as const) {
    it(`projections s_k have mean 1{k=z} and variance alpha^2/D within 4 standard errors (${frame} frame)`, () => {
      const rng = new Rng(11);
      const m = new OrthonormalMixture({ D: 40, K: 5, K1: 2, alpha: 0.7, frame }, rng);
      const n = 20_000;
      const { X, z, y } = m.sample(n, rng);
      const S = m.project(X, n);
      const v = m.alpha ** 2 / m.D;
      // Residual r = s_k - 1{k = z} is N(0, v) for every (i, k) pair.
      for (let k = 0; k < m.K; k++) {
        let s = 0, s2 = 0;
        for (let i = 0; i < n; i++) { const r = S[i * m.K + k] - (z[i] === k ? 1 : 0); s += r; s2 += r * r; }
        const mean = s / n, varHat = s2 / n - mean * mean;
        expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(v / n));
        expect(Math.abs(varHat - v)).toBeLessThan(4 * v * Math.sqrt(2 / n));
      }
      for (let i = 0; i < n; i++) if (y[i] !== (z[i] < m.K1 ? 1 : -1)) throw new Error(`label mismatch at ${i}`);
    });
  }

  it('the K-dim sufficient-statistic sampler agrees in distribution with the D-dim sampler (KS, fixed seed)', () => {
    const m = new OrthonormalMixture({ D: 30, K: 4, K1: 1, alpha: 1.5, frame: 'random' }, new Rng(3));
    const r = compareSamplers(m, 4000, new Rng(100), new Rng(200));
    expect(r.statistics).toHaveLength(5);
    // Bonferroni over the 5 tests at family level 1e-3.
    expect(r.minPValue).toBeGreaterThan(1e-3 / r.statistics.length);
  });

  it('the KS helper does detect a shifted distribution (the comparison above can fail)', () => {
    const r = new Rng(4);
    const a = r.fillNormal(new Float64Array(4000));
    expect(ks2(a, r.fillNormal(new Float64Array(4000), 0.2)).pValue).toBeLessThan(1e-4);
    // A 30% wrong standard deviation (e.g. a mistaken noise scale) is caught too.
    expect(ks2(a, r.fillNormal(new Float64Array(4000), 0, 1.3)).pValue).toBeLessThan(1e-4);
  });

  it('balanced clusters give exact counts; class sums have norms sqrt(K1), sqrt(K2)', () => {
    const m = new OrthonormalMixture({ D: 12, K: 5, K1: 3, alpha: 0.1, clusters: 'balanced', frame: 'random' }, new Rng(8));
    const { z } = m.sample(103, new Rng(9));
    const c = new Array(5).fill(0);
    for (const k of z) c[k]++;
    expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    const nrm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(nrm(m.classSum(1))).toBeCloseTo(Math.sqrt(3), 12);
    expect(nrm(m.classSum(-1))).toBeCloseTo(Math.sqrt(2), 12);
    expect(nrm(m.classAverage(1))).toBeCloseTo(1, 12);
  });

  it('balanced clusters with K dividing n give exactly n/K points each; same seed, same balanced sample', () => {
    const m = new OrthonormalMixture({ D: 10, K: 6, K1: 2, alpha: 0.3, clusters: 'balanced' });
    const a = m.sample(120, new Rng(21));
    const c = new Array(6).fill(0);
    for (const k of a.z) c[k]++;
    expect(c).toEqual([20, 20, 20, 20, 20, 20]);
    const b = m.sample(120, new Rng(21));
    expect(Array.from(b.z)).toEqual(Array.from(a.z));
    expect(Array.from(b.X)).toEqual(Array.from(a.X));
    // A different seed permutes the points differently (the assignment is shuffled, not sorted).
    expect(Array.from(m.sample(120, new Rng(22)).z)).not.toEqual(Array.from(a.z));
  });

  it('clusters left out is the iid sampler, bit for bit', () => {
    const a = new OrthonormalMixture({ D: 10, K: 3, K1: 1, alpha: 0.5 }).sample(50, new Rng(6));
    const b = new OrthonormalMixture({ D: 10, K: 3, K1: 1, alpha: 0.5, clusters: 'iid' }).sample(50, new Rng(6));
    expect(Array.from(a.X)).toEqual(Array.from(b.X));
    expect(Array.from(a.z)).toEqual(Array.from(b.z));
  });

  it('same seed gives the same sample', () => {
    const m = new OrthonormalMixture({ D: 10, K: 3, K1: 1, alpha: 0.5 });
    expect(m.sample(20, new Rng(5)).X).toEqual(m.sample(20, new Rng(5)).X);
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ D: 10, K: 3, K1: 0, alpha: 1 }, 'K1'],
    [{ D: 10, K: 3, K1: 3, alpha: 1 }, 'K1'],
    [{ D: 10, K: 3, K1: 1.5, alpha: 1 }, 'K1'],
    [{ D: 2, K: 3, K1: 1, alpha: 1 }, 'K'],
    [{ D: 10.5, K: 3, K1: 1, alpha: 1 }, 'D'],
    [{ D: 10, K: 1, K1: 1, alpha: 1 }, 'K'],
    [{ D: 10, K: 3, K1: 1, alpha: -0.1 }, 'alpha'],
    [{ D: 10, K: 3, K1: 1, alpha: NaN }, 'alpha'],
    [{ D: 10, K: 3, K1: 1, alpha: Infinity }, 'alpha'],
    [{ D: 10, K: 3, K1: 1, alpha: 1, frame: 'diag' }, 'frame'],
    [{ D: 10, K: 3, K1: 1, alpha: 1, clusters: 'x' }, 'clusters'],
    [{ D: 10, K: 3, K1: 1, alpha: 1, beta: 2 }, 'mixture.beta'],
  ];
  for (const [params, field] of bad) {
    it(`rejects ${JSON.stringify(params, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} naming ${field}`, () => {
      let err: unknown;
      try { new OrthonormalMixture(params as never); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      expect((err as Error).message).toMatch(/allowed/);
    });
  }
  it('rejects n < 1 and non-integer n', () => {
    const m = new OrthonormalMixture({ D: 10, K: 3, K1: 1, alpha: 1 });
    expect(() => m.sample(0, new Rng(1))).toThrow(/invalid n/);
    expect(() => m.sampleProjections(2.5, new Rng(1))).toThrow(/invalid n/);
    expect(() => new OrthonormalMixture({ D: 10, K: 3, K1: 1, alpha: 1, frame: 'random' })).toThrow(/invalid rng/);
  });
});
